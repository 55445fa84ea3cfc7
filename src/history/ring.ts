/**
 * A fixed-capacity ring of numeric rows stored column by column: the timestamps and then each
 * value column, each contiguous, all in one Float64Array allocated up front, so that a series
 * costs the same bytes on its first push as on its millionth. One array rather than one per
 * column because each typed array also costs a JS object of about a hundred heap bytes, which
 * over ~80 columns per series outweighed the per-series bookkeeping.
 *
 * NaN marks "no value" inside the array because a typed array cannot hold null; every read turns
 * it back into null, so NaN never leaves this module.
 *
 * Timestamps must strictly increase. A row whose ts is not later than the newest one is dropped,
 * not clamped: clamping would file a reading under a time it was not taken, and the binary
 * searches below rely on strict order.
 */
export class Ring {
  readonly capacity: number;
  readonly columnCount: number;
  /** Row `slot`: ts at [slot], column c at [(c + 1) * capacity + slot]. */
  readonly #data: Float64Array;
  /** Physical index of the oldest row. */
  #head = 0;
  #length = 0;
  #wrapped = false;

  constructor(capacity: number, columnCount: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity ${capacity}`);
    this.capacity = capacity;
    this.columnCount = columnCount;
    this.#data = new Float64Array(capacity * (1 + columnCount));
  }

  get length(): number {
    return this.#length;
  }

  /** True once a row has been overwritten, i.e. the ring no longer holds everything pushed. */
  get wrapped(): boolean {
    return this.#wrapped;
  }

  /** Bytes held by the typed array; fixed at construction. */
  get bytes(): number {
    return this.#data.byteLength;
  }

  /** Oldest and newest ts, or null while empty. */
  get firstTs(): number | null {
    return this.#length === 0 ? null : this.tsAt(0);
  }

  get lastTs(): number | null {
    return this.#length === 0 ? null : this.tsAt(this.#length - 1);
  }

  /**
   * Appends a row; `values[c]` goes to column c, null or a non-finite number is stored as "no value".
   * Returns false, storing nothing, when ts is not finite or not later than the newest row.
   */
  push(ts: number, values: ArrayLike<number | null>): boolean {
    if (!Number.isFinite(ts)) return false;
    const last = this.lastTs;
    if (last !== null && ts <= last) return false;
    let slot: number;
    if (this.#length < this.capacity) {
      slot = (this.#head + this.#length) % this.capacity;
      this.#length++;
    } else {
      slot = this.#head;
      this.#head = (this.#head + 1) % this.capacity;
      this.#wrapped = true;
    }
    this.#data[slot] = ts;
    for (let c = 0; c < this.columnCount; c++) {
      const value = c < values.length ? values[c] : null;
      this.#data[(c + 1) * this.capacity + slot] =
        typeof value === 'number' && Number.isFinite(value) ? value : NaN;
    }
    return true;
  }

  /** The ts of the i-th row in time order (0 is the oldest). */
  tsAt(index: number): number {
    return this.#data[this.#physical(index)] as number;
  }

  /** The value of column `column` in the i-th row in time order, null when it had none. */
  valueAt(column: number, index: number): number | null {
    if (!Number.isInteger(column) || column < 0 || column >= this.columnCount) {
      throw new RangeError(`ring column ${column}`);
    }
    const value = this.#data[(column + 1) * this.capacity + this.#physical(index)] as number;
    return Number.isNaN(value) ? null : value;
  }

  /** Index of the first row with ts >= t (length when none): rows are in ts order, so binary search. */
  firstAtOrAfter(t: number): number {
    let low = 0;
    let high = this.#length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.tsAt(mid) < t) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Index of the first row with ts > t (length when none). */
  firstAfter(t: number): number {
    let low = 0;
    let high = this.#length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.tsAt(mid) <= t) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #physical(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.#length) {
      throw new RangeError(`ring index ${index} of ${this.#length}`);
    }
    return (this.#head + index) % this.capacity;
  }
}
