import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AlertEngine } from '../../../src/alerts/engine.ts';
import { DEFAULT_LOG_CAPACITY } from '../../../src/alerts/log.ts';
import type { Alert } from '../../../src/alerts/types.ts';
import type { ContainerEvent, HostState, Reading, Sample } from '../../../src/model.ts';
import { readingFromPrecpu, readingFromStats } from '../../../src/stats/reading.ts';
import { computeUsage } from '../../../src/stats/usage.ts';
import { makeSample } from '../../helpers/samples.ts';

/*
 * Property-based checks over the two places where outside numbers become what a user reads: the
 * stats maths and the alert engine. test/unit/stats/garbage.test.ts mutates real bodies; here
 * fast-check builds arbitrary ones, and arbitrary histories of rounds, events and clock jumps.
 */

const RUNS = Number(process.env['DM_PROPERTY_RUNS'] ?? 300);

/** Everything a counter can hold after JSON.parse, and then some that only a bug could make. */
const anyNumber = fc.oneof(
  fc.double(),
  fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
  fc.constantFrom(0, -1, 2 ** 64, 2 ** 63 - 1, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);
const maybeNumber = fc.option(anyNumber, { nil: null });

function assertShown(value: unknown, context: string): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value), `${context} = ${value}`);
    return;
  }
  if (typeof value === 'string') {
    assert.doesNotMatch(value, /NaN|Infinity|undefined|null %/, `${context}: ${value}`);
    return;
  }
  if (typeof value === 'object')
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) assertShown(v, `${context}.${k}`);
}

const readingArb: fc.Arbitrary<Reading> = fc.record({
  ts: fc.integer({ min: 0, max: 2 ** 45 }),
  platform: fc.constantFrom('linux' as const, 'windows' as const),
  cpuTotal: anyNumber,
  systemCpu: maybeNumber,
  onlineCpus: anyNumber,
  memUsageBytes: maybeNumber,
  memLimitBytes: maybeNumber,
  pids: maybeNumber,
  netRxBytes: maybeNumber,
  netTxBytes: maybeNumber,
  blockReadBytes: maybeNumber,
  blockWriteBytes: maybeNumber,
  readTimeNs: anyNumber,
  numProcs: anyNumber,
});

/** A stats body shaped like the engine's, with any value anywhere. */
const statsBodyArb = fc.record(
  {
    read: fc.oneof(fc.string(), fc.constant('2026-11-23T00:00:00.123456789Z')),
    preread: fc.oneof(fc.string(), fc.constant('2026-11-23T00:00:00Z')),
    num_procs: fc.anything(),
    cpu_stats: fc.record(
      {
        cpu_usage: fc.record({
          total_usage: fc.oneof(anyNumber, fc.anything()),
          percpu_usage: fc.anything(),
        }),
        system_cpu_usage: fc.oneof(anyNumber, fc.anything()),
        online_cpus: fc.oneof(anyNumber, fc.anything()),
      },
      { requiredKeys: [] },
    ),
    precpu_stats: fc.record(
      {
        cpu_usage: fc.record({ total_usage: fc.oneof(anyNumber, fc.anything()) }),
        system_cpu_usage: fc.oneof(anyNumber, fc.anything()),
      },
      { requiredKeys: [] },
    ),
    memory_stats: fc.record(
      {
        usage: fc.oneof(anyNumber, fc.anything()),
        limit: fc.oneof(anyNumber, fc.anything()),
        privateworkingset: anyNumber,
        stats: fc.dictionary(fc.constantFrom('inactive_file', 'total_inactive_file', 'cache'), anyNumber),
      },
      { requiredKeys: [] },
    ),
    pids_stats: fc.record({ current: fc.oneof(anyNumber, fc.anything()) }),
    networks: fc.dictionary(fc.string(), fc.record({ rx_bytes: anyNumber, tx_bytes: anyNumber })),
    blkio_stats: fc.anything(),
    storage_stats: fc.anything(),
  },
  { requiredKeys: [] },
);

describe('stats maths, for any input', () => {
  it('computeUsage never throws and yields only finite numbers or null', () => {
    fc.assert(
      fc.property(
        fc.option(readingArb, { nil: null }),
        readingArb,
        maybeNumber,
        maybeNumber,
        (p, c, lim, cpus) => {
          assertShown(computeUsage(p, c, lim, cpus), 'usage');
        },
      ),
      { numRuns: RUNS * 10 },
    );
  });

  it('a parsed engine body, alone or after another, never shows NaN or Infinity', () => {
    fc.assert(
      fc.property(fc.oneof(statsBodyArb, fc.anything()), statsBodyArb, (first, second) => {
        const a = readingFromStats(first, 1000);
        const b = readingFromStats(second, 2000);
        const pre = readingFromPrecpu(second, 2000);
        // A Reading is internal (sums of counters may overflow); only the usage made from it is shown.
        if (b.ok) {
          assertShown(computeUsage(a.ok ? a.reading : null, b.reading, null, 4), 'usage');
          assertShown(computeUsage(pre.ok ? pre.reading : null, b.reading, 0.5, null), 'usage from precpu');
        }
      }),
      { numRuns: RUNS * 5 },
    );
  });
});

type Step =
  | {
      kind: 'round';
      advanceMs: number;
      samples: {
        n: number;
        mem: number | null;
        limit: number | null;
        cpu: number | null;
        state: 'running' | 'exited';
      }[];
    }
  | { kind: 'event'; advanceMs: number; n: number; action: ContainerEvent['action']; exitCode: number }
  | { kind: 'host'; advanceMs: number; state: HostState['state']; mem: number | null };

/** Time moves forward in small and huge steps, and now and then backwards (an NTP correction). */
const advance = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 5000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 3 * 24 * 3_600_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: -3_600_000, max: -1 }) },
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('round' as const),
      advanceMs: advance,
      samples: fc.array(
        fc.record({
          n: fc.integer({ min: 0, max: 5 }),
          // Mostly plausible values, so that rules fire and recover, with hostile ones mixed in.
          mem: fc.oneof(fc.integer({ min: 0, max: 2e9 }), maybeNumber),
          limit: fc.oneof(fc.constant(1e9), maybeNumber),
          cpu: fc.oneof(fc.double({ min: 0, max: 400, noNaN: true }), maybeNumber),
          state: fc.constantFrom('running' as const, 'running' as const, 'exited' as const),
        }),
        { maxLength: 6 },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('event' as const),
      advanceMs: advance,
      n: fc.integer({ min: 0, max: 5 }),
      action: fc.constantFrom('start', 'die', 'kill', 'oom', 'health_status', 'destroy', 'rename', 'restart'),
      exitCode: fc.constantFrom(0, 1, 137, -1, 255),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('host' as const),
      advanceMs: advance,
      state: fc.constantFrom('connecting', 'up', 'down', 'auth-failed', 'tls-failed'),
      mem: maybeNumber,
    }),
  },
);

function sampleOf(ts: number, s: Extract<Step, { kind: 'round' }>['samples'][number]): Sample {
  return makeSample({
    ts,
    host: 'h',
    stack: 'dify',
    role: s.n % 2 === 0 ? 'api' : 'worker',
    service: `svc${s.n}`,
    name: `dify-svc${s.n}-1`,
    id: `id${s.n}`,
    image: 'langgenius/dify-api',
    state: s.state,
    cpuPercent: s.cpu,
    cpuOfLimitPercent: s.cpu,
    memUsageBytes: s.mem,
    memLimitBytes: s.limit,
    memLimitSource: 'container',
    memPercent: s.mem !== null && s.limit ? (s.mem / s.limit) * 100 : null,
    netRxBytes: null,
    netTxBytes: null,
    blockReadBytes: null,
    blockWriteBytes: null,
    pids: null,
    key: `h/dify/svc${s.n}/1`,
  });
}

function run(engine: AlertEngine, clock: { t: number }, steps: readonly Step[]): Alert[] {
  const raised: Alert[] = [];
  for (const step of steps) {
    clock.t += step.advanceMs;
    if (step.kind === 'round') {
      raised.push(
        ...engine.onRound(
          'h',
          step.samples.map((s) => sampleOf(clock.t, s)),
        ),
      );
    } else if (step.kind === 'event') {
      raised.push(
        ...engine.onEvent({
          type: 'event',
          ts: clock.t,
          host: 'h',
          action: step.action,
          id: `id${step.n}`,
          name: `dify-svc${step.n}-1`,
          key: `h/dify/svc${step.n}/1`,
          exitCode: step.exitCode,
          health: 'unhealthy',
        }),
      );
    } else {
      raised.push(
        ...engine.onHost({
          type: 'host',
          ts: clock.t,
          host: 'h',
          state: step.state,
          message: 'm',
          endpoint: 'unix:///x',
          reason: 'r',
          ...(step.mem === null ? {} : { memTotalBytes: step.mem }),
        }),
      );
    }
  }
  return raised;
}

describe('the alert engine, for any history', () => {
  it('never throws, never shows NaN or Infinity, and keeps its log within capacity', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 120 }), (steps) => {
        const clock = { t: 1_763_866_800_000 };
        const engine = new AlertEngine({ clock: { now: () => clock.t } });
        const raised = run(engine, clock, steps);
        for (const alert of raised) assertShown(alert, `alert ${alert.rule}`);
        for (const active of engine.active()) assertShown(active, `active ${active.rule}`);
        assert.ok(engine.log.size <= DEFAULT_LOG_CAPACITY);
      }),
      { numRuns: RUNS },
    );
  });

  it('holds a bounded state through a day of churn: containers come and go, none is kept forever', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const clock = { t: 1_763_866_800_000 };
    const engine = new AlertEngine({ clock: { now: () => clock.t } });
    const heapAt: number[] = [];
    // Every 5 s a round of 20 containers, and every minute one of them is replaced by a new name:
    // 1,440 distinct containers over the day, of which 20 live at any time.
    let generation = 0;
    for (let minute = 0; minute < 24 * 60; minute++) {
      generation++;
      for (let tick = 0; tick < 12; tick++) {
        clock.t += 5000;
        const samples = Array.from({ length: 20 }, (_, i) => {
          const n = i === generation % 20 ? generation : i;
          const s = sampleOf(clock.t, {
            n,
            mem: 1e8 + ((tick * 7919 + n) % 1000) * 1e5,
            limit: 1e9,
            cpu: 5,
            state: 'running',
          });
          return { ...s, name: `c${n}`, id: `id-${n}-${generation}`, key: `h/dify/c${n}/1` };
        });
        engine.onRound('h', samples);
      }
      if (minute % 240 === 239) {
        gc();
        heapAt.push(process.memoryUsage().heapUsed);
      }
    }
    const [first, ...rest] = heapAt;
    const growth = Math.max(...rest) - (first ?? 0);
    console.log(
      `alert engine heap after GC every 4 h of churn: ${heapAt.map((h) => (h / 1048576).toFixed(1)).join(', ')} MiB`,
    );
    assert.ok(growth < 4 * 1048576, `heap grew by ${(growth / 1048576).toFixed(1)} MiB over 20 h`);
    assert.ok(engine.log.size <= DEFAULT_LOG_CAPACITY);
  });
});
