import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openDatabase } from '../../../src/history/database.ts';
import { DiskHistory } from '../../../src/history/disk.ts';
import { HistoryStore } from '../../../src/history/store.ts';
import { makeSample } from '../../helpers/samples.ts';

const root = mkdtempSync(join(tmpdir(), 'history-disk-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const MIB = 1024 * 1024;
const T0 = Date.UTC(2026, 11, 3, 20, 0, 0);

function open(path: string, store = new HistoryStore(), limits = { days: 7, maxBytes: 256 * MIB }) {
  const opened = openDatabase(path);
  assert.equal(opened.kind, 'open');
  if (opened.kind !== 'open') throw new Error('refused');
  return { store, disk: new DiskHistory({ db: opened.db, path, store, ...limits }) };
}

function freshPath(): string {
  const dir = join(root, `case-${++n}`);
  mkdirSync(dir);
  return join(dir, 'history.sqlite');
}

const sampleAt = (ts: number, memUsageBytes: number, over = {}) =>
  makeSample({ ts, memUsageBytes, memPercent: memUsageBytes / 1e8, ...over });

describe('DiskHistory', () => {
  test('a restart reads back raw samples and both tiers, and the time away stays a gap', () => {
    const path = freshPath();
    const first = open(path);
    for (let i = 0; i < 120; i++) {
      const sample = sampleAt(T0 + i * 5000, 1000 + i);
      if (first.store.add(sample)) first.disk.note(sample);
      if (i % 10 === 9) assert.ok(first.disk.flush(sample.ts));
    }
    first.disk.close(T0 + 600_000);

    const restartAt = T0 + 30 * 60_000;
    const second = open(path);
    assert.equal(second.disk.load(restartAt), 1);
    const key = 'local/docker/api/1';
    const raw = second.store.range(key, 'memUsageBytes', T0, restartAt, 'raw');
    assert.equal(raw.points.length, 120);
    assert.deepEqual(raw.points[0], { ts: T0, value: 1000 });
    assert.deepEqual(raw.points.at(-1), { ts: T0 + 119 * 5000, value: 1119 });

    const after = sampleAt(restartAt, 5000);
    assert.ok(second.store.add(after));
    const tens = second.store.range(key, 'memUsageBytes', T0, restartAt, '10s');
    const before = first.store.range(key, 'memUsageBytes', T0, restartAt, '10s');
    assert.deepEqual(tens.points.slice(0, -1), before.points);
    assert.equal(tens.points.at(-1)?.ts, restartAt);
    const minutes = second.store.range(key, 'memUsageBytes', T0, restartAt, '1m').points;
    assert.deepEqual(
      minutes.map((p) => p.ts),
      [...Array.from({ length: 10 }, (_, i) => T0 + i * 60_000), restartAt],
      'nothing is made up for the half hour away',
    );
    assert.equal(second.store.series(key)?.firstTs, T0);
    second.disk.close(restartAt);
  });

  test('a container recreated while the app was down continues its key, with the restart kept', () => {
    const path = freshPath();
    const first = open(path);
    const old = sampleAt(T0, 100, { id: 'old-id' });
    first.store.add(old);
    first.disk.note(old);
    first.disk.close(T0);
    const second = open(path);
    second.disk.load(T0 + 60_000);
    const recreated = sampleAt(T0 + 60_000, 200, { id: 'new-id' });
    assert.ok(second.store.add(recreated));
    second.disk.note(recreated);
    second.disk.close(T0 + 60_000);
    const third = open(path);
    third.disk.load(T0 + 120_000);
    const series = third.store.series('local/docker/api/1');
    assert.deepEqual(series?.restarts, [{ ts: T0 + 60_000, previousId: 'old-id', id: 'new-id' }]);
    third.disk.close(T0 + 120_000);
  });

  test('samples older than their retention are pruned, and the byte bound drops the oldest buckets', () => {
    const path = freshPath();
    const bound = 2 * MIB;
    const { store, disk } = open(path, new HistoryStore(), { days: 30, maxBytes: bound });
    const keys = Array.from({ length: 5 }, (_, i) => `local/docker/svc${i}/1`);
    const day = 24 * 3_600_000;
    const end = 3 * day;
    for (let t = 0; t < end; t += 60_000) {
      for (const key of keys) {
        const sample = sampleAt(T0 + t, t, { key });
        if (store.add(sample)) disk.note(sample);
      }
      if (t % (60 * 60_000) === 0) assert.ok(disk.flush(T0 + t));
    }
    disk.close(T0 + end);
    const opened = openDatabase(path);
    assert.equal(opened.kind, 'open');
    if (opened.kind !== 'open') return;
    const { db } = opened;
    const one = (sql: string) => Object.values(db.prepare(sql).get() as object)[0] as number;
    const used = (one('PRAGMA page_count') - one('PRAGMA freelist_count')) * one('PRAGMA page_size');
    assert.ok(used <= bound, `${used} bytes used, bound ${bound}`);
    assert.ok(statSync(path).size <= bound + MIB, `${statSync(path).size} bytes: the bound and one batch`);
    assert.ok(
      one('SELECT min(ts) FROM history_raw') >= T0 + end - 3_600_000 - 60_000,
      'raw for the last hour',
    );
    assert.ok(one('SELECT min(ts) FROM history_bucket WHERE width = 10000') >= T0 + end - day - 3_600_000);
    assert.ok(one('SELECT min(ts) FROM history_bucket WHERE width = 60000') > T0, 'the oldest day went');
    db.close();
  });

  test('a WAL cut in the middle of a batch: the file opens, and only that batch is gone', () => {
    const path = freshPath();
    const { store, disk } = open(path);
    const add = (i: number) => {
      const sample = sampleAt(T0 + i * 1000, i);
      if (store.add(sample)) disk.note(sample);
    };
    for (let i = 0; i < 10; i++) add(i);
    disk.flush(T0 + 10_000);
    const whole = statSync(`${path}-wal`).size;
    for (let i = 10; i < 20; i++) add(i);
    disk.flush(T0 + 20_000);
    const grown = statSync(`${path}-wal`).size;
    assert.ok(grown > whole);
    // What a kill -9 leaves: the file and its WAL as they are, no shared-memory index, and here
    // the second batch's frames only half written.
    const crashed = join(freshPath(), '..', 'crashed.sqlite');
    copyFileSync(path, crashed);
    copyFileSync(`${path}-wal`, `${crashed}-wal`);
    truncateSync(`${crashed}-wal`, whole + Math.floor((grown - whole) / 2));
    disk.close(T0 + 20_000);

    const next = open(crashed);
    next.disk.load(T0 + 30_000);
    const points = next.store.range('local/docker/api/1', 'memUsageBytes', T0, T0 + 30_000, 'raw').points;
    assert.deepEqual(
      points.map((p) => ('value' in p ? p.value : null)),
      Array.from({ length: 10 }, (_, i) => i),
    );
    next.disk.close(T0 + 30_000);
  });
});
