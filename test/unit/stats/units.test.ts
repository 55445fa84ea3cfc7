import assert from 'node:assert/strict';
import { it } from 'node:test';
import { binarySize, decimalSize } from '../../../src/stats/units.ts';

it('memory prints like docker stats (1024-based, 4 significant digits)', () => {
  assert.equal(binarySize(0), '0B');
  assert.equal(binarySize(1536), '1.5KiB');
  assert.equal(binarySize(48 * 1024 * 1024), '48MiB');
  assert.equal(binarySize(25276514304), '23.54GiB');
  assert.equal(binarySize(1_234_567), '1.177MiB');
});

it('network and block I/O print like docker stats (1000-based, 3 significant digits)', () => {
  assert.equal(decimalSize(0), '0B');
  assert.equal(decimalSize(648), '648B');
  assert.equal(decimalSize(96802652), '96.8MB');
  assert.equal(decimalSize(21084946999), '21.1GB');
});

it('a value that is not finite never prints as NaN', () => {
  assert.equal(binarySize(Number.NaN), '--');
  assert.equal(decimalSize(Number.POSITIVE_INFINITY), '--');
});
