import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_MAX_SERIES,
  HistoryStore,
  MAX_RESTARTS,
  METRICS,
  SERIES_OVERHEAD_BYTES,
  historyFootprint,
  seriesBytes,
  type RangeResult,
} from '../../../src/history/store.ts';
import type { BucketPoint } from '../../../src/history/tiers.ts';
import type { Sample } from '../../../src/model.ts';

const T0 = Date.UTC(2025, 0, 1);
const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const KEY = 'local/docker/api/1';

function sample(ts: number, over: Partial<Sample> = {}): Sample {
  return {
    type: 'sample',
    ts,
    host: 'local',
    stack: 'docker',
    role: 'api',
    service: 'api',
    name: 'docker-api-1',
    id: 'a'.repeat(64),
    image: 'langgenius/dify-api:1.10.1',
    state: 'running',
    health: 'none',
    cpuPercent: 1,
    cpuOfLimitPercent: 1,
    memUsageBytes: 1,
    memLimitBytes: 1,
    memLimitSource: 'host',
    memPercent: 1,
    netRxBytes: 1,
    netTxBytes: 1,
    blockReadBytes: 1,
    blockWriteBytes: 1,
    pids: 1,
    restartCount: 0,
    oomKilled: false,
    exitCode: null,
    key: KEY,
    ...over,
  };
}

function buckets(result: RangeResult): BucketPoint[] {
  assert.notEqual(result.resolution, 'raw');
  return result.points as BucketPoint[];
}

describe('HistoryStore', () => {
  it('keeps every 1 s sample of the last 15 min raw', () => {
    const store = new HistoryStore();
    const last = T0 + 30 * MINUTE;
    for (let ts = T0; ts <= last; ts += SECOND) store.add(sample(ts, { memUsageBytes: (ts - T0) / SECOND }));
    const from = last - 15 * MINUTE;
    const result = store.range(KEY, 'memUsageBytes', from, last);
    assert.equal(result.resolution, 'raw');
    assert.equal(result.points.length, 15 * 60 + 1);
    result.points.forEach((point, i) => {
      const ts = from + i * SECOND;
      assert.deepEqual(point, { ts, value: (ts - T0) / SECOND });
    });
    assert.equal(store.series(KEY)?.retainedFrom.raw, last - 1199 * SECOND);
  });

  it('keeps 1 min min/avg/max for more than 24 h of 5 s samples, and 10 s buckets for the last hour', () => {
    const store = new HistoryStore();
    const count = (25 * HOUR) / (5 * SECOND);
    for (let i = 0; i < count; i++) {
      const minute = Math.floor(i / 12);
      const phase = i % 12;
      store.add(
        sample(T0 + i * 5 * SECOND, {
          memUsageBytes: minute * 100 + phase,
          cpuPercent: phase % 3 === 0 ? null : phase,
        }),
      );
    }
    const last = T0 + (count - 1) * 5 * SECOND;
    const from = last - 24 * HOUR;

    const mem = store.range(KEY, 'memUsageBytes', from, last);
    assert.equal(mem.resolution, '1m');
    assert.equal(mem.resolution === '1m' && mem.widthMs, MINUTE);
    const memBuckets = buckets(mem);
    assert.equal(memBuckets.length, 24 * 60 + 1);
    assert.ok(memBuckets[0] !== undefined && memBuckets[0].ts <= from);
    for (const bucket of memBuckets) {
      const minute = (bucket.ts - T0) / MINUTE;
      assert.deepEqual(bucket, {
        ts: bucket.ts,
        min: minute * 100,
        avg: minute * 100 + 5.5,
        max: minute * 100 + 11,
        count: 12,
      });
    }

    // Nulls at phases 0, 3, 6, 9 are skipped: the average is of 1, 2, 4, 5, 7, 8, 10, 11.
    for (const bucket of buckets(store.range(KEY, 'cpuPercent', from, last, '1m'))) {
      assert.deepEqual([bucket.min, bucket.avg, bucket.max], [1, 6, 11]);
    }

    const tens = buckets(store.range(KEY, 'memUsageBytes', last - HOUR, last, '10s'));
    assert.equal(tens.length, 361);
    for (const bucket of tens) {
      const i = (bucket.ts - T0) / (5 * SECOND);
      const v = Math.floor(i / 12) * 100 + (i % 12);
      assert.deepEqual(bucket, { ts: bucket.ts, min: v, avg: v + 0.5, max: v + 1, count: 2 });
    }
  });

  it('picks the finest resolution that still holds the whole range', () => {
    const store = new HistoryStore();
    const last = T0 + 2 * HOUR;
    for (let ts = T0; ts <= last; ts += SECOND) store.add(sample(ts));
    assert.equal(store.range(KEY, 'pids', last - 19 * MINUTE, last).resolution, 'raw');
    assert.equal(store.range(KEY, 'pids', last - 30 * MINUTE, last).resolution, '10s');
    assert.equal(store.range(KEY, 'pids', last - 90 * MINUTE, last).resolution, '1m');
    // Before anything was overwritten, raw holds the series' whole life, however wide the range.
    const young = new HistoryStore();
    young.add(sample(T0));
    young.add(sample(T0 + SECOND));
    const wide = young.range(KEY, 'pids', T0 - 24 * HOUR, T0 + SECOND);
    assert.equal(wide.resolution, 'raw');
    assert.equal(wide.points.length, 2);
  });

  it('keeps a null as null in raw points and tier buckets, never 0 or NaN', () => {
    const store = new HistoryStore();
    for (let s = 0; s < 120; s++) {
      store.add(sample(T0 + s * SECOND, { memPercent: null, cpuPercent: s % 2 === 0 ? null : 10 }));
    }
    const raw = store.range(KEY, 'memPercent', T0, T0 + 2 * MINUTE, 'raw').points;
    assert.equal(raw.length, 120);
    assert.ok(raw.every((p) => 'value' in p && p.value === null));
    for (const resolution of ['10s', '1m'] as const) {
      const points = buckets(store.range(KEY, 'memPercent', T0, T0 + 2 * MINUTE, resolution));
      assert.ok(points.length > 0);
      assert.ok(points.every((p) => p.min === null && p.avg === null && p.max === null));
      const cpu = buckets(store.range(KEY, 'cpuPercent', T0, T0 + 2 * MINUTE, resolution));
      assert.ok(cpu.every((p) => p.min === 10 && p.avg === 10 && p.max === 10));
    }
    assert.equal(store.latest(KEY)?.memPercent, null);
  });

  it('holds a constant, bounded number of bytes for 50 series over 48 h', () => {
    const store = new HistoryStore({ maxSeries: 50 });
    const keys = Array.from({ length: 50 }, (_, k) => `local/docker/service${k}/1`);
    const bases = keys.map((key) => sample(0, { key }));
    const bound =
      50 *
      ((1200 * 11 + (361 + 1441) * 32 + 2 * (40 + 31)) * Float64Array.BYTES_PER_ELEMENT +
        SERIES_OVERHEAD_BYTES);
    const step = 5 * SECOND;
    const steps = (48 * HOUR) / step;
    let afterFirstFill = 0;
    for (let i = 0; i < steps; i++) {
      const ts = T0 + i * step;
      for (const base of bases) store.add({ ...base, ts, memUsageBytes: i, cpuPercent: i % 7 });
      if (i === 1200) afterFirstFill = store.memoryBytes();
    }
    assert.equal(store.keys().length, 50);
    assert.equal(afterFirstFill, store.memoryBytes());
    assert.equal(store.memoryBytes(), historyFootprint(50));
    assert.ok(store.memoryBytes() <= bound, `${store.memoryBytes()} > ${bound}`);
    const summary = store.series(keys[0] as string);
    assert.ok(
      summary !== undefined && (summary.retainedFrom['1m'] ?? Infinity) <= summary.lastTs - 24 * HOUR,
    );
  });

  it('reports the footprint per series that the docs quote', () => {
    assert.equal(seriesBytes(), 576_240);
    assert.equal(historyFootprint(DEFAULT_MAX_SERIES), DEFAULT_MAX_SERIES * 576_240);
    const store = new HistoryStore();
    assert.equal(store.memoryBytes(), 0);
    store.add(sample(T0));
    assert.equal(store.memoryBytes(), seriesBytes());
    const small = new HistoryStore({ rawCapacity: 10 });
    small.add(sample(T0));
    assert.equal(small.memoryBytes(), seriesBytes(10));
  });

  it('evicts the least recently updated series when maxSeries is exceeded', () => {
    const store = new HistoryStore({ maxSeries: 3 });
    store.add(sample(T0, { key: 'a' }));
    store.add(sample(T0, { key: 'b' }));
    store.add(sample(T0, { key: 'c' }));
    store.add(sample(T0 + SECOND, { key: 'a' }));
    store.add(sample(T0 + SECOND, { key: 'd' }));
    assert.deepEqual(store.keys(), ['a', 'c', 'd']);
    assert.equal(store.latest('b'), undefined);
    assert.equal(store.memoryBytes(), historyFootprint(3));
    store.add(sample(T0 + 2 * SECOND, { key: 'e' }));
    assert.deepEqual(store.keys(), ['a', 'd', 'e']);
  });

  it('continues the series of a recreated container and marks the restart once', () => {
    const store = new HistoryStore();
    const oldId = 'a'.repeat(64);
    const newId = 'b'.repeat(64);
    for (let s = 0; s < 10; s++) store.add(sample(T0 + s * SECOND, { id: oldId, pids: s }));
    for (let s = 10; s < 20; s++) store.add(sample(T0 + s * SECOND, { id: newId, pids: s }));
    // A late sample from the old container, then the new one again: not two more restarts.
    store.add(sample(T0 + 20 * SECOND, { id: oldId, pids: 20 }));
    store.add(sample(T0 + 21 * SECOND, { id: newId, pids: 21 }));
    const summary = store.series(KEY);
    assert.deepEqual(summary?.restarts, [{ ts: T0 + 10 * SECOND, previousId: oldId, id: newId }]);
    assert.equal(summary?.meta.id, newId);
    assert.equal(summary?.firstTs, T0);
    assert.equal(summary?.lastTs, T0 + 21 * SECOND);
    const points = store.range(KEY, 'pids', T0, T0 + MINUTE, 'raw').points;
    assert.deepEqual(
      points.map((p) => ('value' in p ? p.value : undefined)),
      Array.from({ length: 22 }, (_, s) => s),
    );
  });

  it('keeps at most MAX_RESTARTS markers, the newest', () => {
    const store = new HistoryStore();
    const restarts = MAX_RESTARTS + 5;
    for (let r = 0; r <= restarts; r++) store.add(sample(T0 + r * SECOND, { id: `id${r}` }));
    const kept = store.series(KEY)?.restarts ?? [];
    assert.equal(kept.length, MAX_RESTARTS);
    assert.deepEqual(kept.at(-1), {
      ts: T0 + restarts * SECOND,
      previousId: `id${restarts - 1}`,
      id: `id${restarts}`,
    });
  });

  it('drops a sample not later than the newest and leaves latest alone', () => {
    const store = new HistoryStore();
    assert.equal(store.add(sample(T0 + 10 * SECOND, { pids: 1 })), true);
    assert.equal(store.add(sample(T0 + 5 * SECOND, { pids: 2 })), false);
    assert.equal(store.add(sample(T0 + 10 * SECOND, { pids: 3 })), false);
    assert.equal(store.latest(KEY)?.pids, 1);
    assert.equal(store.range(KEY, 'pids', T0, T0 + MINUTE, 'raw').points.length, 1);
    assert.equal(store.add(sample(NaN, { key: 'other' })), false);
    assert.deepEqual(store.keys(), [KEY]);
  });

  it('answers edge ranges: unknown key, empty, single point, from after to', () => {
    const store = new HistoryStore();
    assert.deepEqual(store.range('nope', 'pids', T0, T0 + MINUTE), { resolution: 'raw', points: [] });
    assert.deepEqual(store.range('nope', 'pids', T0, T0 + MINUTE, '1m'), {
      resolution: '1m',
      widthMs: MINUTE,
      points: [],
    });
    for (let s = 0; s < 5; s++) store.add(sample(T0 + s * SECOND, { pids: s }));
    assert.deepEqual(store.range(KEY, 'pids', T0 + 2 * SECOND, T0 + 2 * SECOND).points, [
      { ts: T0 + 2 * SECOND, value: 2 },
    ]);
    assert.deepEqual(store.range(KEY, 'pids', T0 + 1500, T0 + 1600).points, []);
    assert.deepEqual(store.range(KEY, 'pids', T0 - MINUTE, T0 - SECOND).points, []);
    assert.deepEqual(store.range(KEY, 'pids', T0 + MINUTE, T0 + HOUR).points, []);
    assert.deepEqual(store.range(KEY, 'pids', T0 + 3 * SECOND, T0 + SECOND).points, []);
    assert.deepEqual(store.range(KEY, 'pids', T0 + 3 * SECOND, T0 + SECOND, '10s').points, []);
    assert.deepEqual(store.range(KEY, 'pids', T0, T0, '10s').points, [
      { ts: T0, min: 0, avg: 2, max: 4, count: 5 },
    ]);
    assert.throws(() => store.range(KEY, 'bogus' as 'pids', T0, T0), RangeError);
  });

  it('stores every metric, keeps latest meta, lists and forgets keys', () => {
    const store = new HistoryStore();
    const values = Object.fromEntries(METRICS.map((metric, i) => [metric, i + 0.5]));
    store.add(sample(T0, { key: 'z', ...values }));
    store.add(sample(T0, { key: 'm', state: 'exited', name: 'docker-api-2' }));
    for (const [i, metric] of METRICS.entries()) {
      assert.deepEqual(store.range('z', metric, T0, T0).points, [{ ts: T0, value: i + 0.5 }]);
    }
    assert.deepEqual(store.keys(), ['m', 'z']);
    assert.deepEqual(store.series('m')?.meta, {
      host: 'local',
      stack: 'docker',
      service: 'api',
      role: 'api',
      name: 'docker-api-2',
      id: 'a'.repeat(64),
      image: 'langgenius/dify-api:1.10.1',
      state: 'exited',
    });
    assert.equal(store.latest('z')?.ts, T0);
    assert.equal(store.forget('z'), true);
    assert.equal(store.forget('z'), false);
    assert.equal(store.series('z'), undefined);
    assert.deepEqual(store.keys(), ['m']);
  });

  it('rejects a bad capacity or series bound', () => {
    assert.throws(() => new HistoryStore({ rawCapacity: 0 }), RangeError);
    assert.throws(() => new HistoryStore({ maxSeries: 0 }), RangeError);
    assert.throws(() => new HistoryStore({ maxSeries: 2.5 }), RangeError);
  });
});
