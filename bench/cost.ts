/**
 * What watching a Dify stack costs, against `docker stats` on the same containers, in one run.
 * Cost = CPU of the watcher process + CPU the engine (dockerd, containerd, shims) spends above
 * its own idle level, all read from /proc. Prints ratios: single timings on a shared 2-core
 * machine mean little, ratios taken minutes apart in one run do.
 *
 *   node bench/cost.ts [--window 30] [--scale 100,200] [--skip-scale]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { createLineSplitter } from '../src/util/lines.ts';
import { removeAll, startStack } from '../test/stack/stack.ts';
import { cpuSeconds, enginePids, rssBytes, snapshot, spent } from './proc.ts';

const exec = promisify(execFile);
const LABEL = 'dify-monitor.bench=1';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const { values: args } = parseArgs({
  options: {
    window: { type: 'string', default: '30' },
    scale: { type: 'string', default: '100,200' },
    'skip-scale': { type: 'boolean', default: false },
  },
});
const windowMs = Number(args.window) * 1000;
const warmupMs = 3000;

interface Measured {
  readonly name: string;
  readonly processCpu: number;
  readonly engineCpu: number;
  readonly rss: number | null;
  readonly rounds: RoundLine[];
}

interface RoundLine {
  fresh: number;
  running: number;
}

async function idleEngineRate(ms: number): Promise<number> {
  const pids = enginePids();
  const before = snapshot(pids);
  await sleep(ms);
  return spent(before, snapshot(enginePids())) / (ms / 1000);
}

async function measure(
  name: string,
  command: string,
  argv: string[],
  engineIdleRate: number,
): Promise<Measured> {
  const rounds: RoundLine[] = [];
  const child: ChildProcess = spawn(command, argv, { stdio: ['ignore', 'pipe', 'ignore'] });
  child.stdout?.on(
    'data',
    createLineSplitter(1 << 20, (line) => {
      if (line.startsWith('{"type":"round"')) rounds.push(JSON.parse(line) as RoundLine);
    }),
  );
  await sleep(warmupMs);
  const pid = child.pid ?? 0;
  const ownBefore = cpuSeconds(pid) ?? 0;
  const engineBefore = snapshot(enginePids());
  rounds.length = 0;
  await sleep(windowMs);
  const ownAfter = cpuSeconds(pid) ?? 0;
  const engineAfter = snapshot(enginePids());
  const rss = rssBytes(pid);
  const counted = [...rounds];
  // `docker stats` ignores SIGTERM; SIGINT is what Ctrl-C sends it.
  const closed = new Promise((r) => child.once('close', r));
  child.kill('SIGINT');
  const forced = setTimeout(() => child.kill('SIGKILL'), 3000);
  await closed;
  clearTimeout(forced);
  const engineExtra = spent(engineBefore, engineAfter) - engineIdleRate * (windowMs / 1000);
  return { name, processCpu: ownAfter - ownBefore, engineCpu: engineExtra, rss, rounds: counted };
}

/** The shipped CLI, run as its shebang runs it; `npm run bench` builds it first. */
const SHIPPED_CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function ours(source: 'cgroup' | 'api', interval: string, all = false): string[] {
  return [
    '--max-semi-space-size=1',
    SHIPPED_CLI,
    'watch',
    '--json',
    '--source',
    source,
    '--interval',
    interval,
    ...(all ? ['--all'] : []),
  ];
}

function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}

function report(rows: Measured[], baseline: Measured): void {
  const total = (m: Measured): number => m.processCpu + Math.max(0, m.engineCpu);
  console.log(
    [
      'case',
      'own CPU s',
      'engine CPU s (above idle)',
      'attributable s',
      'ratio to docker stats',
      'RSS MiB',
    ].join(' | '),
  );
  for (const m of rows) {
    console.log(
      [
        m.name,
        fmt(m.processCpu),
        fmt(m.engineCpu),
        fmt(total(m)),
        `${fmt(total(m) / total(baseline))}x`,
        m.rss === null ? '?' : fmt(m.rss / 2 ** 20, 1),
      ].join(' | '),
    );
  }
}

function freshness(m: Measured): string {
  if (m.rounds.length === 0) return 'no rounds seen';
  const complete = m.rounds.filter((r) => r.fresh >= r.running).length;
  const worst = Math.min(...m.rounds.map((r) => (r.running === 0 ? 1 : r.fresh / r.running)));
  return `${complete}/${m.rounds.length} rounds had a fresh sample for every running container (worst round ${fmt(worst * 100, 0)} %)`;
}

async function main(): Promise<void> {
  await removeAll(LABEL);
  console.log(`# Dify Monitor cost benchmark, ${windowMs / 1000} s windows, ${new Date().toISOString()}`);
  const stack = await startStack({ layout: 'current', project: 'dm-bench', label: LABEL });
  const names = stack.containers.filter((c) => c.service !== 'init_permissions').map((c) => c.name);
  await sleep(5000);
  const idle = await idleEngineRate(windowMs);
  console.log(`engine idle: ${fmt(idle * 100)} % of one core with ${names.length} running containers\n`);

  const dockerStats = await measure(
    'docker stats (streaming, 1 s)',
    'docker',
    ['stats', '--format', '{{json .}}', ...names],
    idle,
  );
  const rows = [
    dockerStats,
    await measure('dify-monitor default (cgroup), fast 1 s', process.execPath, ours('cgroup', '1s'), idle),
    await measure('dify-monitor default (cgroup), tray 5 s', process.execPath, ours('cgroup', '5s'), idle),
    await measure('dify-monitor API-only, fast 1 s', process.execPath, ours('api', '1s'), idle),
    await measure('dify-monitor API-only, tray 5 s', process.execPath, ours('api', '5s'), idle),
  ];
  report(rows, dockerStats);
  for (const m of rows.slice(1)) console.log(`  ${m.name}: ${freshness(m)}`);

  if (!args['skip-scale']) {
    for (const count of args.scale.split(',').map(Number)) {
      console.log(`\n## ${count} more containers`);
      await exec('sh', [
        '-c',
        `for i in $(seq 1 ${count}); do docker run -d --network none --label ${LABEL} --label dify-monitor.bench.scale=1 dify-monitor/testbox:latest sleep 86400 >/dev/null; done`,
      ]);
      const all = (await exec('docker', ['ps', '-q', '--filter', `label=${LABEL}`])).stdout
        .trim()
        .split('\n');
      await sleep(5000);
      const scaleIdle = await idleEngineRate(windowMs / 2);
      const baseline = await measure(
        `docker stats, ${all.length} containers`,
        'docker',
        ['stats', '--format', '{{json .}}', ...all],
        scaleIdle,
      );
      const fast = await measure(
        `dify-monitor default 1 s, ${all.length} containers`,
        process.execPath,
        ours('cgroup', '1s', true),
        scaleIdle,
      );
      const api = await measure(
        `dify-monitor API-only 1 s, ${all.length} containers`,
        process.execPath,
        ours('api', '1s', true),
        scaleIdle,
      );
      report([baseline, fast, api], baseline);
      console.log(`  ${fast.name}: ${freshness(fast)}`);
      console.log(`  ${api.name}: ${freshness(api)}`);
      await exec('sh', [
        '-c',
        `docker rm -f $(docker ps -aq --filter label=dify-monitor.bench.scale=1) >/dev/null`,
      ]);
    }
  }
  await removeAll(LABEL);
}

await main();
