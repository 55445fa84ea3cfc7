import { statSync } from 'node:fs';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { METRICS, type HistoryStore, type RawRow, type Restart, type SavedSeries } from './store.ts';
import { bucketStart, TIER_10S, TIER_1M, type BucketRow } from './tiers.ts';
import type { Sample } from '../model.ts';

/**
 * History on disk: the samples the in-memory store took, written to the app database in batches,
 * and read back into the store at start, so charts, `monitor:history`, `export` and `/api` see
 * the time before a restart (with the gap while the app was not running) without knowing a disk
 * exists.
 *
 * The collector's round only appends its samples to a list (`note`); `flush`, on its own timer,
 * writes the list in one transaction: raw rows, then each touched series' 10 s and 1 min buckets
 * from the batch's first bucket on, taken from the store's tiers (the store already folded them,
 * and the open bucket is written as it stands and rewritten by the next batch). A kill -9 thus
 * loses the samples since the last commit and nothing else.
 *
 * Kept: raw samples for 1 h, 10 s buckets for 24 h, 1 min buckets for `days`; then, if the data
 * still takes more than `maxBytes`, the oldest buckets go (BOUND_STEPS) until it fits. Freed
 * pages are reused, so the file stops growing at the bound plus about one batch.
 *
 * A failed write (a full disk, a read-only folder) is never fatal: the batch is dropped, the
 * state says why (`problem`), and the next batch tries again, clearing it once one goes through.
 * A stored row whose blob is not the size this version writes (another METRICS list, a damaged
 * page) is skipped on reading.
 */

export const RAW_RETENTION_MS = 3_600_000;
export const TEN_SECOND_RETENTION_MS = 24 * 3_600_000;
const DAY_MS = 24 * 3_600_000;
/** What the in-memory tiers can hold, and so what a start reads back. */
const LOAD_10S_MS = TIER_10S.retentionMs;
const LOAD_1M_MS = TIER_1M.retentionMs;
/**
 * What goes when the file outgrows its bound, first to last: minutes older than a day (the
 * 10 s tier still has that day), then 10 s buckets older than an hour, then minutes older than
 * an hour. The last hour, which a start reads back into every tier, always stays.
 */
const BOUND_STEPS = [
  { width: TIER_1M.widthMs, keepMs: DAY_MS, chunkMs: DAY_MS },
  { width: TIER_10S.widthMs, keepMs: 3_600_000, chunkMs: 3_600_000 },
  { width: TIER_1M.widthMs, keepMs: 3_600_000, chunkMs: 3_600_000 },
] as const;
/** SQLITE_FULL: "database or disk is full". */
const SQLITE_FULL = 13;

const TEXT = {
  full: (path: string) =>
    `History is not being saved: the disk holding ${path} is full. Monitoring and alerts go on; free some space and it resumes.`,
  failed: (path: string, why: string) =>
    `History is not being saved to ${path}: ${why}. Monitoring and alerts go on.`,
} as const;

export interface DiskHistoryOptions {
  readonly db: DatabaseSync;
  /** The file's path: for its size and for the messages. */
  readonly path: string;
  readonly store: HistoryStore;
  readonly days: number;
  readonly maxBytes: number;
}

export interface DiskHistoryInfo {
  readonly path: string;
  /** The database file and its WAL. */
  readonly bytes: number;
  readonly maxBytes: number;
  readonly days: number;
  /** Why history is not being written now; null while it is. */
  readonly problem: string | null;
}

interface Statements {
  readonly series: StatementSync;
  readonly raw: StatementSync;
  readonly bucket: StatementSync;
  readonly pruneRaw: StatementSync;
  readonly pruneBuckets: StatementSync;
  readonly oldestBucket: StatementSync;
}

export class DiskHistory {
  readonly #o: DiskHistoryOptions;
  readonly #db: DatabaseSync;
  readonly #statements: Statements;
  #pending: Sample[] = [];
  #problem: string | null = null;
  #days: number;
  #maxBytes: number;

  constructor(options: DiskHistoryOptions) {
    this.#o = options;
    this.#db = options.db;
    this.#days = options.days;
    this.#maxBytes = options.maxBytes;
    this.#statements = prepare(options.db);
  }

  get problem(): string | null {
    return this.#problem;
  }

  /** A sample the store took: written with the next batch. */
  note(sample: Sample): void {
    this.#pending.push(sample);
  }

  setLimits(days: number, maxBytes: number): void {
    this.#days = days;
    this.#maxBytes = maxBytes;
  }

  /** Refills the store with what the disk holds up to `now`; returns the series restored. */
  load(now: number): number {
    const rows = this.#db
      .prepare(
        'SELECT id, key, meta, first_ts, restarts FROM history_series WHERE last_ts >= ? ORDER BY last_ts',
      )
      .all(now - LOAD_1M_MS) as {
      id: number;
      key: string;
      meta: string;
      first_ts: number;
      restarts: string;
    }[];
    let restored = 0;
    for (const row of rows) {
      const saved = this.#readSeries(row, now);
      if (saved !== null && this.#o.store.restore(row.key, saved)) restored++;
    }
    return restored;
  }

  /** Writes the samples noted since the last batch in one transaction; false when it failed (see `problem`). */
  flush(now: number): boolean {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return true;
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        this.#write(batch);
        this.#prune(now);
        this.#db.exec('COMMIT');
      } catch (error) {
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
      this.#bound(now);
    } catch (error) {
      this.#problem = problemText(this.#o.path, error);
      return false;
    }
    this.#problem = null;
    return true;
  }

  info(): DiskHistoryInfo {
    return {
      path: this.#o.path,
      bytes: fileBytes(this.#o.path) + fileBytes(`${this.#o.path}-wal`),
      maxBytes: this.#maxBytes,
      days: this.#days,
      problem: this.#problem,
    };
  }

  /** The last batch, then the file closed (its WAL checkpointed into it). */
  close(now: number): void {
    this.flush(now);
    this.#db.close();
  }

  #write(batch: readonly Sample[]): void {
    const { store } = this.#o;
    const firstByKey = new Map<string, Sample>();
    const lastByKey = new Map<string, Sample>();
    for (const sample of batch) {
      if (!firstByKey.has(sample.key)) firstByKey.set(sample.key, sample);
      lastByKey.set(sample.key, sample);
    }
    const ids = new Map<string, number>();
    for (const [key, latest] of lastByKey) {
      const summary = store.series(key);
      const row = this.#statements.series.get(
        key,
        JSON.stringify(latest),
        summary?.firstTs ?? latest.ts,
        latest.ts,
        JSON.stringify(summary?.restarts ?? []),
      ) as { id: number };
      ids.set(key, row.id);
    }
    for (const sample of batch) {
      this.#statements.raw.run(ids.get(sample.key) as number, sample.ts, blobOf(rawValues(sample)));
    }
    for (const [key, first] of firstByKey) {
      const id = ids.get(key) as number;
      for (const [resolution, width] of [
        ['10s', TIER_10S.widthMs],
        ['1m', TIER_1M.widthMs],
      ] as const) {
        for (const bucket of store.bucketsFrom(key, resolution, bucketStart(first.ts, width))) {
          this.#statements.bucket.run(id, width, bucket.ts, bucket.count, blobOf(bucket.values));
        }
      }
    }
  }

  #prune(now: number): void {
    this.#statements.pruneRaw.run(now - RAW_RETENTION_MS);
    this.#statements.pruneBuckets.run(TIER_10S.widthMs, now - TEN_SECOND_RETENTION_MS);
    this.#statements.pruneBuckets.run(TIER_1M.widthMs, now - this.#days * DAY_MS);
  }

  /** While the data outgrows the bound, drops the oldest buckets in the order of BOUND_STEPS. */
  #bound(now: number): void {
    for (const step of BOUND_STEPS) {
      while (usedBytes(this.#db) > this.#maxBytes) {
        const oldest = this.#statements.oldestBucket.get(step.width) as { ts: number | null } | undefined;
        const ts = oldest?.ts ?? null;
        if (ts === null || ts >= now - step.keepMs) break;
        this.#statements.pruneBuckets.run(step.width, Math.min(ts + step.chunkMs, now - step.keepMs));
      }
    }
  }

  #readSeries(
    row: { id: number; key: string; meta: string; first_ts: number; restarts: string },
    now: number,
  ): SavedSeries | null {
    let latest: Sample;
    let restarts: Restart[];
    try {
      latest = JSON.parse(row.meta) as Sample;
      restarts = JSON.parse(row.restarts) as Restart[];
    } catch {
      return null;
    }
    if (latest?.key !== row.key || !Array.isArray(restarts)) return null;
    const raw = this.#db
      .prepare('SELECT ts, values_blob FROM history_raw WHERE series = ? AND ts >= ? ORDER BY ts')
      .all(row.id, now - RAW_RETENTION_MS) as { ts: number; values_blob: Uint8Array }[];
    return {
      latest,
      firstTs: row.first_ts,
      restarts,
      raw: raw.flatMap((r): RawRow[] => {
        const values = floatsOf(r.values_blob, METRICS.length);
        return values === null ? [] : [{ ts: r.ts, values }];
      }),
      '10s': this.#readBuckets(row.id, TIER_10S.widthMs, now - LOAD_10S_MS),
      '1m': this.#readBuckets(row.id, TIER_1M.widthMs, now - LOAD_1M_MS),
    };
  }

  #readBuckets(series: number, width: number, fromMs: number): BucketRow[] {
    const rows = this.#db
      .prepare(
        'SELECT ts, count, values_blob FROM history_bucket WHERE series = ? AND width = ? AND ts >= ? ORDER BY ts',
      )
      .all(series, width, fromMs) as { ts: number; count: number; values_blob: Uint8Array }[];
    return rows.flatMap((r): BucketRow[] => {
      const values = floatsOf(r.values_blob, 3 * METRICS.length);
      return values === null ? [] : [{ ts: r.ts, count: r.count, values }];
    });
  }
}

function prepare(db: DatabaseSync): Statements {
  return {
    series: db.prepare(`
      INSERT INTO history_series (key, meta, first_ts, last_ts, restarts) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET meta = excluded.meta, last_ts = excluded.last_ts, restarts = excluded.restarts
      RETURNING id`),
    raw: db.prepare('INSERT OR REPLACE INTO history_raw (series, ts, values_blob) VALUES (?, ?, ?)'),
    bucket: db.prepare(
      'INSERT OR REPLACE INTO history_bucket (series, width, ts, count, values_blob) VALUES (?, ?, ?, ?, ?)',
    ),
    pruneRaw: db.prepare('DELETE FROM history_raw WHERE ts < ?'),
    pruneBuckets: db.prepare('DELETE FROM history_bucket WHERE width = ? AND ts < ?'),
    oldestBucket: db.prepare('SELECT min(ts) AS ts FROM history_bucket WHERE width = ?'),
  };
}

function rawValues(sample: Sample): Float64Array {
  const values = new Float64Array(METRICS.length);
  METRICS.forEach((metric, m) => {
    const value = sample[metric];
    values[m] = typeof value === 'number' && Number.isFinite(value) ? value : NaN;
  });
  return values;
}

function blobOf(values: Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** The blob as `count` floats, or null when it is not that size. */
function floatsOf(blob: Uint8Array, count: number): Float64Array | null {
  if (!(blob instanceof Uint8Array) || blob.byteLength !== count * Float64Array.BYTES_PER_ELEMENT)
    return null;
  return new Float64Array(blob.slice().buffer);
}

function usedBytes(db: DatabaseSync): number {
  const pages = db.prepare('PRAGMA page_count').get() as { page_count: number };
  const free = db.prepare('PRAGMA freelist_count').get() as { freelist_count: number };
  const size = db.prepare('PRAGMA page_size').get() as { page_size: number };
  return (pages.page_count - free.freelist_count) * size.page_size;
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function problemText(path: string, error: unknown): string {
  const errcode = (error as { errcode?: unknown }).errcode;
  const message = error instanceof Error ? error.message : String(error);
  return errcode === SQLITE_FULL || /disk is full|ENOSPC/i.test(message)
    ? TEXT.full(path)
    : TEXT.failed(path, message);
}
