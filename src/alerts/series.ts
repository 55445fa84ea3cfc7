/**
 * A short, bounded (ts, value) history for one container, enough for the CPU and trend rules.
 * Capacity is fixed at construction; a caller that samples faster than capacity allows passes a
 * minimum spacing, so the history is thinned instead of covering less time.
 */
export interface Points {
  readonly length: number;
  tsAt(index: number): number;
  valueAt(index: number): number;
}

export class Series implements Points {
  readonly capacity: number;
  readonly #ts: Float64Array;
  readonly #values: Float64Array;
  #head = 0;
  #length = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`series capacity ${capacity}`);
    this.capacity = capacity;
    this.#ts = new Float64Array(capacity);
    this.#values = new Float64Array(capacity);
  }

  get length(): number {
    return this.#length;
  }

  /** Newest ts, or null while empty. */
  get lastTs(): number | null {
    return this.#length === 0 ? null : this.tsAt(this.#length - 1);
  }

  /** Appends a point; false (nothing stored) when not finite, not newer, or too close to the newest. */
  push(ts: number, value: number, minSpacingMs = 0): boolean {
    if (!Number.isFinite(ts) || !Number.isFinite(value)) return false;
    const last = this.lastTs;
    if (last !== null && (ts <= last || ts - last < minSpacingMs)) return false;
    let slot: number;
    if (this.#length < this.capacity) {
      slot = (this.#head + this.#length) % this.capacity;
      this.#length++;
    } else {
      slot = this.#head;
      this.#head = (this.#head + 1) % this.capacity;
    }
    this.#ts[slot] = ts;
    this.#values[slot] = value;
    return true;
  }

  /** Drops the oldest points while the one after them is still at or before `ts`. */
  keepFrom(ts: number): void {
    while (this.#length >= 2 && this.tsAt(1) <= ts) {
      this.#head = (this.#head + 1) % this.capacity;
      this.#length--;
    }
  }

  clear(): void {
    this.#head = 0;
    this.#length = 0;
  }

  tsAt(index: number): number {
    return this.#ts[this.#slot(index)] as number;
  }

  valueAt(index: number): number {
    return this.#values[this.#slot(index)] as number;
  }

  #slot(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.#length)
      throw new RangeError(`series index ${index}`);
    return (this.#head + index) % this.capacity;
  }
}
