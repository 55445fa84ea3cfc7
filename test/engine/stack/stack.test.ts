import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fromInspect } from '../../../src/docker/inspect.ts';
import { discover } from '../../../src/dify/discovery.ts';
import { startExtraDockerd } from '../../helpers/dockerd.ts';
import { localDocker } from '../../stack/docker-cli.ts';
import {
  dockerStatsSnapshot,
  labelFor,
  OTHER_IMAGE,
  removeAll,
  startOther,
  startStack,
  waitForOom,
  type StandInStack,
} from '../../stack/stack.ts';

const exec = promisify(execFile);
const TEST_IMAGES = fileURLToPath(new URL('../../../scripts/test-images.sh', import.meta.url));
const MiB = 2 ** 20;
const run = randomBytes(3).toString('hex');
const TAG = `stack-test-${run}`;

interface Inspected {
  Name: string;
  Config: { Image: string; Env: string[] | null; Labels: Record<string, string> };
  State: { Status: string; ExitCode: number; OOMKilled: boolean };
  HostConfig: { NetworkMode: string; Memory: number; RestartPolicy: { Name: string } };
}

async function inspect(...names: string[]): Promise<Inspected[]> {
  return JSON.parse(await localDocker('inspect', ...names)) as Inspected[];
}

function envOf(container: Inspected): Record<string, string> {
  return Object.fromEntries(
    (container.Config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  );
}

/** cpuacct.usage (ns) read in the container every 250 ms, as deltas in seconds of CPU per interval. */
async function cpuPerQuarterSecond(name: string, reads: number): Promise<number[]> {
  const out = await localDocker(
    'exec',
    name,
    'sh',
    '-c',
    `i=0; while [ $i -lt ${reads} ]; do cat /sys/fs/cgroup/cpuacct/cpuacct.usage; sleep 0.25; i=$((i+1)); done`,
  );
  const totals = out.split('\n').map(Number);
  return totals.slice(1).map((t, i) => (t - (totals[i] ?? t)) / 1e9);
}

after(async () => {
  await removeAll(TAG);
});

describe('stand-in Dify stacks on the real engine', { concurrency: true, timeout: 60_000 }, () => {
  describe('the current layout (1.10)', { concurrency: true }, () => {
    const project = `dmcur${run}`;
    const workingDir = `/home/dify/${project}/docker`;
    let stack: StandInStack;
    let containers: Inspected[];

    before(async () => {
      stack = await startStack({
        layout: 'current',
        project,
        workingDir,
        tag: TAG,
        workloads: {
          api: { kind: 'steady', mib: 32 },
          worker: { kind: 'spin' },
          worker_beat: { kind: 'bursty' },
        },
      });
      containers = await inspect(...stack.containers.map((c) => c.id));
    });

    it('names every service as Compose does and runs the images and MODE Dify ships', () => {
      const byName = new Map(containers.map((c) => [c.Name.replace(/^\//, ''), c]));
      const expected: [string, string, string | undefined][] = [
        ['api', 'langgenius/dify-api:1.10.1', 'api'],
        ['worker', 'langgenius/dify-api:1.10.1', 'worker'],
        ['worker_beat', 'langgenius/dify-api:1.10.1', 'beat'],
        ['web', 'langgenius/dify-web:1.10.1', undefined],
        ['db_postgres', 'postgres:15-alpine', undefined],
        ['redis', 'redis:6-alpine', undefined],
        ['sandbox', 'langgenius/dify-sandbox:0.2.12', undefined],
        ['plugin_daemon', 'langgenius/dify-plugin-daemon:0.4.1-local', undefined],
        ['ssrf_proxy', 'ubuntu/squid:latest', undefined],
        ['nginx', 'nginx:latest', undefined],
        ['weaviate', 'semitechnologies/weaviate:1.27.0', undefined],
        ['init_permissions', 'busybox:latest', undefined],
      ];
      assert.equal(containers.length, expected.length);
      for (const [service, image, mode] of expected) {
        const c = byName.get(`${project}-${service}-1`);
        assert.ok(c, `${project}-${service}-1 exists`);
        assert.equal(c.Config.Image, image);
        assert.equal(envOf(c)['MODE'], mode);
        assert.equal(stack.service(service).name, `${project}-${service}-1`);
      }
    });

    it('carries the Compose labels and ours, no network, no restart policy, no memory limit', () => {
      for (const c of containers) {
        const labels = c.Config.Labels;
        assert.equal(labels['com.docker.compose.project'], project);
        assert.equal(c.Name, `/${project}-${labels['com.docker.compose.service']}-1`);
        assert.equal(labels['com.docker.compose.container-number'], '1');
        assert.equal(labels['com.docker.compose.oneoff'], 'False');
        assert.equal(labels['com.docker.compose.project.working_dir'], workingDir);
        assert.equal(labels['com.docker.compose.project.config_files'], `${workingDir}/docker-compose.yaml`);
        assert.match(labels['com.docker.compose.version'] ?? '', /^2\.\d+\.\d+$/);
        assert.match(labels['com.docker.compose.image'] ?? '', /^sha256:[0-9a-f]{64}$/);
        assert.equal(labels['dify-monitor.test'], TAG);
        assert.equal(c.HostConfig.NetworkMode, 'none');
        assert.ok(['', 'no'].includes(c.HostConfig.RestartPolicy.Name));
        assert.equal(c.HostConfig.Memory, 0);
      }
    });

    it('ran init_permissions to exit 0 first and keeps every other service running', () => {
      assert.equal(stack.containers[0]?.service, 'init_permissions');
      for (const c of containers) {
        if (c.Config.Labels['com.docker.compose.service'] === 'init_permissions') {
          assert.deepEqual([c.State.Status, c.State.ExitCode], ['exited', 0]);
        } else {
          assert.equal(c.State.Status, 'running', c.Name);
        }
      }
    });

    it('is one Dify stack with every role, as discovery reads it', () => {
      const found = discover(containers.map((c) => fromInspect(c)).filter((c) => c !== null));
      assert.deepEqual(
        found.stacks.map((s) => [s.name, s.workingDir]),
        [[project, workingDir]],
      );
      assert.deepEqual(found.containers.map((c) => c.role).sort(), [
        'api',
        'db',
        'init',
        'nginx',
        'plugin_daemon',
        'redis',
        'sandbox',
        'ssrf_proxy',
        'vector_store',
        'web',
        'worker',
        'worker_beat',
      ]);
    });

    it('holds a steady 32 MiB and spins one core, as docker stats sees them', async () => {
      const api = stack.service('api').name;
      const worker = stack.service('worker').name;
      const redis = stack.service('redis').name;
      let cpu = 0;
      let idleCpu = Infinity;
      // A spinning thread gets a whole core only on a quiet machine; on the shared 2-core one it
      // gets its share, which is still far above an idle container's.
      for (let attempt = 0; attempt < 3 && cpu < 80; attempt++) {
        const rows = await dockerStatsSnapshot([api, worker, redis]);
        const memory = rows.find((r) => r.name === api)?.memUsageBytes ?? 0;
        assert.ok(memory >= 30 * MiB && memory < 40 * MiB, `steady 32 MiB shows ${memory / MiB} MiB`);
        cpu = Math.max(cpu, rows.find((r) => r.name === worker)?.cpuPercent ?? 0);
        idleCpu = Math.min(idleCpu, rows.find((r) => r.name === redis)?.cpuPercent ?? Infinity);
      }
      assert.ok(cpu >= 40, `spin shows ${cpu} %`);
      assert.ok(idleCpu < 5, `idle redis shows ${idleCpu} %`);
    });

    it('alternates busy and idle seconds under the bursty workload', async () => {
      const deltas = await cpuPerQuarterSecond(stack.service('worker_beat').name, 17);
      // Busy seconds get a whole core only on a quiet machine; idle ones get nothing on any.
      const peak = Math.max(...deltas);
      const busy = deltas.filter((d) => d >= peak / 2).length;
      const idle = deltas.filter((d) => d <= Math.min(0.01, peak / 10)).length;
      assert.ok(
        peak >= 0.04 && busy >= 3 && idle >= 3,
        `quarter-second CPU seconds: ${deltas.map((d) => d.toFixed(2)).join(' ')}`,
      );
    });
  });

  describe('the old layout (0.15)', { concurrency: true }, () => {
    const project = `dmold${run}`;
    let stack: StandInStack;

    before(async () => {
      stack = await startStack({
        layout: 'old',
        project,
        tag: TAG,
        workloads: { worker: { kind: 'leak', mibPerSecond: 16 } },
        memLimits: { worker: '48m' },
      });
    });

    it('has db and the old versions, and neither plugin_daemon, worker_beat nor init_permissions', async () => {
      const containers = await inspect(...stack.containers.map((c) => c.id));
      const images = Object.fromEntries(
        containers.map((c) => [c.Config.Labels['com.docker.compose.service'] ?? '', c.Config.Image]),
      );
      assert.deepEqual(images, {
        api: 'langgenius/dify-api:0.15.3',
        worker: 'langgenius/dify-api:0.15.3',
        web: 'langgenius/dify-web:0.15.3',
        db: 'postgres:15-alpine',
        redis: 'redis:6-alpine',
        sandbox: 'langgenius/dify-sandbox:0.2.10',
        ssrf_proxy: 'ubuntu/squid:latest',
        nginx: 'nginx:latest',
        weaviate: 'semitechnologies/weaviate:1.19.0',
      });
      for (const c of containers) {
        const service = c.Config.Labels['com.docker.compose.service'];
        assert.equal(c.Name, `/${project}-${service}-1`);
        assert.equal(c.Config.Labels['com.docker.compose.project.working_dir'], '/opt/dify/docker');
      }
      const worker = containers.find((c) => c.Name === `/${project}-worker-1`);
      assert.equal(worker && envOf(worker)['MODE'], 'worker');
      assert.equal(worker?.HostConfig.Memory, 48 * MiB);
    });

    it('OOM-kills a 16 MiB/s leak under a 48 MiB limit after about 3 s', async () => {
      const end = await waitForOom(stack.service('worker').name, 30_000);
      assert.equal(end.exitCode, 137);
      const seconds = (Date.parse(end.finishedAt) - Date.parse(end.startedAt)) / 1000;
      assert.ok(seconds >= 1.5 && seconds <= 15, `the leak lived ${seconds} s`);
      const [state] = await inspect(stack.service('worker').id);
      assert.deepEqual([state?.State.OOMKilled, state?.State.ExitCode], [true, 137]);
    });
  });

  it('starts a non-Dify container that discovery leaves as other', async () => {
    const other = await startOther(TAG);
    const [c] = await inspect(other.id);
    assert.ok(c);
    assert.equal(c.Config.Image, OTHER_IMAGE);
    assert.equal(c.State.Status, 'running');
    assert.deepEqual(Object.keys(c.Config.Labels), ['dify-monitor.test']);
    const meta = fromInspect(c);
    assert.ok(meta);
    assert.equal(discover([meta]).containers[0]?.role, 'other');
  });

  it('refuses a leak without a memory limit and a service the layout lacks', async () => {
    await assert.rejects(
      startStack({
        layout: 'old',
        tag: TAG,
        project: `dmbad${run}`,
        workloads: { plugin_daemon: { kind: 'spin' } },
      }),
      /old layout has no service plugin_daemon/,
    );
    await assert.rejects(
      startStack({
        layout: 'current',
        tag: TAG,
        project: `dmbad${run}`,
        workloads: { redis: { kind: 'leak', mibPerSecond: 1 } },
      }),
      /redis: a leak needs a memLimits entry/,
    );
  });

  it('removes by tag or by whole label, and only those', async () => {
    const tag = `${TAG}-rm`;
    const label = `dify-monitor.other-suite=${run}`;
    await startOther(tag);
    await startOther(tag);
    await startOther(label);
    assert.equal(labelFor(tag), `dify-monitor.test=${tag}`);
    assert.equal(await removeAll(tag), 2);
    assert.equal(await removeAll(tag), 0);
    assert.equal(await removeAll(label), 1);
  });

  it('fills a second engine through DOCKER_HOST and starts a stack there through its CLI', async () => {
    const engine = await startExtraDockerd(`stack-${run}`);
    try {
      await exec(TEST_IMAGES, [], { env: { ...process.env, DOCKER_HOST: engine.url } });
      const images = await engine.docker('images', '--format', '{{.Repository}}:{{.Tag}}');
      assert.ok(images.split('\n').includes('langgenius/dify-plugin-daemon:0.4.1-local'), images);
      const stack = await startStack({ layout: 'old', tag: TAG, docker: engine.docker });
      assert.equal(
        await engine.docker('inspect', '--format', '{{.State.Status}}', 'docker-api-1'),
        'running',
      );
      assert.equal(await removeAll(TAG, engine.docker), stack.containers.length);
    } finally {
      await engine.remove();
    }
  });
});
