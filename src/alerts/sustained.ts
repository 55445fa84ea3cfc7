/**
 * A level that must hold for a duration: raised only when every sample of the last `sustainMs`
 * reached it, cleared only when every sample of the last `sustainMs` was under its clearing line.
 * A burst shorter than the duration changes nothing, and neither does one quiet sample in a busy
 * minute. Samples further apart than `maxGapMs` leave a hole nobody can vouch for, so the level
 * holds where it is until a full duration has been seen again.
 */
import type { Points } from './series.ts';
import { type Level, levelAfter, levelOf, rank } from './threshold.ts';
import type { CpuSettings } from './types.ts';

export interface Range {
  readonly min: number;
  readonly max: number;
}

/**
 * Min and max over the points covering [now - durationMs, now], or null when they do not cover
 * it: too short a history, or a gap (including one between the newest point and `now`).
 */
export function sustainedRange(
  points: Points,
  now: number,
  durationMs: number,
  maxGapMs: number,
): Range | null {
  const n = points.length;
  if (n === 0) return null;
  const start = now - durationMs;
  let min = Infinity;
  let max = -Infinity;
  let later = now;
  for (let i = n - 1; i >= 0; i--) {
    const ts = points.tsAt(i);
    if (later - ts > maxGapMs) return null;
    const value = points.valueAt(i);
    if (value < min) min = value;
    if (value > max) max = value;
    if (ts <= start) return { min, max };
    later = ts;
  }
  return null;
}

export function sustainedLevel(current: Level, points: Points, now: number, settings: CpuSettings): Level {
  const range = sustainedRange(points, now, settings.sustainMs, settings.maxGapMs);
  if (range === null) return current;
  const floor = levelOf(range.min, settings);
  if (rank(floor) > rank(current)) return floor;
  const lowered = levelAfter(current, range.max, settings);
  return rank(lowered) < rank(current) ? lowered : current;
}
