/**
 * What the tray icon and its tooltip say, decided from what the monitor knows now: host states,
 * the latest samples, the alert engine's active conditions, recent OOM kills and the mute. Pure, so that every case is a unit test.
 */
import { formatBytesOf, formatBytes } from '../src/alerts/format.ts';
import { hostReachable } from '../src/alerts/events.ts';
import { hostMemoryOf } from '../src/alerts/stack.ts';
import type { ActiveAlert, Alert } from '../src/alerts/types.ts';
import type { HostState, Sample } from '../src/model.ts';
import type { Settings } from '../src/settings/schema.ts';

export const TRAY_STATES = ['ok', 'warning', 'critical', 'disconnected', 'muted'] as const;
export type TrayState = (typeof TRAY_STATES)[number];

export interface TrayInput {
  readonly hosts: readonly HostState[];
  readonly samples: readonly Sample[];
  /** The alert engine's conditions that hold now (`MonitorService.current().active`). */
  readonly active: readonly ActiveAlert[];
  /** The alert log, newest first: OOM kills are events, not conditions, and only it has them. */
  readonly alerts: readonly Alert[];
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

export type Level = 'warning' | 'critical';

/** Windows cuts tray tooltips at 127 characters. */
export const TOOLTIP_MAX = 127;
/** An OOM kill keeps its container critical this long, as on the dashboard. */
export const RECENT_KILL_MS = 15 * 60_000;

function raise(levels: Map<string, Level>, key: string, level: Level): void {
  if (levels.get(key) !== 'critical') levels.set(key, level);
}

/** Conditions by key; an unreachable host is told apart (disconnected), not counted as a warning. */
function levelsOf(input: TrayInput): Map<string, Level> {
  const levels = new Map<string, Level>();
  for (const a of input.active) {
    if (a.rule === 'host-down' || a.severity === 'info') continue;
    raise(levels, a.key, a.severity);
  }
  for (const alert of input.alerts) {
    if (input.now - alert.ts > RECENT_KILL_MS) break;
    if (alert.rule === 'oom-killed') raise(levels, alert.key ?? alert.name, 'critical');
  }
  return levels;
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
  if (critical > 0) parts.push(`${critical} critical`);
  if (warning > 0) parts.push(`${warning} warning${warning === 1 ? '' : 's'}`);
  if (down > 0) parts.push(`${down} host${down === 1 ? '' : 's'} unreachable`);
  return parts.length === 0 ? 'OK' : parts.join(', ');
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
  if (input.paused) parts.push('paused');
  else if (noEngine) parts.push('no Docker engine found');
  else if (down === input.hosts.length) parts.push('Docker unreachable');
  else {
    parts.push(`${dify.length} container${dify.length === 1 ? '' : 's'}`);
    const mem = memory(input, dify);
    if (mem !== null) parts.push(mem);
    parts.push(problems(levels, down));
  }
  if (muted !== null) parts.push(`muted until ${clockTime(muted)}`);

  let state: TrayState;
  if (input.paused) state = 'disconnected';
  else if (worst === 'critical') state = 'critical';
  else if (muted !== null) state = 'muted';
  else if (down > 0 || noEngine) state = 'disconnected';
  else state = worst;
  return { state, tooltip: clip(parts.join(' · ')), levels };
}
