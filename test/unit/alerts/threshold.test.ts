import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type Level, levelAfter, levelOf } from '../../../src/alerts/threshold.ts';

const LINES = { warningPercent: 85, criticalPercent: 90, hysteresisPoints: 5 };

function walk(values: number[], start: Level = 'none'): Level[] {
  let level = start;
  return values.map((v) => (level = levelAfter(level, v, LINES)));
}

it('levels are entered at their lines', () => {
  assert.equal(levelOf(84.9, LINES), 'none');
  assert.equal(levelOf(85, LINES), 'warning');
  assert.equal(levelOf(90, LINES), 'critical');
});

it('a value hovering at 85 % stays one warning, it does not flap', () => {
  const levels = walk([84, 85.1, 84.8, 85.3, 84.2, 85.0, 83.1, 86]);
  assert.deepEqual(levels, ['none', ...Array(7).fill('warning')]);
});

it('warning clears only a few points under its line', () => {
  assert.deepEqual(walk([86, 81, 80, 79.9]), ['warning', 'warning', 'warning', 'none']);
});

it('critical falls back to warning under 85 and to nothing under 80', () => {
  assert.deepEqual(walk([91, 86, 89.9, 84.9, 90]), [
    'critical',
    'critical',
    'critical',
    'warning',
    'critical',
  ]);
  assert.deepEqual(walk([95, 70]), ['critical', 'none']);
});

it('a missing value changes nothing', () => {
  assert.equal(levelAfter('warning', Number.NaN, LINES), 'warning');
});
