import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type Decision, newCondition, reset, step } from '../../../src/alerts/noise.ts';
import type { Level } from '../../../src/alerts/threshold.ts';

const COOLDOWN = 5 * 60_000;
const MIN = 60_000;

function replay(steps: [number, Level][]): Decision[] {
  const c = newCondition();
  return steps.map(([at, level]) => step(c, level, at, COOLDOWN));
}

it('one alert per episode, however long it lasts', () => {
  assert.deepEqual(
    replay([
      [0, 'warning'],
      [MIN, 'warning'],
      [20 * MIN, 'warning'],
    ]),
    ['raise', null, null],
  );
});

it('an episode that clears says so; one that never started does not', () => {
  assert.deepEqual(
    replay([
      [0, 'none'],
      [MIN, 'warning'],
      [2 * MIN, 'none'],
      [3 * MIN, 'none'],
    ]),
    [null, 'raise', 'recover', null],
  );
});

it('a condition back within the cooldown is held and raised when the cooldown ends, if still there', () => {
  assert.deepEqual(
    replay([
      [0, 'warning'],
      [MIN, 'none'],
      [2 * MIN, 'warning'],
      [4 * MIN, 'warning'],
      [5 * MIN, 'warning'],
    ]),
    ['raise', 'recover', null, null, 'raise'],
  );
  // Gone again before the cooldown ended: nothing to recover from either.
  assert.deepEqual(
    replay([
      [0, 'warning'],
      [MIN, 'none'],
      [2 * MIN, 'warning'],
      [3 * MIN, 'none'],
    ]),
    ['raise', 'recover', null, null],
  );
});

it('escalation to critical bypasses the cooldown; falling back and rising again does not repeat it', () => {
  assert.deepEqual(
    replay([
      [0, 'warning'],
      [10_000, 'critical'],
      [20_000, 'warning'],
      [30_000, 'critical'],
      [40_000, 'warning'],
    ]),
    ['raise', 'raise', null, null, null],
  );
  // A new episode higher than the last alert is news even inside the cooldown.
  assert.deepEqual(
    replay([
      [0, 'warning'],
      [MIN, 'none'],
      [2 * MIN, 'critical'],
    ]),
    ['raise', 'recover', 'raise'],
  );
});

it('a reset ends the episode silently but keeps the cooldown', () => {
  const c = newCondition();
  assert.equal(step(c, 'warning', 0, COOLDOWN), 'raise');
  reset(c);
  assert.equal(step(c, 'none', MIN, COOLDOWN), null);
  assert.equal(step(c, 'warning', 2 * MIN, COOLDOWN), null);
  assert.equal(step(c, 'warning', 6 * MIN, COOLDOWN), 'raise');
});
