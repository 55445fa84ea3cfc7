/**
 * The morning report: one notification that sums up a time away (a sleep, the app not running,
 * or the day since a configured hour), from the timeline's entries of that time and the memory
 * each container held before and after. Nothing to say, no report: the monitor's own starts and
 * sleeps are not news, and neither is memory that only moved.
 */
import type { TimelineEntry } from '../history/timeline-entry.ts';
import { t } from '../i18n/index.ts';
import { formatBytes } from './format.ts';

/** A container's memory, keyed by history key: the name to say and the bytes. */
export type MemoryByKey = ReadonlyMap<string, { readonly name: string; readonly bytes: number }>;

export interface AwayInput {
  readonly from: number;
  readonly to: number;
  /** The entries of the time away and of the moments after it (events of the time away arrive late), oldest first. */
  readonly entries: readonly TimelineEntry[];
  readonly memoryBefore: MemoryByKey;
  readonly memoryAfter: MemoryByKey;
  /** Local clock time of a moment, "03:12". */
  readonly clockTime: (ts: number) => string;
}

export interface AwayReport {
  readonly title: string;
  /** The parts joined with "; " ("；" in Chinese): what a desktop notification shows. */
  readonly body: string;
  /** The parts, one a line, for a channel's message. */
  readonly lines: readonly string[];
  /** The time away. */
  readonly from: number;
  readonly to: number;
  /** The first entry told: where a click opens the timeline. */
  readonly firstTs: number;
  readonly entries: number;
}

/** Growth below this is the ordinary breathing of a process, not worth a line. */
export const MEMORY_NEWS_BYTES = 256 * 1024 * 1024;
const QUIET_KINDS = new Set(['app-start', 'app-sleep', 'engine-up']);

export function awayReport(input: AwayInput): AwayReport | null {
  const news = input.entries.filter((e) => !QUIET_KINDS.has(e.kind));
  if (news.length === 0) return null;
  const parts = [...eventParts(news, input.clockTime), ...memoryParts(input), ...countParts(news)];
  return {
    title: t('notify:report.title', { away: formatSpan(input.to - input.from) }),
    body: parts.join(t('notify:report.separator')),
    lines: parts,
    from: input.from,
    to: input.to,
    firstTs: (news[0] as TimelineEntry).ts,
    entries: news.length,
  };
}

function eventParts(news: readonly TimelineEntry[], clockTime: (ts: number) => string): string[] {
  const parts: string[] = [];
  const restarts = new Map<string, { name: string; n: number }>();
  for (const e of news) {
    const who = e.key ?? e.name ?? '';
    if (e.kind === 'restart') {
      const r = restarts.get(who) ?? { name: e.name ?? who, n: 0 };
      restarts.set(who, { ...r, n: r.n + 1 });
    }
  }
  for (const e of news) {
    const who = e.key ?? e.name ?? '';
    if (e.kind === 'oom') {
      const restarted = restarts.delete(who);
      const oom = t('notify:report.oom', { name: e.name ?? who, at: clockTime(e.ts) });
      parts.push(restarted ? oom + t('notify:report.andRestarted') : oom);
    } else if (e.kind === 'deploy') parts.push(e.text);
    else if (e.kind === 'engine-down')
      parts.push(t('notify:report.engineDown', { host: e.host ?? '', at: clockTime(e.ts) }));
  }
  for (const { name, n } of restarts.values())
    parts.push(
      n === 1 ? t('notify:report.restartedOnce', { name }) : t('notify:report.restarted', { name, n }),
    );
  return parts;
}

function memoryParts(input: AwayInput): string[] {
  const grown: { name: string; delta: number }[] = [];
  for (const [key, after] of input.memoryAfter) {
    const before = input.memoryBefore.get(key);
    if (before === undefined) continue;
    const delta = after.bytes - before.bytes;
    if (delta >= MEMORY_NEWS_BYTES) grown.push({ name: after.name, delta });
  }
  return grown
    .sort((a, b) => b.delta - a.delta)
    .map((g) => t('notify:report.memory', { name: g.name, delta: formatBytes(g.delta) }));
}

function countParts(news: readonly TimelineEntry[]): string[] {
  const alerts = news.filter((e) => e.kind === 'alert');
  return (['critical', 'warning'] as const).flatMap((severity) => {
    const n = alerts.filter((e) => e.severity === severity).length;
    if (n === 0) return [];
    if (severity === 'critical')
      return [n === 1 ? t('notify:report.criticalOne', { n }) : t('notify:report.critical', { n })];
    return [n === 1 ? t('notify:report.warningOne', { n }) : t('notify:report.warning', { n })];
  });
}

/** "7 h", "2 min", "1 h 5 min": how long the user was away, as a person would say it. */
export function formatSpan(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return t('notify:span.minutes', { m: minutes });
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 || hours >= 5
    ? t('notify:span.hours', { h: Math.round(minutes / 60) })
    : t('notify:span.hoursMinutes', { h: hours, m: rest });
}
