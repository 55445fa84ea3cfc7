/**
 * Soak with churn (issue 8). The stand-in Dify stack, plus `--churn` busybox containers created
 * and destroyed in a steady loop (each lives 5–60 s), and the `api` container recreated every
 * minute as `docker compose up` does on a config change. The monitor runs in a child process at
 * a 250 ms interval for `--minutes`; every 10 s this reads the child's RSS, heap after GC, open
 * fds and sockets, and its history's size against the bound. At the end it prints the slopes over
 * the second half (the first is warm-up), fds and sockets before the churn and after the churn
 * containers are gone, and per long-lived container the rounds it was in against the rounds that
 * brought it a fresh sample.
 *
 *   npm run soak -- [--minutes 30] [--churn 100]
 *
 * The child is this file with `--harness`: the collectors as `serve` makes them and
 * `createMonitorService` (history, alert engine, alert log), without the HTTP bridge, because the
 * history store must be reachable to measure it. It runs with the flags of the CLI's shebang.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import Docker from 'dockerode';
import { createCollectors } from '../src/collect/connect.ts';
import { IDLE_SOCKET_MS } from '../src/docker/client.ts';
import { historyFootprint, HistoryStore } from '../src/history/store.ts';
import type { Sample } from '../src/model.ts';
import { createMonitorService } from '../src/service/create-monitor.ts';
import { memorySettingsStore } from '../src/settings/store.ts';
import { systemClock } from '../src/util/clock.ts';
import { createLineSplitter } from '../src/util/lines.ts';
import { openHandles, type Handles } from '../test/helpers/fds.ts';
import { removeAll, startStack } from '../test/stack/stack.ts';
import { rssBytes } from './proc.ts';

const LABEL_KEY = 'dify-monitor.soak';
const LABEL = `${LABEL_KEY}=1`;
const CHURN_KEY = 'dify-monitor.soak.churn';
const PROJECT = 'dm-soak';
const CHURN_IMAGE = 'dify-monitor/testbox:latest';
const INTERVAL_MS = 250;
const SAMPLE_EVERY_MS = 10_000;
const RECREATE_EVERY_MS = 60_000;
/** Docker calls the churn makes at once: enough to keep up, few enough not to queue in dockerd. */
const CHURN_CALLS = 4;
const MiB = 2 ** 20;

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    churn: { type: 'string', default: '100' },
    harness: { type: 'boolean', default: false },
    'alert-log': { type: 'string' },
  },
});

/* ---------- the monitor under test (child) ---------- */

interface KeyStats {
  name: string;
  ids: Set<string>;
  /** Rounds this series was in. */
  seen: number;
  /** Rounds that brought it a sample newer than the last, with numbers. */
  fresh: number;
  lastTs: number | null;
  longestGapMs: number;
}

/** What the child answers to `sample` and `report`. */
interface HarnessReport {
  rss: number;
  heapUsed: number;
  /** What V8 holds from the OS for its heap, used or not: RSS minus this and `external` is native memory. */
  heapPhysical: number;
  external: number;
  historyBytes: number;
  historyBound: number;
  series: number;
  rounds: number;
  slowRounds: number;
  longestRoundMs: number;
  sinceMarkMs: number;
  alerts: number;
  /** Samples of containers whose destroy event had already arrived. */
  afterDestroy: number;
  /** Containers in the latest round: each running one holds its cgroup files open. */
  watched: number;
  stack?: Record<string, Omit<KeyStats, 'ids' | 'lastTs'> & { ids: number }>;
}

async function runHarness(alertLogPath: string): Promise<void> {
  const warn = (text: string): void => void process.stderr.write(`[harness] ${text}\n`);
  const made = await createCollectors(
    [],
    [],
    { intervalMs: INTERVAL_MS, includeOthers: true, source: 'auto', requestTimeoutMs: 5000 },
    warn,
  );
  if (!made.ok) throw new Error(made.error);
  const history = new HistoryStore();
  const service = createMonitorService({
    collectors: made.collectors,
    clock: systemClock,
    settings: memorySettingsStore(),
    alertLogPath,
    history,
    warn,
  });
  service.addViewer();

  let stats = new Map<string, KeyStats>();
  let rounds = 0;
  let slowRounds = 0;
  let longestRoundMs = 0;
  let alerts = 0;
  let markedAt = Date.now();
  let ready = false;
  /** Containers destroyed in the last minute, to catch a round that still reports them. */
  const destroyed = new Map<string, number>();
  let afterDestroy = 0;
  let watched = 0;
  service.on('monitor:alert', () => alerts++);
  service.on('monitor:event', (event) => {
    if (event.action === 'destroy') destroyed.set(event.id, Date.now());
  });
  service.on('monitor:round', (round) => {
    rounds++;
    watched = round.samples.length;
    for (const [id, at] of destroyed) if (Date.now() - at > 60_000) destroyed.delete(id);
    afterDestroy += round.samples.filter((sample) => destroyed.has(sample.id)).length;
    const byKey = new Map<string, Sample[]>();
    for (const sample of round.samples) {
      if (sample.stack !== PROJECT) continue;
      byKey.set(sample.key, [...(byKey.get(sample.key) ?? []), sample]);
    }
    // While compose replaces `api`, the old and the new container share one key for a moment.
    for (const [key, samples] of byKey) {
      // A one-shot that has exited (init_permissions) is expected to have no numbers.
      if (!samples.some((x) => x.state === 'running')) continue;
      const s = stats.get(key) ?? {
        name: '',
        ids: new Set(),
        seen: 0,
        fresh: 0,
        lastTs: null,
        longestGapMs: 0,
      };
      stats.set(key, s);
      s.seen++;
      const newest = samples
        .filter((x) => x.memUsageBytes !== null && (s.lastTs === null || x.ts > s.lastTs))
        .sort((a, b) => b.ts - a.ts)[0];
      if (newest === undefined) continue;
      s.fresh++;
      s.name = newest.name;
      s.ids.add(newest.id);
      if (s.lastTs !== null) s.longestGapMs = Math.max(s.longestGapMs, newest.ts - s.lastTs);
      s.lastTs = newest.ts;
    }
    if (!ready && byKey.size > 0) {
      ready = true;
      process.stdout.write('{"type":"ready"}\n');
    }
  });
  made.collectors[0]?.on({
    round(round) {
      longestRoundMs = Math.max(longestRoundMs, round.durationMs);
      if (round.durationMs > INTERVAL_MS) slowRounds++;
    },
  });

  const report = (withStack: boolean): HarnessReport => {
    (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    return {
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapPhysical: getHeapStatistics().total_physical_size,
      external: memory.external,
      historyBytes: history.memoryBytes(),
      historyBound: historyFootprint(history.maxSeries, history.rawCapacity),
      series: history.keys().length,
      rounds,
      slowRounds,
      longestRoundMs,
      sinceMarkMs: Date.now() - markedAt,
      alerts,
      afterDestroy,
      watched,
      ...(withStack
        ? {
            stack: Object.fromEntries(
              [...stats].map(([key, s]) => [
                key,
                { name: s.name, ids: s.ids.size, seen: s.seen, fresh: s.fresh, longestGapMs: s.longestGapMs },
              ]),
            ),
          }
        : {}),
    };
  };

  process.stdin.on(
    'data',
    createLineSplitter(1024, (command) => {
      if (command === 'mark') {
        stats = new Map();
        rounds = slowRounds = longestRoundMs = alerts = afterDestroy = 0;
        markedAt = Date.now();
        process.stdout.write('{}\n');
      } else {
        process.stdout.write(`${JSON.stringify(report(command === 'report'))}\n`);
      }
    }),
  );
  // The parent gone (even killed) closes our stdin: never outlive it.
  process.stdin.once('end', () => {
    void service.stop().then(() => process.exit(0));
  });
}

/* ---------- the load: churn and compose recreates (parent) ---------- */

interface ChurnCounts {
  started: number;
  removed: number;
  failed: number;
  alive: number;
  lastError: string | null;
}

/** At most `n` calls at once, the rest wait in order. */
function limiter(n: number): <T>(call: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (call) => {
    // A finished call hands its slot straight to the next waiter, so no newcomer slips in between.
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await call();
    } finally {
      const next = waiting.shift();
      if (next === undefined) running--;
      else next();
    }
  };
}

/**
 * `lanes` lanes, each creating a container, letting it live 5–60 s and removing it, over and over,
 * so that about `lanes` are alive at any time. A third exit by themselves first (a `die` with
 * exit 0 before the `destroy`); the rest are removed running (kill, die 137, destroy).
 */
async function churn(docker: Docker, lanes: number, signal: AbortSignal, counts: ChurnCounts): Promise<void> {
  const call = limiter(CHURN_CALLS);
  let seq = 0;
  const lane = async (): Promise<void> => {
    // Spread the first wave over the mean lifetime, not all at once.
    await delay(Math.random() * 30_000, undefined, { signal }).catch(() => undefined);
    while (!signal.aborted) {
      const lifeS = 5 + Math.random() * 55;
      const exits = Math.random() < 1 / 3;
      try {
        const container = await call(() =>
          docker.createContainer({
            name: `dm-churn-${process.pid}-${++seq}`,
            Image: CHURN_IMAGE,
            Cmd: ['sleep', exits ? String(Math.round(lifeS)) : '2147483647'],
            Labels: { [LABEL_KEY]: '1', [CHURN_KEY]: '1' },
            HostConfig: { NetworkMode: 'none' },
          }),
        );
        await call(() => container.start());
        counts.started++;
        counts.alive++;
        await delay(lifeS * 1000 + (exits ? 2000 : 0), undefined, { signal }).catch(() => undefined);
        if (signal.aborted) return;
        await call(() => container.remove({ force: true }));
        counts.alive--;
        counts.removed++;
      } catch (error) {
        counts.failed++;
        counts.lastError = (error as Error).message;
        await delay(1000, undefined, { signal }).catch(() => undefined);
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

/**
 * What Compose v2 does to a service whose config changed: create the replacement under a
 * temporary name, stop and remove the old container, give the new one the name, start it.
 */
async function recreate(docker: Docker, name: string): Promise<void> {
  const old = docker.getContainer(name);
  const info = await old.inspect();
  const created = await docker.createContainer({
    name: `${info.Id.slice(0, 12)}_${name}`,
    Image: info.Config.Image,
    Cmd: info.Config.Cmd,
    Env: info.Config.Env,
    Labels: { ...info.Config.Labels, 'com.docker.compose.config-hash': randomBytes(32).toString('hex') },
    HostConfig: { NetworkMode: 'none' },
  });
  // Dify's api stops within a second of SIGTERM; the stand-in's `sleep` ignores it.
  await old.stop({ t: 1 });
  await old.remove();
  await created.rename({ name });
  await created.start();
}

/* ---------- measuring (parent) ---------- */

/** Five readings a second apart, the median of each: one request in flight must not count. */
async function steadyHandles(pid: number): Promise<Handles & { range: string }> {
  const readings: Handles[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(openHandles(pid));
    await delay(1000);
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[2] ?? 0;
  const fds = readings.map((r) => r.fds);
  return {
    fds: median([...fds]),
    sockets: median(readings.map((r) => r.sockets)),
    range: `${Math.min(...fds)}–${Math.max(...fds)}`,
  };
}

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

interface Row extends HarnessReport, Handles {
  readonly t: number;
}

class Harness {
  readonly child: ChildProcess;
  private readonly waiting: ((line: string) => void)[] = [];
  readonly ready: Promise<void>;

  constructor(alertLog: string) {
    this.child = spawn(
      process.execPath,
      [
        '--max-semi-space-size=1',
        '--expose-gc',
        fileURLToPath(import.meta.url),
        '--harness',
        '--alert-log',
        alertLog,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let onReady: () => void = () => undefined;
    this.ready = new Promise((resolve) => (onReady = resolve));
    this.child.stdout?.on(
      'data',
      createLineSplitter(1 << 20, (line) => {
        if (line === '{"type":"ready"}') onReady();
        else this.waiting.shift()?.(line);
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  ask(command: 'mark'): Promise<unknown>;
  ask(command: 'sample' | 'report'): Promise<HarnessReport>;
  ask(command: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null) {
        reject(new Error('the monitor process has exited'));
        return;
      }
      this.waiting.push((line) => resolve(JSON.parse(line)));
      this.child.stdin?.write(`${command}\n`);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const closed = new Promise((resolve) => this.child.once('close', resolve));
    this.child.stdin?.end();
    const forced = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await closed;
    clearTimeout(forced);
  }
}

const mib = (bytes: number, digits = 1): string => (bytes / MiB).toFixed(digits);

function printRow(row: Row, churn: ChurnCounts): void {
  console.log(
    [
      `${(row.t / 60_000).toFixed(1).padStart(5)} min`,
      `RSS ${mib(row.rss)} MiB`,
      `heap ${mib(row.heapUsed)}/${mib(row.heapPhysical)} MiB`,
      `history ${mib(row.historyBytes)}/${mib(row.historyBound)} MiB (${row.series} series)`,
      `fds ${row.fds} (sockets ${row.sockets})`,
      `churn alive ${churn.alive}, started ${churn.started}`,
    ].join(' | '),
  );
}

function summary(
  rows: readonly Row[],
  start: Handles & { range: string; watched: number },
  end: Handles & { range: string },
  final: HarnessReport,
  churnCounts: ChurnCounts,
  recreates: { done: number; failed: number },
  minutes: number,
): void {
  const last = rows.at(-1)?.t ?? 0;
  const perHour = (pick: (r: Row) => number, fromShare = 0.5): string => {
    const s = slope(rows.filter((r) => r.t >= last * fromShare).map((r) => [r.t / 3_600_000, pick(r) / MiB]));
    return `${s >= 0 ? '+' : ''}${s.toFixed(1)} MiB/h`;
  };
  const native = (r: Row): number => r.rss - r.heapPhysical - r.external;
  const range = (pick: (r: Row) => number): string =>
    `${mib(Math.min(...rows.map(pick)))}–${mib(Math.max(...rows.map(pick)))} MiB`;
  const maxHistory = Math.max(...rows.map((r) => r.historyBytes));
  console.log(`\n## Result after ${minutes} min`);
  console.log(
    `RSS: ${range((r) => r.rss)}; slope over the second half ${perHour((r) => r.rss)}, ` +
      `over the last quarter ${perHour((r) => r.rss, 0.75)}`,
  );
  console.log(
    `V8 heap held from the OS: ${range((r) => r.heapPhysical)}; slope over the second half ${perHour((r) => r.heapPhysical)}`,
  );
  console.log(
    `native (RSS − V8 heap − external): ${range(native)}; slope over the second half ${perHour(native)}, ` +
      `over the last quarter ${perHour(native, 0.75)}`,
  );
  console.log(
    `JS heap after GC: ${range((r) => r.heapUsed)}; slope over the second half ${perHour((r) => r.heapUsed)}`,
  );
  console.log(`external (typed arrays): ${range((r) => r.external)}; slope ${perHour((r) => r.external)}`);
  console.log(
    `history: at most ${mib(maxHistory)} MiB of its ${mib(final.historyBound)} MiB bound ` +
      `(${maxHistory <= final.historyBound ? 'inside' : 'OVER'}); ${final.series} series at the end`,
  );
  console.log(
    `fds: ${start.fds} before the churn (range ${start.range}, ${start.watched} containers watched), ` +
      `${Math.max(...rows.map((r) => r.fds))} at most during it, ${end.fds} after (range ${end.range}, ` +
      `${final.watched} watched); sockets ${start.sockets} → ${end.sockets}`,
  );
  console.log(
    `churn: ${churnCounts.started} containers started, ${churnCounts.removed} removed, ` +
      `${churnCounts.failed} failed calls${churnCounts.lastError === null ? '' : ` (last: ${churnCounts.lastError})`}; ` +
      `api recreated ${recreates.done} times (${recreates.failed} failed)`,
  );
  const expected = Math.floor(final.sinceMarkMs / INTERVAL_MS);
  console.log(
    `rounds: ${final.rounds} in ${(final.sinceMarkMs / 1000).toFixed(0)} s (${expected} at a steady ${INTERVAL_MS} ms); ` +
      `${final.slowRounds} took longer than ${INTERVAL_MS} ms, the longest ${final.longestRoundMs} ms; ${final.alerts} alerts; ${final.afterDestroy} samples of containers already destroyed`,
  );
  console.log(
    '\nstand-in container | ids | rounds it was in | rounds with a fresh sample | lost | longest gap',
  );
  for (const s of Object.values(final.stack ?? {}).sort((a, b) => a.name.localeCompare(b.name))) {
    console.log(
      `${s.name} | ${s.ids} | ${s.seen} | ${s.fresh} | ${s.seen - s.fresh} | ${(s.longestGapMs / 1000).toFixed(2)} s`,
    );
  }
  const whole = Object.values(final.stack ?? {}).filter((s) => s.ids === 1);
  const lost = whole.reduce((a, s) => a + s.seen - s.fresh, 0);
  console.log(
    `lost samples, containers that lived the whole time (${whole.length}): ${lost} of ${whole.reduce((a, s) => a + s.seen, 0)}`,
  );
}

async function main(): Promise<void> {
  const minutes = Number(args.minutes);
  const lanes = Number(args.churn);
  if (!(minutes > 0) || !Number.isInteger(lanes) || lanes < 0) {
    console.error('--minutes must be a positive number and --churn a whole number');
    process.exitCode = 2;
    return;
  }
  const docker = new Docker();
  const tmp = mkdtempSync(join(tmpdir(), 'dm-soak-'));
  const stopChurn = new AbortController();
  let harness: Harness | null = null;
  let cleaned: Promise<void> | null = null;
  const cleanup = (): Promise<void> =>
    (cleaned ??= (async () => {
      stopChurn.abort();
      await harness?.stop();
      await removeAll(LABEL);
      rmSync(tmp, { recursive: true, force: true });
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: removing the soak containers`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    await removeAll(LABEL);
    console.log(
      `# Soak with churn: ${minutes} min at ${INTERVAL_MS} ms, ${lanes} churn containers, api recreated every minute, ${new Date().toISOString()}`,
    );
    await startStack({ layout: 'current', project: PROJECT, label: LABEL });
    harness = new Harness(join(tmp, 'alerts.json'));
    await harness.ready;
    await delay(15_000);
    // Other containers on a shared engine come and go too, and each running one holds files open.
    const start = { ...(await steadyHandles(harness.pid)), watched: (await harness.ask('sample')).watched };
    await harness.ask('mark');
    const began = Date.now();

    const churnCounts: ChurnCounts = { started: 0, removed: 0, failed: 0, alive: 0, lastError: null };
    const churning = churn(docker, lanes, stopChurn.signal, churnCounts);
    const recreates = { done: 0, failed: 0 };
    const recreating = (async () => {
      while (!stopChurn.signal.aborted) {
        await delay(RECREATE_EVERY_MS, undefined, { signal: stopChurn.signal }).catch(() => undefined);
        if (stopChurn.signal.aborted) return;
        await recreate(docker, `${PROJECT}-api-1`).then(
          () => recreates.done++,
          (error: unknown) => {
            recreates.failed++;
            console.error(`recreate failed: ${(error as Error).message}`);
          },
        );
      }
    })();

    const rows: Row[] = [];
    const until = began + minutes * 60_000;
    while (until - Date.now() >= 1000) {
      await delay(Math.min(SAMPLE_EVERY_MS, until - Date.now()));
      const report = await harness.ask('sample');
      // VmRSS as the kernel counts it, read right after the child's GC.
      const row = {
        ...report,
        rss: rssBytes(harness.pid) ?? report.rss,
        ...openHandles(harness.pid),
        t: Date.now() - began,
      };
      rows.push(row);
      printRow(row, churnCounts);
    }

    stopChurn.abort();
    await Promise.all([churning, recreating]);
    const gone = (await docker.listContainers({ all: true, filters: { label: [`${CHURN_KEY}=1`] } })).map(
      (c) => docker.getContainer(c.Id).remove({ force: true }),
    );
    await Promise.all(gone);
    // Longer than IDLE_SOCKET_MS, after which the pooled connections of the churn are closed.
    const settleMs = IDLE_SOCKET_MS + 15_000;
    console.log(`churn stopped; ${gone.length} churn containers removed; settling ${settleMs / 1000} s`);
    await delay(settleMs);
    const end = await steadyHandles(harness.pid);
    const final = await harness.ask('report');
    summary(rows, start, end, final, churnCounts, recreates, minutes);
  } finally {
    await cleanup();
  }
}

if (args.harness) await runHarness(args['alert-log'] ?? join(tmpdir(), `dm-soak-alerts-${process.pid}.json`));
else await main();
