import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { ContainerMeta } from '../../../src/model.ts';
import { cgroupUnavailableReason, createCgroupSource } from '../../../src/collect/cgroup-source.ts';
import type { SourceResult, StatsSource } from '../../../src/collect/source.ts';
import { fromInspect } from '../../../src/docker/inspect.ts';
import { parseEndpointForTest } from '../../helpers/endpoint.ts';
import { systemClock, type Clock } from '../../../src/util/clock.ts';
import { computeUsage } from '../../../src/stats/usage.ts';

const exec = promisify(execFile);
const LABEL = 'dify-monitor.test=cgroup-source';
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** A fallback that records what it was asked; it stands for the API source, which has its own tests. */
function recordingFallback(): StatsSource & {
  asked: string[][];
  intervals: number[];
  forgotten: string[];
  closed: boolean;
} {
  const fallback = {
    kind: 'api' as const,
    asked: [] as string[][],
    intervals: [] as number[],
    forgotten: [] as string[],
    closed: false,
    async read(containers: readonly ContainerMeta[]) {
      fallback.asked.push(containers.map((c) => c.id));
      return new Map<string, SourceResult>(
        containers.map((c) => [c.id, { ok: false, error: 'asked the fallback' }]),
      );
    },
    setInterval(ms: number) {
      fallback.intervals.push(ms);
    },
    forget(id: string) {
      fallback.forgotten.push(id);
    },
    close() {
      fallback.closed = true;
    },
  };
  return fallback;
}

function meta(id: string, pid: number): ContainerMeta {
  return {
    id,
    name: id.slice(0, 12),
    image: 'dify-monitor/testbox:latest',
    state: 'running',
    health: 'none',
    restartCount: 0,
    oomKilled: false,
    exitCode: null,
    startedAt: null,
    pid,
    memLimitBytes: 0,
    cpuLimit: null,
    labels: {},
    env: {},
    stack: null,
    service: null,
    containerNumber: null,
    role: 'other',
  };
}

function reading(results: Map<string, SourceResult>, id: string) {
  const result = results.get(id);
  assert.ok(result?.ok, `a reading for ${id}: ${JSON.stringify(result)}`);
  assert.equal(result.previous, null);
  return result.reading;
}

const fixedClock: Clock = { now: () => 1_700_000_000_000, setTimeout: () => null, clearTimeout: () => {} };

/**
 * A made-up /proc and cgroup v2 tree with the systemd driver's layout (the engine here is v1, so
 * only a tree on disk can show the v2 path through real file reads).
 */
function v2Host() {
  const root = mkdtempSync(join(tmpdir(), 'dm-cgroup-'));
  const proc = join(root, 'proc');
  const cgroup = join(root, 'sys/fs/cgroup');
  const write = (path: string, text: string): void => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  };
  write(join(proc, 'self/mountinfo'), `29 23 0:26 / ${cgroup} rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n`);
  write(join(proc, 'stat'), 'cpu  1000 0 500 8000 100 0 50 7 0 0\ncpu0 500 0 250 4000 50 0 25 3 0 0\n');
  const scope = (id: string): string => join(cgroup, `system.slice/docker-${id}.scope`);
  const addContainer = (id: string, pid: number, net = 'eth0'): void => {
    write(join(proc, `${pid}/cgroup`), `0::/system.slice/docker-${id}.scope\n`);
    write(
      join(proc, `${pid}/net/dev`),
      'Inter-| Receive | Transmit\n face |bytes packets|bytes packets\n' +
        `    lo: 100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0\n  ${net}: 5000 9 0 0 0 0 0 0 700 4 0 0 0 0 0 0\n`,
    );
    write(join(scope(id), 'memory.current'), `${300 * MIB}\n`);
    write(join(scope(id), 'memory.stat'), `anon ${250 * MIB}\nfile ${50 * MIB}\ninactive_file ${40 * MIB}\n`);
    write(join(scope(id), 'memory.max'), 'max\n');
    write(join(scope(id), 'cpu.stat'), 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n');
    write(join(scope(id), 'pids.current'), '7\n');
    write(join(scope(id), 'io.stat'), '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n');
  };
  /** How many of this process's descriptors point into the tree: each one is a file kept open. */
  const openFds = (): number =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(root);
      } catch {
        return false;
      }
    }).length;
  return { root, proc, write, scope, addContainer, openFds, remove: () => rmSync(root, { recursive: true }) };
}

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('cgroup source on a cgroup v2 tree (systemd driver)', () => {
  it('reads each counter as the engine reports it', async () => {
    const host = v2Host();
    host.addContainer(A, 4242);
    const fallback = recordingFallback();
    const source = createCgroupSource({
      clock: fixedClock,
      memTotalBytes: 8 * GIB,
      fallback,
      procRoot: host.proc,
    });
    try {
      assert.equal(source.kind, 'cgroup');
      const r = reading(await source.read([meta(A, 4242)]), A);
      assert.deepEqual(r, {
        ts: 1_700_000_000_000,
        platform: 'linux',
        cpuTotal: 2_500_000_000,
        systemCpu: (1000 + 500 + 8000 + 100 + 50) * 1e7,
        onlineCpus: cpus().length,
        memUsageBytes: 260 * MIB,
        memLimitBytes: 8 * GIB,
        pids: 7,
        netRxBytes: 5000,
        netTxBytes: 700,
        blockReadBytes: 4096,
        blockWriteBytes: 8192,
      });
      assert.deepEqual(fallback.asked, []);
    } finally {
      source.close();
      host.remove();
    }
  });

  it('re-reads the files it keeps open, and a set limit below the host memory is the limit', async () => {
    const host = v2Host();
    host.addContainer(A, 4242);
    const source = createCgroupSource({
      clock: fixedClock,
      memTotalBytes: 8 * GIB,
      fallback: recordingFallback(),
      procRoot: host.proc,
    });
    try {
      await source.read([meta(A, 4242)]);
      const fds = host.openFds();
      host.write(join(host.scope(A), 'memory.max'), `${512 * MIB}\n`);
      host.write(join(host.scope(A), 'cpu.stat'), 'usage_usec 3500000\n');
      host.write(join(host.proc, 'stat'), 'cpu  2000 0 500 8000 100 0 50 7 0 0\n');
      const r = reading(await source.read([meta(A, 4242)]), A);
      assert.equal(r.memLimitBytes, 512 * MIB);
      assert.equal(r.cpuTotal, 3_500_000_000);
      assert.equal(r.systemCpu, (2000 + 500 + 8000 + 100 + 50) * 1e7);
      assert.equal(host.openFds(), fds, 'no file opened again');
    } finally {
      source.close();
      host.remove();
    }
  });

  it('garbled optional files give null, garbled CPU or memory sends the container to the fallback', async () => {
    const host = v2Host();
    host.addContainer(A, 4242);
    host.addContainer(B, 4343);
    host.write(join(host.scope(A), 'pids.current'), 'garbage\n');
    host.write(join(host.scope(A), 'memory.stat'), 'inactive_file 12x\n');
    host.write(join(host.scope(A), 'io.stat'), '');
    host.write(
      join(host.proc, '4242/net/dev'),
      'Inter-|\n face |\n    lo: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n',
    );
    host.write(join(host.scope(B), 'cpu.stat'), 'usage_usec \n');
    const fallback = recordingFallback();
    const source = createCgroupSource({
      clock: fixedClock,
      memTotalBytes: 8 * GIB,
      fallback,
      procRoot: host.proc,
    });
    try {
      const results = await source.read([meta(A, 4242), meta(B, 4343)]);
      const r = reading(results, A);
      assert.equal(r.pids, null);
      assert.equal(r.memUsageBytes, 300 * MIB, 'no inactive_file to subtract');
      assert.equal(r.netRxBytes, null, 'loopback only: no networks');
      assert.equal(r.netTxBytes, null);
      assert.equal(r.blockReadBytes, 0, 'no I/O yet');
      for (const value of Object.values(r)) assert.ok(!Number.isNaN(value));
      assert.deepEqual(fallback.asked, [[B]]);
      assert.equal(results.get(B)?.ok, false);
    } finally {
      source.close();
      host.remove();
    }
  });

  it('a container whose files cannot be opened is asked of the fallback, and not retried for the same pid', async () => {
    const host = v2Host();
    host.addContainer(A, 4242);
    const fallback = recordingFallback();
    const source = createCgroupSource({
      clock: fixedClock,
      memTotalBytes: 8 * GIB,
      fallback,
      procRoot: host.proc,
    });
    try {
      const containers = [meta(A, 4242), meta(B, 0), { ...meta('c'.repeat(64), 9999) }];
      await source.read(containers);
      assert.deepEqual(fallback.asked, [[B, 'c'.repeat(64)]]);
      host.addContainer('c'.repeat(64), 9999);
      await source.read(containers);
      assert.deepEqual(fallback.asked[1], [B, 'c'.repeat(64)], 'same pid: still the fallback');
      assert.ok((await source.read([meta('c'.repeat(64), 10000)])).get('c'.repeat(64)));
      assert.deepEqual(
        await source.read([{ ...meta(A, 4242), state: 'exited' }]),
        new Map(),
        'only running containers',
      );
    } finally {
      source.close();
      host.remove();
    }
  });

  it('a new pid (restart) reopens the files; forget and close release every descriptor', async () => {
    const host = v2Host();
    host.addContainer(A, 4242);
    host.addContainer(B, 4343);
    const fallback = recordingFallback();
    const source = createCgroupSource({
      clock: fixedClock,
      memTotalBytes: 8 * GIB,
      fallback,
      procRoot: host.proc,
    });
    try {
      await source.read([meta(A, 4242), meta(B, 4343)]);
      const both = host.openFds();
      // The restarted process sits in a fresh cgroup: the old one's files hold old numbers.
      const fresh = join(host.root, 'sys/fs/cgroup/system.slice/restarted.scope');
      host.write(join(host.proc, '5252/cgroup'), '0::/system.slice/restarted.scope\n');
      host.write(join(fresh, 'memory.current'), `${10 * MIB}\n`);
      host.write(join(fresh, 'memory.stat'), 'inactive_file 0\n');
      host.write(join(fresh, 'memory.max'), 'max\n');
      host.write(join(fresh, 'cpu.stat'), 'usage_usec 1\n');
      const r = reading(await source.read([meta(A, 5252), meta(B, 4343)]), A);
      assert.equal(r.memUsageBytes, 10 * MIB);
      assert.equal(r.cpuTotal, 1000);
      assert.equal(r.pids, null, 'the new cgroup has no pids file');
      assert.equal(host.openFds(), both - 3, 'old files closed; no pids.current, io.stat, net/dev now');

      source.forget(B);
      assert.deepEqual(fallback.forgotten, [B]);
      assert.ok(host.openFds() < both - 3 && host.openFds() > 0);
      source.setInterval(30_000);
      assert.deepEqual(fallback.intervals, [30_000]);
      source.close();
      assert.equal(host.openFds(), 0);
      assert.equal(fallback.closed, true);
    } finally {
      source.close();
      host.remove();
    }
  });

  it('a failing fallback turns into errors for its containers only', async () => {
    const host = v2Host();
    host.addContainer(A, 4242);
    const fallback: StatsSource = {
      ...recordingFallback(),
      read: () => Promise.reject(new Error('engine gone')),
    };
    const source = createCgroupSource({
      clock: fixedClock,
      memTotalBytes: 8 * GIB,
      fallback,
      procRoot: host.proc,
    });
    try {
      const results = await source.read([meta(A, 4242), meta(B, 77)]);
      assert.equal(results.get(A)?.ok, true);
      assert.deepEqual(results.get(B), { ok: false, error: 'engine gone' });
    } finally {
      source.close();
      host.remove();
    }
  });
});

async function docker(...args: string[]): Promise<string> {
  return (await exec('docker', args)).stdout.trim();
}

const removeTestContainers = (): Promise<unknown> =>
  exec('sh', ['-c', `docker rm -f $(docker ps -aq --filter label=${LABEL}) 2>/dev/null; true`]);

async function inspected(name: string): Promise<ContainerMeta> {
  const container = fromInspect(JSON.parse(await docker('inspect', name))[0]);
  assert.ok(container, name);
  return { ...container, stack: null, service: null, containerNumber: null, role: 'other' };
}

interface EngineStats {
  readonly cpu_stats: {
    readonly cpu_usage: { readonly total_usage: number };
    readonly system_cpu_usage: number;
    readonly online_cpus: number;
  };
  readonly memory_stats: {
    readonly usage: number;
    readonly limit: number;
    readonly stats: { readonly total_inactive_file: number };
  };
  readonly pids_stats: { readonly current: number };
  readonly blkio_stats: {
    readonly io_service_bytes_recursive: readonly { op: string; value: number }[] | null;
  };
  readonly networks?: unknown;
}

/** The engine's own numbers for the same container, the way `docker stats` gets them. */
async function engineStats(id: string): Promise<EngineStats> {
  const { stdout } = await exec('curl', [
    '-sf',
    '--unix-socket',
    '/var/run/docker.sock',
    `http://localhost/containers/${id}/stats?stream=false&one-shot=true`,
  ]);
  return JSON.parse(stdout) as EngineStats;
}

function engineBlock(stats: EngineStats, op: string): number {
  return (stats.blkio_stats.io_service_bytes_recursive ?? [])
    .filter((e) => e.op.toLowerCase() === op)
    .reduce((sum, e) => sum + e.value, 0);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('cgroup source on the real engine (cgroup v1, cgroupfs)', () => {
  const spin = `dm-cg-spin-${process.pid}`;
  const idle = `dm-cg-idle-${process.pid}`;
  const hold = `dm-cg-hold-${process.pid}`;
  let memTotal = 0;

  before(async () => {
    await removeTestContainers();
    memTotal = Number(await docker('info', '--format', '{{.MemTotal}}'));
    const run = (name: string, ...args: string[]) =>
      docker('run', '-d', '--name', name, '--network', 'none', '--label', LABEL, ...args);
    // Other test runs load this 2-CPU machine, so a spinner gets what is left: a quota caps it at half a core.
    await run(
      spin,
      '--memory',
      '64m',
      '--cpus',
      '0.5',
      'dify-monitor/testbox:latest',
      'sh',
      '-c',
      'yes > /dev/null',
    );
    await run(idle, 'dify-monitor/testbox:latest', 'sleep', '3600');
    await run(
      hold,
      'dify-monitor/testbox:latest',
      'awk',
      'BEGIN { s = sprintf("%20971520s", ""); system("sleep 3600") }',
    );
    await sleep(1500);
  });

  after(removeTestContainers);

  it('reads what the engine reports: memory, limit, pids, block I/O, network, CPU counters', async () => {
    const metas = await Promise.all([spin, idle, hold].map(inspected));
    const spinId = metas[0]?.id ?? '';
    const source = createCgroupSource({
      clock: systemClock,
      memTotalBytes: memTotal,
      fallback: recordingFallback(),
    });
    try {
      const first = await source.read(metas);
      const engineFirst = await engineStats(spinId);
      await sleep(3000);
      const second = await source.read(metas);
      const readAt = Date.now();
      const engineSecond = await engineStats(spinId);

      const ours = computeUsage(reading(first, spinId), reading(second, spinId), null).cpuPercent;
      const cpu = (s: EngineStats) => s.cpu_stats.cpu_usage.total_usage;
      const sys = (s: EngineStats) => s.cpu_stats.system_cpu_usage;
      const engine =
        ((cpu(engineSecond) - cpu(engineFirst)) / (sys(engineSecond) - sys(engineFirst))) *
        engineSecond.cpu_stats.online_cpus *
        100;
      // The formula divides by host CPU time without steal, so a VM's figure may pass 50 %; wall time may not.
      const a = reading(first, spinId);
      const b = reading(second, spinId);
      const cores = (b.cpuTotal - a.cpuTotal) / ((b.ts - a.ts) * 1e6);
      assert.ok(cores > 0.1 && cores <= 0.55, `a spinner held to half a core: ${cores} cores`);
      assert.ok(ours !== null && ours > 10, `spinning: ${ours} %`);
      assert.ok(Math.abs(ours - engine) <= 8, `ours ${ours} % against docker stats ${engine} %`);
      for (const m of metas.slice(1)) {
        const still = computeUsage(reading(first, m.id), reading(second, m.id), null).cpuPercent;
        assert.ok(still !== null && still < 5, `${m.name} sleeps: ${still} %`);
      }

      for (const m of metas) {
        const r = reading(second, m.id);
        const e = m.id === spinId ? engineSecond : await engineStats(m.id);
        const slackNs = (Date.now() - readAt + 50) * 1e6 * r.onlineCpus;
        const usage = e.memory_stats.usage - e.memory_stats.stats.total_inactive_file;
        assert.ok(
          Math.abs((r.memUsageBytes ?? -1) - usage) <= Math.max(MIB, usage * 0.02),
          `${m.name} memory ${r.memUsageBytes} against ${usage}`,
        );
        assert.equal(r.memLimitBytes, e.memory_stats.limit, `${m.name} limit`);
        assert.equal(r.pids, e.pids_stats.current, `${m.name} pids`);
        assert.equal(r.blockReadBytes, engineBlock(e, 'read'), `${m.name} block read`);
        assert.equal(r.blockWriteBytes, engineBlock(e, 'write'), `${m.name} block write`);
        assert.equal(r.netRxBytes, null, `${m.name}: --network none`);
        assert.equal(r.netTxBytes, null);
        assert.equal(e.networks, undefined, 'nor does the engine report networks');
        assert.equal(r.onlineCpus, e.cpu_stats.online_cpus);
        const cpuLag = cpu(e) - r.cpuTotal;
        assert.ok(cpuLag >= 0 && cpuLag <= slackNs, `${m.name} cpuTotal ${r.cpuTotal} against ${cpu(e)}`);
        const sysLag = sys(e) - (r.systemCpu ?? 0);
        assert.ok(sysLag >= 0 && sysLag <= slackNs, `systemCpu ${r.systemCpu} against ${sys(e)}`);
      }
      assert.equal(reading(second, spinId).memLimitBytes, 64 * MIB);
      assert.equal(reading(second, metas[1]?.id ?? '').memLimitBytes, memTotal, 'no limit: host memory');
      assert.ok((reading(second, metas[2]?.id ?? '').memUsageBytes ?? 0) >= 20 * MIB, 'awk holds 20 MiB');
    } finally {
      source.close();
    }
  });

  it('asks the fallback for a container it cannot read, and after a restart reopens', async () => {
    const fallback = recordingFallback();
    const source = createCgroupSource({ clock: systemClock, memTotalBytes: memTotal, fallback });
    try {
      const before = await inspected(idle);
      const ghost: ContainerMeta = { ...before, id: 'f'.repeat(64), name: 'ghost', pid: 999_999_999 };
      const results = await source.read([before, ghost]);
      assert.equal(results.get(before.id)?.ok, true);
      assert.deepEqual(results.get(ghost.id), { ok: false, error: 'asked the fallback' });
      assert.deepEqual(fallback.asked, [[ghost.id]]);

      await docker('restart', '-t', '0', idle);
      const restarted = await inspected(idle);
      assert.notEqual(restarted.pid, before.pid);
      assert.equal((await source.read([restarted])).get(restarted.id)?.ok, true);
      assert.equal(fallback.asked.length, 1, 'the new pid was read from its files');

      const stale = await source.read([before]);
      assert.equal(stale.get(before.id)?.ok, false, 'the old pid is gone: the fallback answers');
    } finally {
      source.close();
    }
    assert.equal(fallback.closed, true);
  });

  it('is usable only for a local Linux engine whose container processes this process can see', async () => {
    const running = await inspected(idle);
    const engine = {
      version: '20.10',
      apiVersion: '1.41',
      os: 'linux',
      operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
      memTotalBytes: memTotal,
      cpus: 2,
      name: 'host',
      cgroupVersion: '1',
    };
    const local = parseEndpointForTest('unix:///var/run/docker.sock');
    assert.equal(cgroupUnavailableReason(local, engine, [running]), null);
    assert.equal(cgroupUnavailableReason(local, engine, []), null, 'nothing running yet');
    assert.equal(
      cgroupUnavailableReason(local, engine, [{ ...running, state: 'exited', pid: 0 }]),
      null,
      'nothing running to check',
    );
    const remote = parseEndpointForTest('tcp://10.0.0.5:2375');
    assert.match(cgroupUnavailableReason(remote, engine, [running]) ?? '', /remote/);
    assert.match(cgroupUnavailableReason(local, { ...engine, os: 'windows' }, [running]) ?? '', /windows/);
    // pid 1 here is not the container's process: another pid namespace. A pid that does not exist: a VM.
    for (const pid of [1, 999_999_999]) {
      assert.match(
        cgroupUnavailableReason(local, engine, [{ ...running, pid }]) ?? '',
        /VM or another pid namespace/,
        String(pid),
      );
    }
  });
});
