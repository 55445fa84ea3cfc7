/**
 * Noise control for one (key, rule): one alert per episode, a cooldown before the same alert is
 * raised again, escalation to a higher severity at once. A condition that returns inside the
 * cooldown is held, not dropped: if it is still there when the cooldown ends, it is raised then.
 */
import { type Level, rank } from './threshold.ts';

export interface Condition {
  /** What the rule says now. */
  level: Level;
  /** The highest level raised in this episode; none until something was raised. */
  raised: Level;
  lastRaisedAt: number;
  lastRaisedLevel: Level;
}

export function newCondition(): Condition {
  return { level: 'none', raised: 'none', lastRaisedAt: -Infinity, lastRaisedLevel: 'none' };
}

export type Decision = 'raise' | 'recover' | null;

/**
 * Moves the condition to `level` at `now` and says what to announce: `raise` (at `level`),
 * `recover` (an episode that was raised is over), or nothing.
 */
export function step(c: Condition, level: Level, now: number, cooldownMs: number): Decision {
  c.level = level;
  if (level === 'none') {
    const wasRaised = c.raised !== 'none';
    c.raised = 'none';
    return wasRaised ? 'recover' : null;
  }
  if (rank(level) <= rank(c.raised)) return null;
  const escalation = c.raised !== 'none';
  const cooled = now - c.lastRaisedAt >= cooldownMs;
  const higher = rank(level) > rank(c.lastRaisedLevel);
  if (!escalation && !cooled && !higher) return null;
  c.raised = level;
  c.lastRaisedAt = now;
  c.lastRaisedLevel = level;
  return 'raise';
}

/** Ends an episode without a recovered notice: the container stopped, so "back to normal" would mislead. */
export function reset(c: Condition): void {
  c.level = 'none';
  c.raised = 'none';
}
