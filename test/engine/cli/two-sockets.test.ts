import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { copyImage, startExtraDockerd, type ExtraDockerd } from '../../helpers/dockerd.ts';
import { startCli, type LiveCli } from '../../helpers/cli.ts';
import { localDocker, type DockerCli } from '../../stack/docker-cli.ts';
import { commandFor, IDLE } from '../../stack/workloads.ts';
import { labelFor, removeAll } from '../../stack/stack.ts';

const IMAGE = 'langgenius/dify-api:1.10.1';
const MAIN_SOCKET = 'unix:///var/run/docker.sock';
const tag = `two-sockets-${randomBytes(3).toString('hex')}`;

/**
 * The api and worker of a Compose project, labelled as `docker compose up` labels them: enough to
 * be a Dify stack. Resolves with their container ids.
 */
async function startTwoServiceStack(docker: DockerCli, project: string): Promise<string[]> {
  const ids: string[] = [];
  for (const [service, mode] of [
    ['api', 'api'],
    ['worker', 'worker'],
  ] as const) {
    const id = await docker(
      'run',
      '--detach',
      '--name',
      `${project}-${service}-1`,
      '--network',
      'none',
      '--label',
      labelFor(tag),
      '--label',
      `com.docker.compose.project=${project}`,
      '--label',
      `com.docker.compose.service=${service}`,
      '--label',
      'com.docker.compose.container-number=1',
      '--label',
      `com.docker.compose.project.working_dir=/opt/${project}/docker`,
      '--env',
      `MODE=${mode}`,
      IMAGE,
      ...commandFor(IDLE),
    );
    ids.push(id);
  }
  return ids;
}

describe('watch --host with two local sockets', { timeout: 180_000 }, () => {
  let second: ExtraDockerd;
  let alertDir: string;
  // The same project on both engines: only the host name can keep them apart.
  const project = `${tag}-dify`;
  let mainIds: string[] = [];
  let secondIds: string[] = [];
  let watch: LiveCli;
  let endedByItself = false;

  before(async () => {
    alertDir = mkdtempSync(join(tmpdir(), 'dm-two-sockets-'));
    second = await startExtraDockerd('two-sockets');
    await copyImage(IMAGE, second);
    mainIds = await startTwoServiceStack(localDocker, project);
    secondIds = await startTwoServiceStack(second.docker, project);
    watch = startCli([
      'watch',
      '--host',
      MAIN_SOCKET,
      '--host',
      second.url,
      '--once',
      '--json',
      '--alert-log',
      join(alertDir, 'alerts.json'),
    ]);
    // A generous deadline, not a measurement: today's watcher waits forever for the second engine.
    endedByItself = await Promise.race([
      once(watch.child, 'close').then(() => true),
      sleep(60_000, false, { ref: false }),
    ]);
  });

  after(async () => {
    await watch?.stop();
    await removeAll(tag);
    await second?.remove();
    rmSync(alertDir, { recursive: true, force: true });
  });

  it('exits 0 by itself after a round of each', () => {
    assert.ok(endedByItself, `still running after 60 s; stderr: ${watch.stderr()}`);
    assert.equal(watch.child.exitCode, 0, watch.stderr());
  });

  /** The name the host lines give the engine at `endpoint`. */
  const hostOf = (endpoint: string): unknown =>
    watch.lines.find((l) => l['type'] === 'host' && l['endpoint'] === endpoint)?.['host'];

  it('names the two engines apart', () => {
    const mainHost = hostOf(MAIN_SOCKET);
    const secondHost = hostOf(second.url);
    assert.equal(mainHost, 'local', 'the plain /var/run/docker.sock keeps its name');
    assert.ok(secondHost !== undefined, watch.stderr());
    assert.notEqual(secondHost, mainHost);
  });

  it("samples both stacks' containers, each under its own engine", () => {
    const samples = watch.lines.filter((l) => l['type'] === 'sample');
    const seen = (host: unknown, id: string): boolean =>
      samples.some((s) => s['host'] === host && s['id'] === id && s['stack'] === project);
    for (const id of mainIds) assert.ok(seen(hostOf(MAIN_SOCKET), id), `${id} on the main engine`);
    for (const id of secondIds) assert.ok(seen(hostOf(second.url), id), `${id} on the second engine`);
  });
});
