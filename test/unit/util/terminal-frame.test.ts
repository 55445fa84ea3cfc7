import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colorAllowed } from '../../../src/util/color.ts';
import { inPlaceFrame } from '../../../src/util/terminal-frame.ts';

describe('a frame drawn in place', () => {
  it('goes home, clears after each line and below the last, and never clears the screen', () => {
    const frame = inPlaceFrame(['NAME  CPU %', 'api   1.00%'], { columns: 20, rows: 10 });
    assert.equal(frame, '\x1b[HNAME  CPU %\x1b[K\napi   1.00%\x1b[K\x1b[J');
  });

  it('leaves a line that ends on the last column alone, colour codes not counted', () => {
    const full = `\x1b[33m${'x'.repeat(10)}\x1b[0m`;
    assert.equal(inPlaceFrame([full, 'y'], { columns: 10, rows: 5 }), `\x1b[H${full}\ny\x1b[K\x1b[J`);
  });

  it('fits the screen: what does not fit is counted in the last line', () => {
    const lines = Array.from({ length: 8 }, (_, i) => `line ${i}`);
    const frame = inPlaceFrame(lines, { columns: 40, rows: 5 });
    assert.deepEqual(frame.split('\n').length, 5);
    assert.ok(frame.includes('line 3\x1b[K\n… 4 more lines below\x1b[K\x1b[J'), frame);
  });
});

describe('colour', () => {
  it('only on a terminal, not with NO_COLOR set to anything, nor on a dumb terminal', () => {
    assert.equal(colorAllowed(true, {}), true);
    assert.equal(colorAllowed(false, {}), false);
    assert.equal(colorAllowed(true, { NO_COLOR: '1' }), false);
    assert.equal(colorAllowed(true, { NO_COLOR: '' }), true);
    assert.equal(colorAllowed(true, { TERM: 'dumb' }), false);
  });
});
