/**
 * Two lines (warning, critical) with hysteresis: a level is entered at its line and left only a
 * few points below it, so a value hovering at 85 % raises one warning, not one per sample.
 */
import type { LevelSettings } from './types.ts';

export type Level = 'none' | 'warning' | 'critical';

const RANK: Readonly<Record<Level, number>> = { none: 0, warning: 1, critical: 2 };

export function rank(level: Level): number {
  return RANK[level];
}

/** The level a value reaches with no level held: plain comparison with the lines. */
export function levelOf(value: number, lines: LevelSettings): Level {
  if (value >= lines.criticalPercent) return 'critical';
  if (value >= lines.warningPercent) return 'warning';
  return 'none';
}

/** The level after seeing `value` while holding `current`. */
export function levelAfter(current: Level, value: number, lines: LevelSettings): Level {
  if (!Number.isFinite(value)) return current;
  const entered = levelOf(value, lines);
  if (rank(entered) >= rank(current)) return entered;
  const h = lines.hysteresisPoints;
  if (current === 'critical' && value >= lines.criticalPercent - h) return 'critical';
  if (value >= lines.warningPercent - h) return 'warning';
  return 'none';
}
