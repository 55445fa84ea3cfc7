/**
 * What following the logs and reading the processes of the stand-in stack cost, each on its own,
 * at the fast 1 s and the tray 5 s rate, against `docker stats` on the same containers, in one run.
 * Each case is a child process doing only that work with the core's own modules (LogWatch,
 * the /proc reader with its history, the engine's top endpoint as the API path asks it); cost is
 * its CPU plus what the engine spends above its idle rate, from /proc, as bench/cost.ts counts it.
 * The stand-ins log one line a second each: a quiet stack.
 *
 *   node bench/logs-processes.ts [--window 30]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createProcReader } from '../src/collect/proc-reader.ts';
import { ProcessHistory } from '../src/collect/process-history.ts';
import { createTopReader } from '../src/collect/top-reader.ts';
import { createEngineClient } from '../src/docker/client.ts';
import { fromInspect } from '../src/docker/inspect.ts';
import { dockerodeOptions } from '../src/docker/dockerode-options.ts';
import { parseHostUrl } from '../src/docker/endpoint.ts';
import { discover } from '../src/dify/discovery.ts';
import { LogWatch } from '../src/logs/log-watch.ts';
import type { ContainerMeta } from '../src/model.ts';
import { removeAll, startStack } from '../test/stack/stack.ts';
import { cpuSeconds, enginePids, rssBytes, snapshot, spent } from './proc.ts';

const LABEL = 'dify-monitor.bench=logs-processes';
const SELF = fileURLToPath(import.meta.url);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const { values: args } = parseArgs({
  options: {
    window: { type: 'string', default: '30' },
    child: { type: 'string' },
    interval: { type: 'string', default: '1000' },
  },
});
const windowMs = Number(args.window) * 1000;

type Work = 'logs' | 'proc' | 'top';

/** The stand-in stack's running containers, as the collector would know them. */
async function containers(): Promise<ContainerMeta[]> {
  const parsed = parseHostUrl('unix:///var/run/docker.sock', null);
  if (!parsed.ok) throw new Error(parsed.error);
  const client = createEngineClient(
    dockerodeOptions(parsed.endpoint, () => Buffer.alloc(0), process.env, {}),
  );
  const ids = await client.listContainerIds(AbortSignal.timeout(5000));
  const inspected = await Promise.all(
    ids.map(async (id) => fromInspect(await client.inspect(id, AbortSignal.timeout(5000)))),
  );
  client.close();
  return discover(inspected.filter((c) => c !== null)).containers.filter(
    (c) => c.labels['dify-monitor.bench'] === 'logs-processes' && c.state === 'running',
  );
}

/** A child doing one kind of work on every running stand-in, every `intervalMs`, until killed. */
async function child(work: Work, intervalMs: number): Promise<void> {
  const parsed = parseHostUrl('unix:///var/run/docker.sock', null);
  if (!parsed.ok) throw new Error(parsed.error);
  const client = createEngineClient(
    dockerodeOptions(parsed.endpoint, () => Buffer.alloc(0), process.env, {}),
  );
  const metas = await containers();
  let matches = 0;
  const logs = new LogWatch({ client, host: 'local', now: Date.now, emit: () => matches++ });
  const reader = work === 'top' ? createTopReader({ client, requestTimeoutMs: 5000 }) : createProcReader();
  const history = new ProcessHistory();
  process.on('SIGINT', () => {
    logs.close();
    client.close();
    process.exit(0);
  });
  for (;;) {
    if (work === 'logs') logs.follow(metas);
    else for (const [id, processes] of await reader.read(metas)) history.update(id, processes, Date.now());
    await sleep(intervalMs);
  }
}

interface Measured {
  readonly name: string;
  readonly own: number;
  readonly engine: number;
  readonly rss: number | null;
}

async function idleEngineRate(ms: number): Promise<number> {
  const before = snapshot(enginePids());
  await sleep(ms);
  return spent(before, snapshot(enginePids())) / (ms / 1000);
}

async function measure(name: string, command: string, argv: string[], idle: number): Promise<Measured> {
  const run = spawn(command, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  await sleep(3000);
  const pid = run.pid ?? 0;
  const ownBefore = cpuSeconds(pid) ?? 0;
  const engineBefore = snapshot(enginePids());
  await sleep(windowMs);
  const own = (cpuSeconds(pid) ?? 0) - ownBefore;
  const engine = spent(engineBefore, snapshot(enginePids())) - idle * (windowMs / 1000);
  const rss = rssBytes(pid);
  const closed = new Promise((r) => run.once('close', r));
  run.kill('SIGINT');
  const forced = setTimeout(() => run.kill('SIGKILL'), 3000);
  await closed;
  clearTimeout(forced);
  return { name, own, engine, rss };
}

const cost = (m: Measured): number => m.own + Math.max(0, m.engine);

async function main(): Promise<void> {
  await removeAll(LABEL);
  console.log(
    `# Log following and process reading, ${windowMs / 1000} s windows, ${new Date().toISOString()}`,
  );
  const quiet = { kind: 'script', script: 'while true; do echo "INFO still here"; sleep 1; done' } as const;
  const services = [
    'api',
    'worker',
    'worker_beat',
    'web',
    'db_postgres',
    'redis',
    'sandbox',
    'plugin_daemon',
    'ssrf_proxy',
    'nginx',
    'weaviate',
  ];
  const stack = await startStack({
    layout: 'current',
    project: 'dm-bench-lp',
    label: LABEL,
    workloads: Object.fromEntries(services.map((s) => [s, quiet])),
  });
  const names = stack.containers.filter((c) => c.service !== 'init_permissions').map((c) => c.name);
  await sleep(5000);
  const idle = await idleEngineRate(windowMs);
  console.log(
    `engine idle: ${(idle * 100).toFixed(2)} % of one core with ${names.length} running containers\n`,
  );
  const node = (work: Work, intervalMs: number): string[] => [
    SELF,
    '--child',
    work,
    '--interval',
    String(intervalMs),
  ];
  const stats = await measure(
    'docker stats (streaming, 1 s)',
    'docker',
    ['stats', '--format', '{{json .}}', ...names],
    idle,
  );
  const rows = [stats];
  for (const [label, ms] of [
    ['fast 1 s', 1000],
    ['tray 5 s', 5000],
  ] as const) {
    rows.push(await measure(`processes from /proc, ${label}`, process.execPath, node('proc', ms), idle));
    rows.push(
      await measure(
        `processes via top (the API path's worst case), ${label}`,
        process.execPath,
        node('top', ms),
        idle,
      ),
    );
  }
  rows.push(
    await measure('log following (interval-independent)', process.execPath, node('logs', 1000), idle),
  );
  console.log('case | own CPU s | engine CPU s above idle | ratio to docker stats | RSS MiB');
  for (const m of rows) {
    const rss = m.rss === null ? '?' : (m.rss / 2 ** 20).toFixed(0);
    console.log(
      `${m.name} | ${m.own.toFixed(2)} | ${m.engine.toFixed(2)} | ${(cost(m) / cost(stats)).toFixed(3)}x | ${rss}`,
    );
  }
  await removeAll(LABEL);
}

if (args.child === undefined) await main();
else await child(args.child as Work, Number(args.interval));
