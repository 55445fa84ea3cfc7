/**
 * One status per container, shown as an icon and a word besides its colour, so that it reads the
 * same for everyone (colour-blind users, a greyscale screenshot).
 */
import { effectiveLimit, type EffectiveLimit } from '../src/alerts/limit.ts';
import { findingFor, reasonWords, type Verdict } from '../src/alerts/verdict.ts';
import type { Sample } from '../src/model.ts';
import type { Settings } from '../src/settings/schema.ts';
import { t } from '../src/i18n/index.ts';

export type Level = 'ok' | 'warning' | 'critical' | 'stopped';

export interface Status {
  readonly level: Level;
  readonly icon: string;
  readonly word: string;
}

/** A stopped one-shot (init) must not make a healthy stack look worse than OK. */
const RANK: Readonly<Record<Level, number>> = { stopped: 0, ok: 1, warning: 2, critical: 3 };
const ICON: Readonly<Record<Level, string>> = { ok: '✓', stopped: '■', warning: '▲', critical: '✖' };

export function statusOf(level: Level, word?: string): Status {
  return { level, icon: ICON[level], word: word ?? t(`page:status.${level}`) };
}

export function worst(levels: Iterable<Level>): Level {
  let out: Level = 'stopped';
  for (const level of levels) if (RANK[level] > RANK[out]) out = level;
  return out;
}

export function limitOf(sample: Sample, settings: Settings): EffectiveLimit | null {
  return effectiveLimit(sample, settings.alerts.roleBudgetBytes);
}

/** The monitor's verdict on a container, in words; a stopped one without a finding says its state. */
export function containerStatus(sample: Sample, verdict: Verdict): Status {
  const finding = findingFor(verdict, sample.key);
  const first = finding?.reasons[0];
  if (finding !== undefined && first !== undefined)
    return statusOf(finding.level, reasonWords(first.rule, first.level));
  if (sample.state !== 'running') return statusOf('stopped', t(`model:containerState.${sample.state}`));
  return statusOf('ok');
}

/** A stack's own finding (its memory against the host) joins its containers' levels. */
export function stackLevel(
  verdict: Verdict,
  host: string,
  stack: string,
  containers: readonly Level[],
): Level {
  const own = findingFor(verdict, `${host}/${stack}`);
  return worst(own === undefined ? containers : [...containers, own.level]);
}
