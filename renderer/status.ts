/**
 * One status per container, shown as an icon and a word besides its colour, so that it reads the
 * same for everyone (colour-blind users, a greyscale screenshot).
 */
import { effectiveLimit, type EffectiveLimit } from '../src/alerts/limit.ts';
import type { Alert } from '../src/alerts/types.ts';
import type { Sample } from '../src/model.ts';
import type { Settings } from '../src/settings/schema.ts';

export type Level = 'ok' | 'warning' | 'critical' | 'stopped';

export interface Status {
  readonly level: Level;
  readonly icon: string;
  readonly word: string;
}

/** A stopped one-shot (init) must not make a healthy stack look worse than OK. */
const RANK: Readonly<Record<Level, number>> = { stopped: 0, ok: 1, warning: 2, critical: 3 };
const LOOK: Readonly<Record<Level, { icon: string; word: string }>> = {
  ok: { icon: '✓', word: 'OK' },
  stopped: { icon: '■', word: 'Stopped' },
  warning: { icon: '▲', word: 'Warning' },
  critical: { icon: '✖', word: 'Critical' },
};
/** An OOM kill keeps its container critical on the page this long. */
const RECENT_KILL_MS = 15 * 60_000;

export function statusOf(level: Level, word?: string): Status {
  return { level, icon: LOOK[level].icon, word: word ?? LOOK[level].word };
}

export function worst(levels: Iterable<Level>): Level {
  let out: Level = 'stopped';
  for (const level of levels) if (RANK[level] > RANK[out]) out = level;
  return out;
}

export function limitOf(sample: Sample, settings: Settings): EffectiveLimit | null {
  return effectiveLimit(sample, settings.alerts.roleBudgetBytes);
}

export function memPercentOfLimit(sample: Sample, settings: Settings): number | null {
  const limit = limitOf(sample, settings);
  if (limit === null || sample.memUsageBytes === null) return null;
  return (sample.memUsageBytes / limit.bytes) * 100;
}

export function containerStatus(
  sample: Sample,
  settings: Settings,
  alerts: readonly Alert[],
  now: number,
): Status {
  const killed = alerts.some(
    (a) => a.rule === 'oom-killed' && a.key === sample.key && now - a.ts < RECENT_KILL_MS,
  );
  if (killed || (sample.oomKilled && sample.state !== 'running')) return statusOf('critical', 'OOM-killed');
  if (sample.state === 'restarting' || sample.state === 'dead') return statusOf('critical', sample.state);
  if (sample.state !== 'running') return statusOf('stopped', sample.state);
  if (sample.health === 'unhealthy') return statusOf('warning', 'Unhealthy');
  const percent = memPercentOfLimit(sample, settings);
  const memory = settings.alerts.memory;
  if (percent !== null && percent >= memory.criticalPercent) return statusOf('critical', 'Memory critical');
  if (percent !== null && percent >= memory.warningPercent) return statusOf('warning', 'Memory high');
  return statusOf('ok');
}
