import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Series } from '../../../src/alerts/series.ts';
import { sustainedLevel, sustainedRange } from '../../../src/alerts/sustained.ts';
import type { Level } from '../../../src/alerts/threshold.ts';
import { DEFAULT_ALERT_SETTINGS } from '../../../src/alerts/types.ts';

const CPU = DEFAULT_ALERT_SETTINGS.cpu; // 70 / 90 %, 60 s, gaps over 30 s break a run

/** Feeds (seconds, percent) points at 5 s spacing unless given; returns the level after each. */
function run(values: [number, number][]): Level[] {
  const series = new Series(256);
  let level: Level = 'none';
  return values.map(([sec, v]) => {
    series.push(sec * 1000, v);
    series.keepFrom(sec * 1000 - CPU.sustainMs);
    return (level = sustainedLevel(level, series, sec * 1000, CPU));
  });
}

function every(
  fromSec: number,
  toSec: number,
  value: (sec: number) => number,
  stepSec = 5,
): [number, number][] {
  const out: [number, number][] = [];
  for (let s = fromSec; s <= toSec; s += stepSec) out.push([s, value(s)]);
  return out;
}

it('a burst shorter than the duration raises nothing', () => {
  const levels = run(every(0, 300, (s) => (s >= 100 && s < 150 ? 100 : 10)));
  assert.ok(levels.every((l) => l === 'none'));
});

it('load held for the whole duration raises the level it held, at the moment the duration is reached', () => {
  const points = every(0, 120, (s) => (s >= 30 ? 95 : 10));
  const levels = run(points);
  assert.deepEqual(points[levels.indexOf('critical')], [90, 95]);
  assert.ok(levels.slice(0, levels.indexOf('critical')).every((l) => l === 'none'));
});

it('a minute between 75 and 95 % is a warning, not critical', () => {
  const levels = run(every(0, 120, (s) => (s % 10 === 0 ? 95 : 75)));
  assert.equal(levels.at(-1), 'warning');
  assert.ok(!levels.includes('critical'));
});

it('one quiet sample does not clear a level; a quiet minute does', () => {
  const points = [...every(0, 100, () => 95), [105, 20] as [number, number], ...every(110, 240, () => 20)];
  const levels = run(points);
  assert.equal(levels[points.findIndex(([s]) => s === 105)], 'critical');
  assert.equal(levels[points.findIndex(([s]) => s === 160)], 'critical');
  assert.equal(levels[points.findIndex(([s]) => s === 165)], 'none');
});

it('a gap in the samples neither raises nor clears until a full duration is seen again', () => {
  // 40 s of load, 50 s without samples, then load again: nobody saw the middle.
  const points = [...every(0, 40, () => 99), ...every(90, 180, () => 99)];
  const levels = run(points);
  assert.equal(levels[points.findIndex(([s]) => s === 140)], 'none');
  assert.equal(levels[points.findIndex(([s]) => s === 150)], 'critical');
});

it('the range needs coverage back to the start of the duration and a point near now', () => {
  const series = new Series(16);
  series.push(0, 80);
  series.push(30_000, 90);
  series.push(60_000, 85);
  assert.deepEqual(sustainedRange(series, 60_000, 60_000, 30_000), { min: 80, max: 90 });
  assert.equal(sustainedRange(series, 60_000, 61_000, 30_000), null);
  assert.equal(sustainedRange(series, 95_000, 60_000, 30_000), null);
});
