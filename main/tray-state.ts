/**
 * What the tray icon and its tooltip say, decided from what the monitor knows now: host states,
 * the latest samples, the monitor's verdict and the mute. Pure, so that every case is a unit test.
 */
import { formatBytesOf, formatBytes } from '../src/alerts/format.ts';
import { hostReachable } from '../src/alerts/events.ts';
import { hostMemoryOf } from '../src/alerts/stack.ts';
import type { Verdict, VerdictLevel } from '../src/alerts/verdict.ts';
import type { HostState, Sample } from '../src/model.ts';
import type { Settings } from '../src/settings/schema.ts';
import { t } from '../src/i18n/index.ts';

export const TRAY_STATES = ['ok', 'warning', 'critical', 'disconnected', 'muted'] as const;
export type TrayState = (typeof TRAY_STATES)[number];

export interface TrayInput {
  readonly hosts: readonly HostState[];
  readonly samples: readonly Sample[];
  /** What is wrong now (`MonitorService.current().verdict`): the page and the CLI show the same. */
  readonly verdict: Verdict;
  readonly settings: Settings;
  readonly paused: boolean;
  readonly now: number;
}

export interface TraySummary {
  readonly state: TrayState;
  readonly tooltip: string;
  /** What is wrong, per container, stack or host key: the context menu lists the hosts' worst. */
  readonly levels: ReadonlyMap<string, Level>;
}

export type Level = VerdictLevel;

/** Windows cuts tray tooltips at 127 characters. */
export const TOOLTIP_MAX = 127;
/** The verdict by key; an unreachable host is told apart (disconnected), not counted as a warning. */
function levelsOf(input: TrayInput): Map<string, Level> {
  return new Map(input.verdict.findings.filter((f) => f.scope !== 'host').map((f) => [f.key, f.level]));
}

function mutedUntil(settings: Settings, now: number): number | null {
  const until = settings.alerts.muteUntil;
  return until !== null && until > now ? until : null;
}

/** "HH:MM" in local time: the tooltip and the menu say when, not the date. */
export function clockTime(ts: number): string {
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function memory(input: TrayInput, difySamples: readonly Sample[]): string | null {
  if (difySamples.length === 0) return null;
  const used = difySamples.reduce((sum, s) => sum + (s.memUsageBytes ?? 0), 0);
  let total = 0;
  for (const host of new Set(difySamples.map((s) => s.host))) {
    const state = input.hosts.find((h) => h.host === host);
    total += state?.memTotalBytes ?? hostMemoryOf(input.samples.filter((s) => s.host === host)) ?? 0;
  }
  return total > 0 ? formatBytesOf(used, total).replace(' of ', '/') : formatBytes(used);
}

function problems(levels: ReadonlyMap<string, Level>, down: number): string {
  const critical = [...levels.values()].filter((l) => l === 'critical').length;
  const warning = levels.size - critical;
  const parts: string[] = [];
  if (critical > 0) parts.push(t('tray:tooltip.critical', { n: critical }));
  if (warning > 0)
    parts.push(t(warning === 1 ? 'tray:tooltip.warningOne' : 'tray:tooltip.warnings', { n: warning }));
  if (down > 0)
    parts.push(t(down === 1 ? 'tray:tooltip.hostDownOne' : 'tray:tooltip.hostsDown', { n: down }));
  return parts.length === 0 ? t('tray:tooltip.ok') : parts.join(t('tray:tooltip.listSeparator'));
}

function clip(text: string): string {
  return text.length <= TOOLTIP_MAX ? text : `${text.slice(0, TOOLTIP_MAX - 1)}…`;
}

/**
 * The worst of what is known. A critical condition shows through a mute, so that silencing
 * notifications never hides an imminent OOM; a mute shows over warnings and unreachable hosts so
 * the user sees that they asked for quiet.
 */
export function summarize(input: TrayInput): TraySummary {
  const levels = levelsOf(input);
  // auth-failed and tls-failed hosts are as unreachable as down ones, and the alert engine agrees.
  const down = input.hosts.filter((h) => hostReachable(h) === false).length;
  const muted = mutedUntil(input.settings, input.now);
  const worst = [...levels.values()].includes('critical') ? 'critical' : levels.size > 0 ? 'warning' : 'ok';

  const dify = input.samples.filter((s) => s.stack !== null && s.state === 'running');
  const parts = ['Dify'];
  const noEngine = input.hosts.length === 0;
  if (input.paused) parts.push(t('tray:tooltip.paused'));
  else if (noEngine) parts.push(t('tray:tooltip.noEngine'));
  else if (down === input.hosts.length) parts.push(t('tray:tooltip.unreachable'));
  else {
    const n = dify.length;
    parts.push(t(n === 1 ? 'tray:tooltip.containerOne' : 'tray:tooltip.containers', { n }));
    const mem = memory(input, dify);
    if (mem !== null) parts.push(mem);
    parts.push(problems(levels, down));
  }
  if (muted !== null) parts.push(t('tray:tooltip.mutedUntil', { time: clockTime(muted) }));

  let state: TrayState;
  if (input.paused) state = 'disconnected';
  else if (worst === 'critical') state = 'critical';
  else if (muted !== null) state = 'muted';
  else if (down > 0 || noEngine) state = 'disconnected';
  else state = worst;
  return { state, tooltip: clip(parts.join(' · ')), levels };
}
