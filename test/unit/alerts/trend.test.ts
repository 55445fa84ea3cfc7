import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Series } from '../../../src/alerts/series.ts';
import { fitGrowth, secondsToLimit } from '../../../src/alerts/trend.ts';
import { DEFAULT_ALERT_SETTINGS } from '../../../src/alerts/types.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const TREND = DEFAULT_ALERT_SETTINGS.trend; // 5 min window, 60 % coverage, 10 min horizon
const T0 = 1_763_866_800_000;

/** Deterministic uniform noise in [0, 1) (mulberry32), so a failing seed can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Warning {
  readonly atSec: number;
  readonly etaSec: number;
}

/**
 * Feeds `memory(sec)` every `stepSec` for `durationSec` as the engine does and returns every moment
 * the fit predicted reaching `limit` within the horizon.
 */
function warnings(
  memory: (sec: number) => number,
  limit: number,
  durationSec: number,
  stepSec = 5,
): Warning[] {
  const series = new Series(400);
  const out: Warning[] = [];
  for (let sec = 0; sec <= durationSec; sec += stepSec) {
    const ts = T0 + sec * 1000;
    series.push(ts, memory(sec));
    series.keepFrom(ts - TREND.windowMs);
    const growth = fitGrowth(series, ts, TREND);
    if (growth === null) continue;
    const eta = secondsToLimit(growth, limit);
    if (eta * 1000 < TREND.horizonMs) out.push({ atSec: sec, etaSec: eta });
  }
  return out;
}

describe('memory trend', () => {
  it('a linear leak warns once the window is mostly covered, with an ETA within 20 %', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const noise = random(seed);
      const leak = (sec: number): number => 300 * MiB + 3 * MiB * sec;
      const limit = 2 * GiB;
      const found = warnings((s) => leak(s) + (noise() - 0.5) * 40 * MiB, limit, 500);
      assert.equal(found[0]?.atSec, 180, `seed ${seed}: warned once 60 % of the 5 min window was seen`);
      for (const w of found) {
        const trueEta = (limit - leak(w.atSec)) / (3 * MiB);
        if (trueEta < 60) continue; // the last minute: a few seconds off is a large share
        assert.ok(
          Math.abs(w.etaSec - trueEta) <= 0.2 * trueEta,
          `seed ${seed} at ${w.atSec}s: ${w.etaSec} vs ${trueEta}`,
        );
      }
    }
  });

  it('a fast leak under a small limit gets its ETA right at 1 s sampling', () => {
    const limit = 1 * GiB;
    const leak = (sec: number): number => 50 * MiB + 4 * MiB * sec;
    const found = warnings(leak, limit, 240, 1);
    const first = found[0];
    assert.ok(first !== undefined);
    assert.equal(first.atSec, 180);
    const trueEta = (limit - leak(180)) / (4 * MiB);
    assert.ok(Math.abs(first.etaSec - trueEta) <= 0.05 * trueEta, `${first.etaSec} vs ${trueEta}`);
  });

  it('a slow leak far from the limit gives a fit but no warning inside the horizon', () => {
    const series = new Series(400);
    for (let sec = 0; sec <= 300; sec += 5) series.push(T0 + sec * 1000, 500 * MiB + 0.2 * MiB * sec);
    const growth = fitGrowth(series, T0 + 300_000, TREND);
    assert.ok(growth !== null);
    assert.ok(Math.abs(growth.bytesPerSec - 0.2 * MiB) < 0.01 * MiB);
    assert.ok(secondsToLimit(growth, 2 * GiB) > 2 * 3600);
  });

  it('steady memory never gives a fit', () => {
    const noise = random(7);
    const series = new Series(400);
    for (let sec = 0; sec <= 600; sec += 5) {
      series.push(T0 + sec * 1000, 1.2 * GiB + (noise() - 0.5) * 2 * MiB);
      assert.equal(fitGrowth(series, T0 + sec * 1000, TREND), null);
    }
  });

  it('a sawtooth (GC, caches) gives no ETA, whatever its period or sampling', () => {
    for (const periodSec of [20, 30, 60, 90, 120, 150]) {
      for (const stepSec of [1, 5]) {
        const noise = random(periodSec);
        const saw = (sec: number): number => 1 * GiB + ((sec % periodSec) / periodSec) * 600 * MiB;
        const found = warnings((s) => saw(s) + (noise() - 0.5) * 10 * MiB, 2 * GiB, 900, stepSec);
        assert.deepEqual(found, [], `period ${periodSec}s, step ${stepSec}s`);
      }
    }
  });

  it('noisy flat memory near the limit gives no ETA', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const noise = random(seed);
      const found = warnings(() => 1.5 * GiB + (noise() - 0.5) * 200 * MiB, 2 * GiB, 900);
      assert.deepEqual(found, [], `seed ${seed}`);
    }
  });

  it('spikes do not bend the fit', () => {
    const noise = random(3);
    const leak = (sec: number): number => 300 * MiB + 3 * MiB * sec;
    const found = warnings((s) => leak(s) + (noise() < 0.05 ? 800 * MiB : 0), 2 * GiB, 400);
    assert.ok(found.length > 0);
    for (const w of found) {
      const trueEta = (2 * GiB - leak(w.atSec)) / (3 * MiB);
      if (trueEta >= 60)
        assert.ok(Math.abs(w.etaSec - trueEta) <= 0.2 * trueEta, `${w.etaSec} vs ${trueEta}`);
    }
  });

  it('too few points, or points over too little of the window, give no fit', () => {
    const sparse = new Series(400);
    for (let sec = 0; sec <= 300; sec += 60) sparse.push(T0 + sec * 1000, 100 * MiB + 10 * MiB * sec);
    assert.equal(fitGrowth(sparse, T0 + 300_000, TREND), null);

    const short = new Series(400);
    for (let sec = 0; sec <= 150; sec += 1) short.push(T0 + sec * 1000, 100 * MiB + 10 * MiB * sec);
    assert.equal(fitGrowth(short, T0 + 150_000, TREND), null);
  });

  it('the ETA is zero once the fitted line has passed the limit', () => {
    assert.equal(secondsToLimit({ bytesPerSec: MiB, levelBytes: 3 * GiB }, 2 * GiB), 0);
  });
});
