import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { copyImage, startExtraDockerd, type ExtraDockerd } from '../../helpers/dockerd.ts';
import { CLI, startCli, type LiveCli } from '../../helpers/cli.ts';
import { localDocker, type DockerCli } from '../../stack/docker-cli.ts';
import { commandFor, IDLE } from '../../stack/workloads.ts';
import { labelFor, removeAll } from '../../stack/stack.ts';

const IMAGE = 'langgenius/dify-api:1.10.1';
const MAIN_SOCKET = 'unix:///var/run/docker.sock';
const tag = `two-sockets-${randomBytes(3).toString('hex')}`;
const exec = promisify(execFile);
// The same project on both engines: only the host name can keep them apart.
const project = `${tag}-dify`;

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

/** What one `watch --once --json` printed, and whether it ended without being stopped. */
interface OnceRun {
  readonly endedByItself: boolean;
  readonly exitCode: number | null;
  readonly stderr: string;
  /** The name the host lines give the engine at `endpoint`. */
  hostAt(endpoint: string): unknown;
  /** Whether a sample of container `id` of the stack came under `host`. */
  sampled(host: unknown, id: string): boolean;
}

async function watchOnce(args: readonly string[], env: NodeJS.ProcessEnv): Promise<OnceRun> {
  const watch: LiveCli = startCli(['watch', '--once', '--json', ...args], env);
  // A generous deadline, not a measurement: without unique names the watcher waits forever.
  const endedByItself = await Promise.race([
    once(watch.child, 'close').then(() => true),
    sleep(60_000, false, { ref: false }),
  ]);
  await watch.stop();
  const lines = watch.lines;
  return {
    endedByItself,
    exitCode: watch.child.exitCode,
    stderr: watch.stderr(),
    hostAt: (endpoint) => lines.find((l) => l['type'] === 'host' && l['endpoint'] === endpoint)?.['host'],
    sampled: (host, id) =>
      lines.some(
        (l) => l['type'] === 'sample' && l['host'] === host && l['id'] === id && l['stack'] === project,
      ),
  };
}

let second: ExtraDockerd;
let dir: string;
let mainIds: string[] = [];
let secondIds: string[] = [];
/** The environment of a user with no DOCKER_HOST or DOCKER_CONTEXT of their own. */
const env: NodeJS.ProcessEnv = { ...process.env };
delete env['DOCKER_HOST'];
delete env['DOCKER_CONTEXT'];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dm-two-sockets-'));
  second = await startExtraDockerd('two-sockets');
  await copyImage(IMAGE, second);
  mainIds = await startTwoServiceStack(localDocker, project);
  secondIds = await startTwoServiceStack(second.docker, project);
});

after(async () => {
  await removeAll(tag);
  await second?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('watch --host with two local sockets', { timeout: 120_000 }, () => {
  let run: OnceRun;
  before(async () => {
    run = await watchOnce(
      ['--host', MAIN_SOCKET, '--host', second.url, '--alert-log', join(dir, 'flags-alerts.json')],
      env,
    );
  });

  it('exits 0 by itself after a round of each', () => {
    assert.ok(run.endedByItself, `still running after 60 s; stderr: ${run.stderr}`);
    assert.equal(run.exitCode, 0, run.stderr);
  });

  it('names the two engines apart', () => {
    assert.equal(run.hostAt(MAIN_SOCKET), 'local', 'the plain /var/run/docker.sock keeps its name');
    assert.ok(run.hostAt(second.url) !== undefined, run.stderr);
    assert.notEqual(run.hostAt(second.url), run.hostAt(MAIN_SOCKET));
  });

  it("samples both stacks' containers, each under its own engine", () => {
    for (const id of mainIds) assert.ok(run.sampled(run.hostAt(MAIN_SOCKET), id), `${id} on the main engine`);
    for (const id of secondIds)
      assert.ok(run.sampled(run.hostAt(second.url), id), `${id} on the second engine`);
  });
});

describe('a current Docker context and a saved host of the same name', { timeout: 120_000 }, () => {
  let run: OnceRun;
  before(async () => {
    // The context `twin` points at the main engine; the saved host `twin` is the second engine.
    const config = join(dir, 'docker');
    const meta = join(config, 'contexts', 'meta', createHash('sha256').update('twin').digest('hex'));
    mkdirSync(meta, { recursive: true });
    writeFileSync(
      join(meta, 'meta.json'),
      JSON.stringify({ Name: 'twin', Metadata: {}, Endpoints: { docker: { Host: MAIN_SOCKET } } }),
    );
    writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'twin' }));
    const settings = join(dir, 'settings.json');
    await exec(process.execPath, [CLI, 'hosts', 'add', 'twin', second.url, '--settings', settings]);
    run = await watchOnce(['--settings', settings, '--alert-log', join(dir, 'context-alerts.json')], {
      ...env,
      DOCKER_CONFIG: config,
    });
  });

  it('exits 0 by itself after a round of each', () => {
    assert.ok(run.endedByItself, `still running after 60 s; stderr: ${run.stderr}`);
    assert.equal(run.exitCode, 0, run.stderr);
  });

  it('leaves the saved host its name and gives the context engine another', () => {
    assert.equal(run.hostAt(second.url), 'twin');
    assert.equal(run.hostAt(MAIN_SOCKET), 'twin-2');
  });

  it("samples both stacks' containers, each under its own engine", () => {
    for (const id of mainIds) assert.ok(run.sampled('twin-2', id), `${id} on the main engine`);
    for (const id of secondIds) assert.ok(run.sampled('twin', id), `${id} on the second engine`);
  });
});
