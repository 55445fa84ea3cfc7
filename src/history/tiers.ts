import { Ring } from './ring.ts';

/**
 * Downsampled history: samples folded into fixed-width, epoch-aligned buckets holding
 * min/avg/max per metric and the number of samples folded.
 *
 * One bucket is open at a time and closes (moves into the ring) when a sample of a later bucket
 * arrives; reads include the open bucket, so a zoomed-out chart still reaches the present.
 * Every tier folds raw samples itself rather than the coarser tier folding the finer one: the
 * averages stay exact without keeping a per-metric count in every stored bucket.
 *
 * A metric that had no value for the whole bucket stores NaN (read as null); a null sample value
 * is skipped, so it neither counts as 0 nor pulls the average down. Buckets with no samples at
 * all are not stored, so a stopped container leaves a gap and the ring reaches further back.
 */

/** One downsampled point; min/avg/max are null when no sample in the bucket had the metric. */
export interface BucketPoint {
  /** Bucket start, ms since epoch; the bucket covers [ts, ts + width). */
  readonly ts: number;
  readonly min: number | null;
  readonly avg: number | null;
  readonly max: number | null;
  /** Samples folded into the bucket, with or without this metric. */
  readonly count: number;
}

/** One bucket of every metric, as it is kept on disk: per metric min, avg, max (NaN for none). */
export interface BucketRow {
  readonly ts: number;
  readonly count: number;
  /** 3 values per metric: min, avg, max. */
  readonly values: Float64Array;
}

export interface TierSpec {
  readonly widthMs: number;
  /** How far back closed buckets must reach when samples arrive without gaps. */
  readonly retentionMs: number;
}

/** Bucket widths the store keeps: 10 s for the last hour, 1 min for the last day. */
export const TIER_10S: TierSpec = { widthMs: 10_000, retentionMs: 3_600_000 };
export const TIER_1M: TierSpec = { widthMs: 60_000, retentionMs: 86_400_000 };

/** Start of the bucket holding ts. */
export function bucketStart(ts: number, widthMs: number): number {
  return Math.floor(ts / widthMs) * widthMs;
}

/** Closed buckets to keep so that they alone span the retention; the open one comes on top. */
export function tierCapacity(spec: TierSpec): number {
  return Math.ceil(spec.retentionMs / spec.widthMs) + 1;
}

/** Ring columns per bucket: the sample count, then min, avg, max of each metric. */
function columnCount(metricCount: number): number {
  return 1 + 3 * metricCount;
}

/** Typed-array bytes one tier holds for `metricCount` metrics: its ring plus the open bucket. */
export function tierBytes(spec: TierSpec, metricCount: number): number {
  const ringBytes = tierCapacity(spec) * (1 + columnCount(metricCount)) * Float64Array.BYTES_PER_ELEMENT;
  const openBytes = (4 * metricCount + columnCount(metricCount)) * Float64Array.BYTES_PER_ELEMENT;
  return ringBytes + openBytes;
}

export class Tier {
  readonly widthMs: number;
  readonly #ring: Ring;
  readonly #metricCount: number;
  /** The open bucket: NaN start while there is none. */
  #openStart = NaN;
  #openCount = 0;
  /** Per-metric min, max, sum and non-null count of the open bucket: views of one buffer. */
  readonly #min: Float64Array;
  readonly #max: Float64Array;
  readonly #sum: Float64Array;
  readonly #n: Float64Array;
  /** Reused row for closing a bucket, so closing allocates nothing; shares the same buffer. */
  readonly #row: Float64Array;
  readonly #openBytes: number;

  constructor(spec: TierSpec, metricCount: number) {
    this.widthMs = spec.widthMs;
    this.#metricCount = metricCount;
    this.#ring = new Ring(tierCapacity(spec), columnCount(metricCount));
    const open = new Float64Array(4 * metricCount + columnCount(metricCount));
    this.#openBytes = open.byteLength;
    this.#min = open.subarray(0, metricCount);
    this.#max = open.subarray(metricCount, 2 * metricCount);
    this.#sum = open.subarray(2 * metricCount, 3 * metricCount);
    this.#n = open.subarray(3 * metricCount, 4 * metricCount);
    this.#row = open.subarray(4 * metricCount);
  }

  /** Bytes held by typed arrays; fixed at construction. */
  get bytes(): number {
    return this.#ring.bytes + this.#openBytes;
  }

  /**
   * Folds one sample, `values[m]` being metric m or NaN for none. The caller guarantees ts
   * increases; a sample older than the open bucket is ignored rather than reopening a closed one.
   */
  add(ts: number, values: ArrayLike<number>): void {
    const start = bucketStart(ts, this.widthMs);
    if (start < this.#openStart) return;
    if (Number.isNaN(this.#openStart) || start > this.#openStart) {
      this.#close();
      this.#open(start);
    }
    this.#openCount++;
    for (let m = 0; m < this.#metricCount; m++) {
      const value = values[m] as number;
      if (Number.isNaN(value)) continue;
      if ((this.#n[m] as number) === 0) {
        this.#min[m] = value;
        this.#max[m] = value;
      } else {
        if (value < (this.#min[m] as number)) this.#min[m] = value;
        if (value > (this.#max[m] as number)) this.#max[m] = value;
      }
      this.#sum[m] = (this.#sum[m] as number) + value;
      this.#n[m] = (this.#n[m] as number) + 1;
    }
  }

  /**
   * Oldest bucket start still held, or null when empty. Before the ring wraps nothing has been
   * lost, so the tier then holds the series' whole life whatever this says.
   */
  get retainedFrom(): number | null {
    return this.#ring.firstTs ?? (Number.isNaN(this.#openStart) ? null : this.#openStart);
  }

  /** True when this tier still holds every bucket overlapping [fromMs, now]. */
  covers(fromMs: number): boolean {
    const first = this.#ring.firstTs;
    return !this.#ring.wrapped || (first !== null && first <= fromMs);
  }

  /** Buckets overlapping [fromMs, toMs] for metric m, oldest first, the open bucket last. */
  range(metric: number, fromMs: number, toMs: number): BucketPoint[] {
    const points: BucketPoint[] = [];
    if (!(fromMs <= toMs)) return points;
    const end = this.#ring.firstAfter(toMs);
    for (let i = this.#ring.firstAfter(fromMs - this.widthMs); i < end; i++) {
      points.push({
        ts: this.#ring.tsAt(i),
        min: this.#ring.valueAt(1 + 3 * metric, i),
        avg: this.#ring.valueAt(2 + 3 * metric, i),
        max: this.#ring.valueAt(3 + 3 * metric, i),
        count: this.#ring.valueAt(0, i) ?? 0,
      });
    }
    const open = this.#openStart;
    if (!Number.isNaN(open) && open <= toMs && open + this.widthMs > fromMs) {
      const n = this.#n[metric] as number;
      points.push({
        ts: open,
        min: n === 0 ? null : (this.#min[metric] as number),
        avg: n === 0 ? null : (this.#sum[metric] as number) / n,
        max: n === 0 ? null : (this.#max[metric] as number),
        count: this.#openCount,
      });
    }
    return points;
  }

  /** Every bucket starting at or after fromMs, the open one last, with all metrics: what a disk batch writes. */
  rowsFrom(fromMs: number): BucketRow[] {
    const rows: BucketRow[] = [];
    const columns = 3 * this.#metricCount;
    for (let i = this.#ring.firstAtOrAfter(fromMs); i < this.#ring.length; i++) {
      const values = new Float64Array(columns);
      for (let c = 0; c < columns; c++) values[c] = this.#ring.valueAt(1 + c, i) ?? NaN;
      rows.push({ ts: this.#ring.tsAt(i), count: this.#ring.valueAt(0, i) ?? 0, values });
    }
    const open = this.#openStart;
    if (!Number.isNaN(open) && open >= fromMs) {
      const values = new Float64Array(columns);
      for (let m = 0; m < this.#metricCount; m++) {
        const n = this.#n[m] as number;
        values[3 * m] = n === 0 ? NaN : (this.#min[m] as number);
        values[3 * m + 1] = n === 0 ? NaN : (this.#sum[m] as number) / n;
        values[3 * m + 2] = n === 0 ? NaN : (this.#max[m] as number);
      }
      rows.push({ ts: open, count: this.#openCount, values });
    }
    return rows;
  }

  /**
   * Refills an empty tier from disk, oldest first. The newest row becomes the open bucket again, so
   * a restart within its width goes on folding into it; its per-metric sample count is not kept on
   * disk and is taken to be the bucket's count, which only weighs the average of that one bucket.
   */
  seed(rows: readonly BucketRow[]): void {
    const last = rows.at(-1);
    if (last === undefined || !Number.isNaN(this.#openStart)) return;
    const row = this.#row;
    for (const bucket of rows.slice(0, -1)) {
      row[0] = bucket.count;
      row.set(bucket.values.subarray(0, row.length - 1), 1);
      this.#ring.push(bucket.ts, row);
    }
    this.#open(last.ts);
    this.#openCount = last.count;
    for (let m = 0; m < this.#metricCount; m++) {
      const avg = last.values[3 * m + 1] as number;
      if (Number.isNaN(avg)) continue;
      this.#min[m] = last.values[3 * m] as number;
      this.#max[m] = last.values[3 * m + 2] as number;
      this.#n[m] = last.count;
      this.#sum[m] = avg * last.count;
    }
  }

  #open(start: number): void {
    this.#openStart = start;
    this.#openCount = 0;
    this.#n.fill(0);
    this.#sum.fill(0);
  }

  #close(): void {
    if (Number.isNaN(this.#openStart)) return;
    const row = this.#row;
    row[0] = this.#openCount;
    for (let m = 0; m < this.#metricCount; m++) {
      const n = this.#n[m] as number;
      row[1 + 3 * m] = n === 0 ? NaN : (this.#min[m] as number);
      row[2 + 3 * m] = n === 0 ? NaN : (this.#sum[m] as number) / n;
      row[3 + 3 * m] = n === 0 ? NaN : (this.#max[m] as number);
    }
    this.#ring.push(this.#openStart, row);
  }
}
