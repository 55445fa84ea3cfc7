/**
 * The log-signature rule: a line a signature knows becomes an alert that carries the line, its
 * container and its time, once per cooldown per signature. Three things keep one incident one alert:
 *
 * - a line that tells of a process killed inside the container (gunicorn's SIGKILL, celery's
 *   WorkerLostError, the plugin daemon's `signal: killed`) is the same incident as the kill the
 *   kernel's counts show: it waits LOG_HOLD_MS for that kill's alert, which then carries the line,
 *   and after a kill already told it is dropped;
 * - a line another explains (gunicorn's SIGKILL of the worker its WORKER TIMEOUT named, the plugin
 *   daemon's kill of a plugin it restarts) is that one's incident;
 * - a signature that comes one line per request (nginx's 502 and 504) counts only as a burst.
 */
import type { LogMatch } from '../model.ts';
import type { Notice } from './notice.ts';
import type { LogLine } from './types.ts';

/** A kill line waits this long for the kill's alert: a round at the tray's 5 s rate, and a little. */
export const LOG_HOLD_MS = 6_000;
/** A kill line within this of a kill already told is that kill. */
const SAME_KILL_MS = 30_000;
/** A line explained by another seen this recently is part of that one's incident. */
const EXPLAINED_MS = 15_000;
const LINE_CHARS = 300;

export interface LogState {
  readonly lastRaised: Map<string, number>;
  /** The latest match of each signature, for lines it explains. */
  readonly seen: Map<string, { readonly ts: number; readonly subject: string | null }>;
  readonly bursts: Map<string, number[]>;
  /** Kill lines waiting for their kill's alert. */
  held: { readonly match: LogMatch; readonly at: number }[];
}

export function newLogState(): LogState {
  return { lastRaised: new Map(), seen: new Map(), bursts: new Map(), held: [] };
}

export function logLineOf(match: LogMatch): LogLine {
  return { text: match.line.slice(0, LINE_CHARS), ts: match.ts, signature: match.signature.id };
}

function explained(s: LogState, match: LogMatch): boolean {
  const by = match.signature.explainedBy;
  const cause = by === null ? undefined : s.seen.get(by);
  if (cause === undefined || Math.abs(match.ts - cause.ts) > EXPLAINED_MS) return false;
  return cause.subject === null || match.subject === null || cause.subject === match.subject;
}

/** Whether a burst signature has come often enough in its window to be news. */
function burstReached(s: LogState, match: LogMatch): boolean {
  const burst = match.signature.burst;
  if (burst === null) return true;
  const times = (s.bursts.get(match.signature.id) ?? []).filter((ts) => match.ts - ts < burst.windowMs);
  times.push(match.ts);
  if (times.length < burst.count) {
    s.bursts.set(match.signature.id, times);
    return false;
  }
  s.bursts.delete(match.signature.id);
  return true;
}

/** What the container's kill rules know: when a kill was last told, and whether one is being held. */
export interface KillsSeen {
  readonly lastAt: number;
  readonly pending: boolean;
}

/**
 * A matched line of a container (`name`): a notice now, or null (held, explained, below its burst,
 * cooling down, or the kill already told).
 */
export function onLogMatch(
  s: LogState,
  match: LogMatch,
  name: string,
  kills: KillsSeen,
  cooldownMs: number,
  now: number,
): Notice | null {
  const isExplained = explained(s, match);
  s.seen.set(match.signature.id, { ts: match.ts, subject: match.subject });
  if (isExplained || !burstReached(s, match)) return null;
  if (match.signature.kill) {
    if (!kills.pending && Math.abs(now - kills.lastAt) < SAME_KILL_MS) return null;
    s.held.push({ match, at: now });
    return null;
  }
  return raise(s, match, name, cooldownMs, now);
}

/**
 * Kill lines whose kill's alert did not come: each is told alone. While the kill rules hold a kill
 * (an oom over the API waits for its die), the lines wait with it.
 */
export function expireHeld(
  s: LogState,
  name: string,
  killPending: boolean,
  cooldownMs: number,
  now: number,
): Notice[] {
  if (killPending) return [];
  const due = s.held.filter((h) => now - h.at >= LOG_HOLD_MS);
  if (due.length === 0) return [];
  s.held = s.held.filter((h) => now - h.at < LOG_HOLD_MS);
  return due.map((h) => raise(s, h.match, name, cooldownMs, now)).filter((n) => n !== null);
}

/** A kill's alert takes the kill lines waiting for it: the first of them is its log line. */
export function takeHeld(s: LogState): LogLine | null {
  const first = s.held[0];
  s.held = [];
  if (first === undefined) return null;
  s.lastRaised.set(first.match.signature.id, first.at);
  return logLineOf(first.match);
}

function raise(s: LogState, match: LogMatch, name: string, cooldownMs: number, now: number): Notice | null {
  const id = match.signature.id;
  if (now - (s.lastRaised.get(id) ?? -Infinity) < cooldownMs) return null;
  s.lastRaised.set(id, now);
  const line = logLineOf(match);
  return {
    rule: 'log-signature',
    severity: match.signature.severity,
    message: `${match.signature.title} in ${name}: "${line.text}"`,
    logLine: line,
  };
}
