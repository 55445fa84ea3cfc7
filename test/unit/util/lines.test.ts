import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLineSplitter } from '../../../src/util/lines.ts';

describe('createLineSplitter', () => {
  it('joins lines split across chunks and skips blank ones', () => {
    const lines: string[] = [];
    const split = createLineSplitter(1024, (l) => lines.push(l));
    split('{"a":');
    split('1}\n\n{"b"');
    split(':2}\n');
    assert.deepEqual(lines, ['{"a":1}', '{"b":2}']);
  });
  it('keeps multi-byte characters that straddle a chunk boundary', () => {
    const lines: string[] = [];
    const split = createLineSplitter(1024, (l) => lines.push(l));
    const bytes = Buffer.from('Größe\n');
    split(bytes.subarray(0, 3));
    split(bytes.subarray(3));
    assert.deepEqual(lines, ['Größe']);
  });
  it('drops an oversized line without buffering it, then carries on', () => {
    const lines: string[] = [];
    const oversize: number[] = [];
    const split = createLineSplitter(
      16,
      (l) => lines.push(l),
      (n) => oversize.push(n),
    );
    split('x'.repeat(10));
    split('y'.repeat(10));
    split('z'.repeat(1000));
    split('\nok\n');
    assert.deepEqual(lines, ['ok']);
    assert.deepEqual(oversize, [20], 'reported once, as soon as it passed the bound');
  });
});
