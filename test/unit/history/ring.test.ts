import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ring } from '../../../src/history/ring.ts';

function rows(ring: Ring, column: number): [number, number | null][] {
  return Array.from({ length: ring.length }, (_, i) => [ring.tsAt(i), ring.valueAt(column, i)]);
}

describe('Ring', () => {
  it('keeps rows in time order and overwrites the oldest once full', () => {
    const ring = new Ring(3, 1);
    for (let ts = 1; ts <= 5; ts++) assert.equal(ring.push(ts, [ts * 10]), true);
    assert.equal(ring.length, 3);
    assert.equal(ring.wrapped, true);
    assert.deepEqual(rows(ring, 0), [
      [3, 30],
      [4, 40],
      [5, 50],
    ]);
    assert.equal(ring.firstTs, 3);
    assert.equal(ring.lastTs, 5);
  });

  it('is not wrapped until a row is overwritten', () => {
    const ring = new Ring(2, 1);
    ring.push(1, [1]);
    ring.push(2, [2]);
    assert.equal(ring.wrapped, false);
    ring.push(3, [3]);
    assert.equal(ring.wrapped, true);
  });

  it('reads null, never NaN, for null, NaN, infinite and missing values', () => {
    const ring = new Ring(4, 3);
    ring.push(1, [null, NaN, Infinity]);
    ring.push(2, [0]);
    assert.deepEqual(
      [0, 1, 2].map((c) => ring.valueAt(c, 0)),
      [null, null, null],
    );
    assert.deepEqual(
      [0, 1, 2].map((c) => ring.valueAt(c, 1)),
      [0, null, null],
    );
  });

  it('drops a row whose ts is not later than the newest, and a non-finite ts', () => {
    const ring = new Ring(4, 1);
    ring.push(10, [1]);
    ring.push(20, [2]);
    assert.equal(ring.push(15, [3]), false);
    assert.equal(ring.push(20, [4]), false);
    assert.equal(ring.push(NaN, [5]), false);
    assert.deepEqual(rows(ring, 0), [
      [10, 1],
      [20, 2],
    ]);
    assert.equal(ring.push(21, [6]), true);
  });

  it('finds range bounds by binary search across the wrap point', () => {
    const ring = new Ring(5, 0);
    for (let ts = 0; ts < 8; ts++) ring.push(ts * 10, []);
    // Holds 30, 40, 50, 60, 70 with the physical start mid-array.
    assert.equal(ring.firstAtOrAfter(40), 1);
    assert.equal(ring.firstAtOrAfter(41), 2);
    assert.equal(ring.firstAfter(40), 2);
    assert.equal(ring.firstAtOrAfter(0), 0);
    assert.equal(ring.firstAfter(70), 5);
    assert.equal(ring.firstAtOrAfter(1000), 5);
  });

  it('holds a fixed number of bytes from construction on', () => {
    const ring = new Ring(100, 10);
    assert.equal(ring.bytes, 100 * 11 * 8);
    for (let ts = 0; ts < 1000; ts++)
      ring.push(
        ts,
        Array.from({ length: 10 }, () => ts),
      );
    assert.equal(ring.bytes, 100 * 11 * 8);
  });

  it('rejects a bad capacity and out-of-range reads', () => {
    assert.throws(() => new Ring(0, 1), RangeError);
    assert.throws(() => new Ring(1.5, 1), RangeError);
    const ring = new Ring(2, 1);
    assert.throws(() => ring.tsAt(0), RangeError);
    ring.push(1, [1]);
    assert.throws(() => ring.valueAt(1, 0), RangeError);
    assert.throws(() => ring.tsAt(1), RangeError);
  });
});
