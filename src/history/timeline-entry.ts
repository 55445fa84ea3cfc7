/**
 * One line of the timeline: something that happened to a container, a host or the monitor itself,
 * at a time, with the words to show. Browser-safe: the page lists and filters these as they are.
 */

export const TIMELINE_KINDS = [
  'alert',
  'oom',
  'restart',
  'deploy',
  'engine-down',
  'engine-up',
  'app-start',
  'app-sleep',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const TIMELINE_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type TimelineSeverity = (typeof TIMELINE_SEVERITIES)[number];

export interface TimelineEntry {
  /** When it happened (ms since epoch): the kill, not when the monitor heard of it. */
  readonly ts: number;
  /** Null for the monitor's own starts and sleeps: they concern every host. */
  readonly host: string | null;
  readonly stack: string | null;
  /** The history key (Sample.key) of the container; null for a host or the monitor. */
  readonly key: string | null;
  /** The container's name at the time, for a line that still reads after a recreate. */
  readonly name: string | null;
  readonly kind: TimelineKind;
  readonly severity: TimelineSeverity;
  /** The alert rule an alert or kill entry came from. */
  readonly rule: string | null;
  readonly text: string;
  /** A sleep's end: the monitor saw nothing from `ts` to here. */
  readonly untilTs: number | null;
}

const isTextOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

/** An entry from outside (the page's event stream, a row another version wrote) with every field in shape. */
export function isTimelineEntry(value: unknown): value is TimelineEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e['ts'] === 'number' &&
    typeof e['text'] === 'string' &&
    (TIMELINE_KINDS as readonly unknown[]).includes(e['kind']) &&
    (TIMELINE_SEVERITIES as readonly unknown[]).includes(e['severity']) &&
    ['host', 'stack', 'key', 'name', 'rule'].every((f) => isTextOrNull(e[f])) &&
    (e['untilTs'] === null || typeof e['untilTs'] === 'number')
  );
}
