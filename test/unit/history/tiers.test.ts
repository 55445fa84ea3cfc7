import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TIER_10S, TIER_1M, Tier, bucketStart, tierBytes, tierCapacity } from '../../../src/history/tiers.ts';

const T0 = Date.UTC(2025, 0, 1);

describe('bucketStart', () => {
  it('aligns to the epoch', () => {
    assert.equal(bucketStart(T0 + 9_999, 10_000), T0);
    assert.equal(bucketStart(T0 + 10_000, 10_000), T0 + 10_000);
    assert.equal(bucketStart(T0 + 59_999, 60_000), T0);
  });
});

describe('tierCapacity', () => {
  it('keeps enough closed buckets to span the retention', () => {
    assert.equal(tierCapacity(TIER_10S), 361);
    assert.equal(tierCapacity(TIER_1M), 1441);
    assert.ok(tierCapacity(TIER_1M) * TIER_1M.widthMs > 24 * 3_600_000);
  });
});

describe('Tier', () => {
  it('folds min, avg and max per metric and closes a bucket when a later one starts', () => {
    const tier = new Tier(TIER_10S, 2);
    tier.add(T0 + 1_000, [4, 100]);
    tier.add(T0 + 5_000, [2, 300]);
    tier.add(T0 + 9_000, [9, 200]);
    tier.add(T0 + 10_000, [1, 1]);
    assert.deepEqual(tier.range(0, T0, T0 + 20_000), [
      { ts: T0, min: 2, avg: 5, max: 9, count: 3 },
      { ts: T0 + 10_000, min: 1, avg: 1, max: 1, count: 1 },
    ]);
    assert.deepEqual(tier.range(1, T0, T0)[0], { ts: T0, min: 100, avg: 200, max: 300, count: 3 });
  });

  it('skips missing values instead of counting them as zero', () => {
    const tier = new Tier(TIER_10S, 2);
    tier.add(T0, [NaN, 7]);
    tier.add(T0 + 1_000, [10, NaN]);
    tier.add(T0 + 2_000, [20, NaN]);
    tier.add(T0 + 10_000, [NaN, NaN]);
    const [closed, open] = tier.range(0, T0, T0 + 10_000);
    assert.deepEqual(closed, { ts: T0, min: 10, avg: 15, max: 20, count: 3 });
    assert.deepEqual(open, { ts: T0 + 10_000, min: null, avg: null, max: null, count: 1 });
    assert.deepEqual(tier.range(1, T0, T0)[0], { ts: T0, min: 7, avg: 7, max: 7, count: 3 });
    tier.add(T0 + 20_000, [1, 1]);
    // Closed while empty for metric 0: stored as "none", read as null.
    assert.deepEqual(tier.range(0, T0 + 10_000, T0 + 10_000)[0], {
      ts: T0 + 10_000,
      min: null,
      avg: null,
      max: null,
      count: 1,
    });
  });

  it('returns buckets overlapping the range, open bucket included', () => {
    const tier = new Tier(TIER_10S, 1);
    for (let s = 0; s < 40; s++) tier.add(T0 + s * 1_000, [s]);
    const starts = (from: number, to: number): number[] => tier.range(0, from, to).map((p) => p.ts - T0);
    assert.deepEqual(starts(T0 + 15_000, T0 + 25_000), [10_000, 20_000]);
    assert.deepEqual(starts(T0 + 10_000, T0 + 10_000), [10_000]);
    assert.deepEqual(starts(T0 + 9_999, T0 + 10_000), [0, 10_000]);
    assert.deepEqual(starts(T0 + 35_000, T0 + 99_000), [30_000]);
    assert.deepEqual(starts(T0 + 50_000, T0 + 99_000), []);
    assert.deepEqual(starts(T0 + 20_000, T0 + 10_000), []);
  });

  it('stores no bucket for a gap without samples', () => {
    const tier = new Tier(TIER_10S, 1);
    tier.add(T0, [1]);
    tier.add(T0 + 60_000, [2]);
    assert.deepEqual(
      tier.range(0, T0, T0 + 60_000).map((p) => p.ts - T0),
      [0, 60_000],
    );
  });

  it('ignores a sample older than the open bucket', () => {
    const tier = new Tier(TIER_10S, 1);
    tier.add(T0 + 10_000, [5]);
    tier.add(T0 + 1_000, [100]);
    assert.deepEqual(tier.range(0, T0, T0 + 20_000), [{ ts: T0 + 10_000, min: 5, avg: 5, max: 5, count: 1 }]);
  });

  it('reports coverage only once buckets have been dropped', () => {
    const tier = new Tier({ widthMs: 10_000, retentionMs: 20_000 }, 1);
    tier.add(T0, [1]);
    assert.equal(tier.covers(0), true);
    assert.equal(tier.retainedFrom, T0);
    for (let b = 1; b <= 5; b++) tier.add(T0 + b * 10_000, [1]);
    // Capacity 3: buckets 0 to 40 s are closed, 50 s is open, and the ring keeps 20, 30 and 40 s.
    assert.equal(tier.retainedFrom, T0 + 20_000);
    assert.equal(tier.covers(T0 + 20_000), true);
    assert.equal(tier.covers(T0 + 19_999), false);
  });

  it('holds exactly the bytes tierBytes predicts', () => {
    const tier = new Tier(TIER_1M, 10);
    assert.equal(tier.bytes, tierBytes(TIER_1M, 10));
    assert.equal(tierBytes(TIER_1M, 10), (1441 * 32 + 40 + 31) * 8);
  });
});
