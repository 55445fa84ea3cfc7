import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertEngine } from '../../../src/alerts/engine.ts';
import type { Alert } from '../../../src/alerts/types.ts';
import type { Sample } from '../../../src/model.ts';
import { GAP_STEPS, gapBefore, typicalStep, withGaps, type GapPoint } from '../../../renderer/gaps.ts';
import { makeSample } from '../../helpers/samples.ts';

/*
 * A laptop that sleeps stops every timer and every sample, then wakes with the clock hours ahead.
 * Simulated here with the injected clock: samples every second, a jump, samples again.
 */

const GiB = 1024 ** 3;
const START = 1_763_866_800_000;

function sample(ts: number, name: string, memUsageBytes: number): Sample {
  return makeSample({
    ts,
    stack: 'dify',
    role: 'worker',
    service: name,
    name: `dify-${name}-1`,
    id: `id-${name}`,
    cpuPercent: 3,
    cpuOfLimitPercent: 1.5,
    memUsageBytes,
    memLimitBytes: GiB,
    memLimitSource: 'container',
    memPercent: (memUsageBytes / GiB) * 100,
    pids: 5,
    key: `local/dify/${name}/1`,
  });
}

/** Drives an engine a second at a time; `levels` gives each container's memory at that moment. */
function driver(engine: AlertEngine, clock: { t: number }) {
  return (seconds: number, levels: Record<string, number>): Alert[] => {
    const raised: Alert[] = [];
    for (let i = 0; i < seconds; i++) {
      clock.t += 1000;
      const samples = Object.entries(levels).map(([name, fraction]) => sample(clock.t, name, fraction * GiB));
      raised.push(...engine.onRound('local', samples));
    }
    return raised;
  };
}

describe('sleep and wake, with a clock that jumps', () => {
  for (const sleepMs of [30_000, 2 * 60_000, 4 * 60_000, 30 * 60_000, 2 * 3_600_000]) {
    it(`a step in memory across ${sleepMs / 60_000} min of sleep is not a trend`, () => {
      const clock = { t: START };
      const engine = new AlertEngine({ clock: { now: () => clock.t } });
      const run = driver(engine, clock);
      assert.deepEqual(run(6 * 60, { api: 0.4 }), []);
      clock.t += sleepMs;
      // Memory was 40 % before the lid closed and is 70 % after: nobody saw how it got there.
      const after = run(6 * 60, { api: 0.7 });
      assert.deepEqual(
        after.filter((a) => a.rule === 'memory-trend').map((a) => a.message),
        [],
        'no trend drawn across the gap',
      );
    });
  }

  it('a real leak after waking is still caught', () => {
    const clock = { t: START };
    const engine = new AlertEngine({ clock: { now: () => clock.t } });
    const run = driver(engine, clock);
    run(5 * 60, { api: 0.4 });
    clock.t += 2 * 3_600_000;
    const raised: Alert[] = [];
    // 1 MiB/s towards a 1 GiB limit from 40 %: about ten minutes left.
    for (let s = 0; s < 6 * 60; s++) raised.push(...run(1, { api: 0.4 + (s * 1024 * 1024) / GiB }));
    assert.ok(
      raised.some((a) => a.rule === 'memory-trend'),
      'the trend warning comes once enough post-wake data exists',
    );
  });

  it('wakes without a burst of stale notifications', () => {
    const clock = { t: START };
    const engine = new AlertEngine({ clock: { now: () => clock.t } });
    const run = driver(engine, clock);
    const before = run(5 * 60, { api: 0.95, worker: 0.95, web: 0.2 });
    assert.ok(before.some((a) => a.rule === 'memory-threshold' && a.name === 'dify-api-1'));
    const wokeAt = clock.t + 2 * 3_600_000;
    clock.t = wokeAt;
    // Asleep for two hours, past every cooldown: api is still high, worker recovered meanwhile.
    const after = run(60, { api: 0.95, worker: 0.3, web: 0.2 });
    const perCondition = new Map<string, number>();
    for (const alert of after) {
      assert.ok(alert.ts >= wokeAt, `no alert dated before the wake: ${alert.message}`);
      const id = `${alert.key ?? alert.name}/${alert.rule}`;
      perCondition.set(id, (perCondition.get(id) ?? 0) + 1);
    }
    for (const [id, n] of perCondition) assert.equal(n, 1, `${id} notified ${n} times in the first minute`);
    assert.ok(after.length <= 3, `at most a reminder for api and a recovery for worker: ${after.length}`);
  });
});

describe('chart gaps', () => {
  const every = (fromMs: number, stepMs: number, n: number, y = 1): GapPoint[] =>
    Array.from({ length: n }, (_, i) => ({ x: fromMs + i * stepMs, y }));

  it('leaves an unbroken series alone, including the tray-to-fast switch', () => {
    const series = [...every(0, 5000, 20), ...every(100_000, 1000, 30)];
    assert.deepEqual(withGaps(series), series);
  });

  it('breaks the line where samples stopped for longer than a few steps', () => {
    const series = [...every(0, 1000, 30), ...every(30_000 + 2 * 3_600_000, 1000, 30)];
    const gapped = withGaps(series);
    assert.equal(gapped.length, series.length + 1);
    const marker = gapped[30];
    assert.equal(marker?.y, null);
    assert.ok((marker?.x ?? 0) > 29_000 && (marker?.x ?? 0) < 30_000 + 2 * 3_600_000);
  });

  it('a live point after a pause gets one marker before it, and a missing step is not a gap', () => {
    const data = every(0, 1000, 10);
    assert.equal(typicalStep(data), 1000);
    assert.equal(gapBefore(data.at(-1), { x: 9000 + GAP_STEPS * 1000, y: 1 }, 1000), null);
    const late = { x: 9000 + 120_000, y: 1 };
    assert.deepEqual(gapBefore(data.at(-1), late, 1000), { x: 9000 + 60_000, y: null });
    assert.equal(gapBefore({ x: 9000, y: null }, late, 1000), null, 'never two markers in a row');
    assert.equal(typicalStep(every(0, 1000, 2)), null, 'too few points to tell a gap');
  });
});
