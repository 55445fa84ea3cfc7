import { SAMPLE_METRICS, type Sample } from '../model.ts';
import { Ring } from './ring.ts';
import { TIER_10S, TIER_1M, Tier, tierBytes, type BucketPoint, type BucketRow } from './tiers.ts';

/**
 * Bounded per-container history, keyed by Sample.key (host/stack/service/number) so that a
 * container recreated by `docker compose up` continues its series; the id change is kept as a
 * restart marker for charts.
 *
 * Each series holds a raw ring (by count: 1200 rows is 20 min at the 1 s fast interval and
 * 100 min at the 5 s tray interval), a 10 s tier spanning 1 h and a 1 min tier spanning 24 h.
 * Every array is allocated when the series is created, so memory per series is a constant
 * (`seriesBytes`) and the whole store is bounded by `historyFootprint(maxSeries)`.
 *
 * Departures from the first design, and why:
 * - No clock option. Every time the store needs is the sample's own ts, and "least recently
 *   updated" is the order of writes, which a Map re-inserted on each write gives in O(1);
 *   a clock would add a second notion of time that could disagree with the samples.
 * - `range` returns `{ resolution, points }` rather than bare points: with 'auto' the caller
 *   cannot otherwise tell raw points from buckets.
 * - Default maxSeries is 200, not 500: a series costs 576,240 bytes (`seriesBytes()`), so 500 of
 *   them would let a tray app grow to 288 MB; a Dify stack is about a dozen containers (~7 MB),
 *   and 200 leaves room for many stacks on several hosts at a 115 MB worst case.
 */

export const METRICS = SAMPLE_METRICS;

export type Metric = (typeof METRICS)[number];
export type Resolution = 'raw' | '10s' | '1m';

export interface RawPoint {
  readonly ts: number;
  readonly value: number | null;
}

export type RangeResult =
  | { readonly resolution: 'raw'; readonly points: RawPoint[] }
  | { readonly resolution: '10s' | '1m'; readonly widthMs: number; readonly points: BucketPoint[] };

/** Who the series is now, from its latest sample. */
export type SeriesMeta = Pick<
  Sample,
  'host' | 'stack' | 'service' | 'role' | 'name' | 'id' | 'image' | 'state'
>;

/** The series' container was replaced: samples from ts on come from `id`. */
export interface Restart {
  readonly ts: number;
  readonly previousId: string;
  readonly id: string;
}

export interface SeriesSummary {
  readonly key: string;
  readonly meta: SeriesMeta;
  readonly firstTs: number;
  readonly lastTs: number;
  /** Oldest restarts first, at most MAX_RESTARTS. */
  readonly restarts: readonly Restart[];
  /** Oldest ts (bucket start for tiers) each resolution still holds. */
  readonly retainedFrom: Readonly<Record<Resolution, number | null>>;
}

/** One raw sample of every metric (NaN for none), in METRICS order. */
export interface RawRow {
  readonly ts: number;
  readonly values: Float64Array;
}

/** A series as the disk keeps it, to refill the store at start. Rows oldest first. */
export interface SavedSeries {
  readonly latest: Sample;
  readonly firstTs: number;
  readonly restarts: readonly Restart[];
  readonly raw: readonly RawRow[];
  readonly '10s': readonly BucketRow[];
  readonly '1m': readonly BucketRow[];
}

export interface HistoryOptions {
  /** Raw rows per series. */
  readonly rawCapacity?: number;
  /** Series kept; adding one more evicts the least recently updated. */
  readonly maxSeries?: number;
}

const DEFAULT_RAW_CAPACITY = 1200;
export const DEFAULT_MAX_SERIES = 200;
export const MAX_RESTARTS = 16;

/**
 * Heap bytes per series outside the typed arrays, estimated: the series, ring and tier objects,
 * the Map entry and key, the latest Sample with its strings and up to MAX_RESTARTS markers.
 * Measured at about 5.9 KB per series with a full restart list (heapUsed over 500 series on
 * Node 24), rounded up.
 */
export const SERIES_OVERHEAD_BYTES = 8192;

/** Bytes one series holds: typed arrays exactly, plus SERIES_OVERHEAD_BYTES. */
export function seriesBytes(rawCapacity: number = DEFAULT_RAW_CAPACITY): number {
  const rawBytes = rawCapacity * (1 + METRICS.length) * Float64Array.BYTES_PER_ELEMENT;
  return (
    rawBytes +
    tierBytes(TIER_10S, METRICS.length) +
    tierBytes(TIER_1M, METRICS.length) +
    SERIES_OVERHEAD_BYTES
  );
}

/** The most the history can hold for `series` series: what the docs quote as the bound. */
export function historyFootprint(series: number, rawCapacity: number = DEFAULT_RAW_CAPACITY): number {
  return series * seriesBytes(rawCapacity);
}

const METRIC_INDEX: ReadonlyMap<string, number> = new Map(METRICS.map((metric, index) => [metric, index]));

class Series {
  readonly raw: Ring;
  readonly tiers: { readonly '10s': Tier; readonly '1m': Tier };
  readonly restarts: Restart[] = [];
  readonly firstTs: number;
  latest: Sample;

  constructor(first: Sample, rawCapacity: number, firstTs: number = first.ts) {
    this.raw = new Ring(rawCapacity, METRICS.length);
    this.tiers = { '10s': new Tier(TIER_10S, METRICS.length), '1m': new Tier(TIER_1M, METRICS.length) };
    this.firstTs = firstTs;
    this.latest = first;
  }

  get bytes(): number {
    return this.raw.bytes + this.tiers['10s'].bytes + this.tiers['1m'].bytes + SERIES_OVERHEAD_BYTES;
  }

  /**
   * Records a new container id once. An id seen before is not a restart: while compose replaces a
   * container, a late sample from the old one can land after the new one's first.
   */
  noteId(sample: Sample): void {
    const previousId = this.latest.id;
    if (sample.id === previousId) return;
    if (this.restarts.some((r) => r.id === sample.id || r.previousId === sample.id)) return;
    this.restarts.push({ ts: sample.ts, previousId, id: sample.id });
    if (this.restarts.length > MAX_RESTARTS) this.restarts.shift();
  }
}

export class HistoryStore {
  readonly rawCapacity: number;
  readonly maxSeries: number;
  /** Map order is write order: the first entry is the least recently updated series. */
  readonly #series = new Map<string, Series>();
  readonly #values = new Float64Array(METRICS.length);

  constructor(options: HistoryOptions = {}) {
    this.rawCapacity = options.rawCapacity ?? DEFAULT_RAW_CAPACITY;
    this.maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
    if (!Number.isInteger(this.rawCapacity) || this.rawCapacity < 1) {
      throw new RangeError(`rawCapacity ${this.rawCapacity}`);
    }
    if (!Number.isInteger(this.maxSeries) || this.maxSeries < 1) {
      throw new RangeError(`maxSeries ${this.maxSeries}`);
    }
  }

  /**
   * Stores a sample under its key. Returns false, storing nothing, when its ts is not later than
   * the series' newest sample (a late or repeated sample).
   */
  add(sample: Sample): boolean {
    let series = this.#series.get(sample.key);
    if (series === undefined) {
      if (!Number.isFinite(sample.ts)) return false;
      while (this.#series.size >= this.maxSeries) this.#evictOldest();
      series = new Series(sample, this.rawCapacity);
    } else {
      const last = series.raw.lastTs;
      if (!(last === null || sample.ts > last)) return false;
      series.noteId(sample);
    }
    const values = this.#values;
    for (let m = 0; m < METRICS.length; m++) {
      const value = sample[METRICS[m] as Metric];
      values[m] = typeof value === 'number' && Number.isFinite(value) ? value : NaN;
    }
    series.raw.push(sample.ts, values);
    series.tiers['10s'].add(sample.ts, values);
    series.tiers['1m'].add(sample.ts, values);
    series.latest = sample;
    this.#series.delete(sample.key);
    this.#series.set(sample.key, series);
    return true;
  }

  /**
   * Refills a series from disk at start, before any sample of this run; a key already held is
   * left as it is. The raw rows beyond the ring's capacity are the oldest and are dropped.
   */
  restore(key: string, saved: SavedSeries): boolean {
    if (this.#series.has(key) || !Number.isFinite(saved.firstTs)) return false;
    while (this.#series.size >= this.maxSeries) this.#evictOldest();
    const series = new Series(saved.latest, this.rawCapacity, saved.firstTs);
    for (const row of saved.raw.slice(-this.rawCapacity)) series.raw.push(row.ts, row.values);
    series.tiers['10s'].seed(saved['10s']);
    series.tiers['1m'].seed(saved['1m']);
    series.restarts.push(...saved.restarts.slice(-MAX_RESTARTS));
    this.#series.set(key, series);
    return true;
  }

  /** A series' buckets of one tier from fromMs on, all metrics, the open one last: what the disk writes. */
  bucketsFrom(key: string, resolution: '10s' | '1m', fromMs: number): BucketRow[] {
    return this.#series.get(key)?.tiers[resolution].rowsFrom(fromMs) ?? [];
  }

  /** The last sample stored under key, as given. */
  latest(key: string): Sample | undefined {
    return this.#series.get(key)?.latest;
  }

  series(key: string): SeriesSummary | undefined {
    const series = this.#series.get(key);
    if (series === undefined) return undefined;
    const { host, stack, service, role, name, id, image, state, ts } = series.latest;
    return {
      key,
      meta: { host, stack, service, role, name, id, image, state },
      firstTs: series.firstTs,
      lastTs: ts,
      restarts: [...series.restarts],
      retainedFrom: {
        raw: series.raw.firstTs,
        '10s': series.tiers['10s'].retainedFrom,
        '1m': series.tiers['1m'].retainedFrom,
      },
    };
  }

  /** Keys held, sorted. */
  keys(): string[] {
    return [...this.#series.keys()].sort();
  }

  forget(key: string): boolean {
    return this.#series.delete(key);
  }

  /** Bytes the history holds now: exact for typed arrays, SERIES_OVERHEAD_BYTES per series for the rest. */
  memoryBytes(): number {
    let total = 0;
    for (const series of this.#series.values()) total += series.bytes;
    return total;
  }

  /**
   * Values of one metric over [fromMs, toMs], both ends inclusive, oldest first. 'auto' picks raw
   * when the raw ring still holds everything from fromMs on, else the finest tier that does,
   * else the 1 min tier with what it has. Tier buckets are returned when they overlap the range.
   */
  range(
    key: string,
    metric: Metric,
    fromMs: number,
    toMs: number,
    resolution: Resolution | 'auto' = 'auto',
  ): RangeResult {
    const column = METRIC_INDEX.get(metric);
    if (column === undefined) throw new RangeError(`unknown metric ${String(metric)}`);
    const series = this.#series.get(key);
    const chosen = resolution === 'auto' ? pick(series, fromMs) : resolution;
    if (chosen === 'raw') {
      const points: RawPoint[] = [];
      if (series !== undefined && fromMs <= toMs) {
        const { raw } = series;
        const end = raw.firstAfter(toMs);
        for (let i = raw.firstAtOrAfter(fromMs); i < end; i++) {
          points.push({ ts: raw.tsAt(i), value: raw.valueAt(column, i) });
        }
      }
      return { resolution: 'raw', points };
    }
    const tier = series?.tiers[chosen];
    const widthMs = chosen === '10s' ? TIER_10S.widthMs : TIER_1M.widthMs;
    return {
      resolution: chosen,
      widthMs,
      points: tier === undefined ? [] : tier.range(column, fromMs, toMs),
    };
  }

  #evictOldest(): void {
    const oldest = this.#series.keys().next();
    if (oldest.done !== true) this.#series.delete(oldest.value);
  }
}

function pick(series: Series | undefined, fromMs: number): Resolution {
  if (series === undefined) return 'raw';
  const { raw, tiers } = series;
  const rawFirst = raw.firstTs;
  if (!raw.wrapped || (rawFirst !== null && rawFirst <= fromMs)) return 'raw';
  if (tiers['10s'].covers(fromMs)) return '10s';
  return '1m';
}
