/**
 * The container image for server mode (#17), built from the real Dockerfile on base images made
 * here without a registry (scripts/build-base-image.sh), run against the engine with the socket
 * mounted read-only: non-root with the socket's group, healthy, the dashboard and /metrics behind
 * the token. Then docker/compose.monitor.yaml in the stand-in stack's compose project: the stack
 * is found and the monitor's own container, though in the project, is not part of it.
 *
 * Needs debootstrap and docker-compose (Debian's v1) besides the engine, and the Debian mirror and
 * npm registry for the first build. `docker build --network host`: the engine here has no bridge.
 */
import assert from 'node:assert/strict';
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Sample } from '../../src/model.ts';
import { freePort } from '../helpers/free-port.ts';
import { removeAll, startStack, type StandInStack } from '../stack/stack.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const IMAGE = 'dify-monitor:image-test';
/** The build stage, tagged so that the next build finds its layers (npm ci) and the old ones go. */
const BUILD_IMAGE = 'dify-monitor:image-test-build';
const TAG = 'image-test';
const PROJECT = 'dmimage';
const RUN = 'dm-image-test';
const NETWORK = 'dm-image-test';
const COMPOSE = ['-p', PROJECT, '-f', join(ROOT, 'docker/compose.monitor.yaml')];
let stack: StandInStack;

function run(command: string, args: readonly string[], options: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(command, args, { cwd: ROOT, encoding: 'utf8', stdio: 'pipe', ...options })
      .toString()
      .trim();
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer | string; stderr?: Buffer | string };
    throw new Error(
      `${command} ${args.join(' ')} failed:\n${String(stdout ?? '').slice(-3000)}\n${String(stderr ?? '').slice(-3000)}`,
      {
        cause: error,
      },
    );
  }
}

const docker = (...args: string[]): string => run('docker', args);

/** Dashboard and metrics of a monitor at `base`, with the token it keeps in its volume. */
async function answering(container: string, base: string): Promise<string> {
  for (let i = 0; i < 120; i++) {
    try {
      const token = docker('exec', '--user', 'dify-monitor', container, 'cat', '/var/lib/dify-monitor/token');
      const page = await fetch(base, { headers: { Authorization: `Bearer ${token}` } });
      if (page.status === 200) return token;
    } catch {
      // Not up yet: no token file, or nothing listening.
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`${container} never answered at ${base}:\n${docker('logs', container)}`);
}

async function snapshot(base: string, token: string): Promise<readonly Sample[]> {
  const answer = await fetch(`${base}api/monitor:snapshot`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: 'null',
  });
  assert.equal(answer.status, 200);
  return ((await answer.json()) as { samples: readonly Sample[] }).samples;
}

/** Waits until the monitor at `base` has a sample of every container of the stand-in stack. */
async function stackSamples(base: string, token: string): Promise<readonly Sample[]> {
  const names = stack.containers.map((c) => c.name).sort();
  let samples: readonly Sample[] = [];
  for (let i = 0; i < 60; i++) {
    samples = await snapshot(base, token);
    const seen = samples.filter((s) => s.stack === PROJECT).map((s) => s.name);
    if (names.every((n) => seen.includes(n))) return samples;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`the stack never showed up: ${samples.map((s) => `${s.name}:${s.stack}`).join(' ')}`);
}

const imageId = (tag: string): string | null => {
  try {
    return docker('image', 'inspect', '--format', '{{.Id}}', tag);
  } catch {
    return null;
  }
};

/** Builds the Dockerfile; the images it replaces are removed rather than left dangling. */
function buildImage(): void {
  const replaced = [imageId(BUILD_IMAGE), imageId(IMAGE)];
  const build = ['build', '--force-rm', '--network', 'host'];
  run('docker', [...build, '--target', 'build', '-t', BUILD_IMAGE, '.'], { maxBuffer: 64 << 20 });
  run('docker', [...build, '-t', IMAGE, '.'], { maxBuffer: 64 << 20 });
  const kept = [imageId(BUILD_IMAGE), imageId(IMAGE)];
  for (const id of replaced) {
    if (id === null || kept.includes(id)) continue;
    try {
      docker('rmi', id);
    } catch {
      // Still used by something else: left to its owner.
    }
  }
}

function status(container: string): string {
  return docker('exec', container, 'cat', '/proc/1/status');
}

describe('the container image', () => {
  before(async () => {
    run('bash', ['scripts/build-base-image.sh']);
    buildImage();
    await removeAll(TAG);
    stack = await startStack({ tag: TAG, layout: 'current', project: PROJECT });
  });

  after(async () => {
    for (const cleanup of [
      () => docker('rm', '--force', '--volumes', RUN),
      () => docker('volume', 'rm', RUN),
      () => docker('network', 'rm', NETWORK),
      () =>
        run('docker-compose', [...COMPOSE, 'down', '--volumes'], {
          env: { ...process.env, DIFY_MONITOR_IMAGE: IMAGE },
        }),
    ]) {
      try {
        cleanup();
      } catch {
        // Not created: its test failed early.
      }
    }
    await removeAll(TAG);
  });

  it('is small, without npm or TypeScript, and labelled out of every stack', () => {
    const size = Number(docker('image', 'inspect', '--format', '{{.Size}}', IMAGE));
    process.stdout.write(`# image size: ${(size / 1e6).toFixed(1)} MB\n`);
    assert.ok(size < 260e6, `${size} bytes`);
    assert.equal(
      docker('image', 'inspect', '--format', '{{index .Config.Labels "dify-monitor.exclude"}}', IMAGE),
      'true',
    );
    const inside = docker(
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'sh',
      IMAGE,
      '-c',
      'command -v npm || echo no-npm; find /opt/dify-monitor/lib/node_modules/dify-monitor -path "*/node_modules" -prune -o -name "*.ts" -print; ls /opt/dify-monitor/lib/node_modules/dify-monitor/node_modules | grep -x -e electron -e typescript -e esbuild || true',
    );
    assert.equal(inside, 'no-npm');
  });

  it('runs with the socket read-only: non-root with its group, healthy, the dashboard and /metrics behind the token', async () => {
    docker('network', 'create', NETWORK);
    docker(
      'run',
      '--detach',
      '--name',
      RUN,
      '--network',
      NETWORK,
      '--publish',
      '127.0.0.1::7878',
      '--volume',
      '/var/run/docker.sock:/var/run/docker.sock:ro',
      '--volume',
      `${RUN}:/var/lib/dify-monitor`,
      // The image's own check, every second instead of every 30 s.
      '--health-interval',
      '1s',
      IMAGE,
    );
    const base = `http://${docker('port', RUN, '7878/tcp').split('\n')[0]}/`;
    const token = await answering(RUN, base);
    assert.equal((await fetch(base)).status, 401, 'a token is required off loopback');

    const proc = status(RUN);
    assert.match(proc, /^Uid:\s+10001\s+10001\s+10001\s+10001$/m);
    assert.match(proc, /^CapEff:\s+0+$/m);
    assert.match(proc, /^NoNewPrivs:\s+1$/m);
    const socketGroup = run('stat', ['-c', '%g', '/var/run/docker.sock']);
    assert.ok((/^Groups:\s+(.*)$/m.exec(proc)?.[1] ?? '').split(/\s+/).includes(socketGroup), proc);

    await stackSamples(base, token);
    const metrics = await (
      await fetch(`${base}metrics`, { headers: { Authorization: `Bearer ${token}` } })
    ).text();
    assert.match(metrics, /dify_monitor_host_up\{host="local"\} 1/);
    assert.match(
      metrics,
      new RegExp(`container_memory_working_set_bytes\\{[^}]*stack="${PROJECT}"[^}]*name="${PROJECT}-api-1"`),
    );

    let health = '';
    for (let i = 0; i < 60 && health !== 'healthy'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      health = docker('inspect', '--format', '{{.State.Health.Status}}', RUN);
    }
    assert.equal(health, 'healthy');
  });

  it('joins the stack’s compose project with compose.monitor.yaml, finds the stack, and is not part of it', async () => {
    const port = await freePort();
    const env = { ...process.env, DIFY_MONITOR_IMAGE: IMAGE, DIFY_MONITOR_PORT: `127.0.0.1:${port}` };
    run('docker-compose', [...COMPOSE, 'up', '--detach'], { env });
    const monitor = run('docker-compose', [...COMPOSE, 'ps', '--quiet', 'dify-monitor'], { env });
    const name = docker('inspect', '--format', '{{.Name}}', monitor).replace(/^\//, '');
    assert.equal(
      docker('inspect', '--format', '{{index .Config.Labels "com.docker.compose.project"}}', monitor),
      PROJECT,
    );

    const base = `http://127.0.0.1:${port}/`;
    const token = await answering(monitor, base);
    const samples = await stackSamples(base, token);
    assert.deepEqual(
      samples
        .filter((s) => s.stack === PROJECT)
        .map((s) => s.name)
        .sort(),
      stack.containers.map((c) => c.name).sort(),
      'the stack is the stand-in containers, without the monitor',
    );
    const own = samples.find((s) => s.name === name);
    assert.ok(own === undefined || (own.stack === null && own.role === 'other'), JSON.stringify(own));

    const metrics = await (
      await fetch(`${base}metrics`, { headers: { Authorization: `Bearer ${token}` } })
    ).text();
    assert.match(
      metrics,
      new RegExp(`container_memory_working_set_bytes\\{[^}]*stack="${PROJECT}"[^}]*name="${PROJECT}-api-1"`),
    );
    assert.doesNotMatch(metrics, new RegExp(`stack="${PROJECT}"[^}]*name="${name}"`));
  });
});
