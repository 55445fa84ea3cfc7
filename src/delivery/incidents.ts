/**
 * One message per incident, as Alertmanager groups them: what fires together in one stack (an
 * OOM kill, its trend warning, the stack's memory warning) is one incident, per channel, since
 * each channel filters what it hears. The first message waits `groupWaitMs` for the rest of the
 * burst; news waits `groupIntervalMs` after the last message unless the incident got worse; a
 * still-firing incident is said again after `repeatIntervalMs`; "resolved" goes out once the
 * verdict (the engine's active conditions and recent kills) holds nothing of it any more.
 * Pure: time comes in, drafts go out, and the state is plain data the outbox keeps on disk.
 */
import type { Alert, AlertRule, Severity } from '../alerts/types.ts';
import type { Verdict } from '../alerts/verdict.ts';
import type { ChannelSetting, ChannelSeverity, ChannelsSetting } from '../settings/schema.ts';
import { alertLine, type AlertLine, type OutgoingMessage } from './message.ts';

export type Timing = Pick<ChannelsSetting, 'groupWaitMs' | 'groupIntervalMs' | 'repeatIntervalMs'>;

export interface Incident {
  readonly id: string;
  readonly channel: string;
  readonly group: string;
  readonly host: string;
  readonly stack: string | null;
  readonly openedAt: number;
  /** The latest alert per container and rule, worst first. */
  alerts: AlertLine[];
  severity: ChannelSeverity;
  /** The worst severity a message has said; null until the first went out. */
  said: ChannelSeverity | null;
  lastSentAt: number | null;
  /** Since when alerts wait that no message has carried yet. */
  pendingSince: number | null;
  /** Since when the verdict holds nothing of it; null while it does. */
  clearSince: number | null;
  /** Not resolved before this: after a restart the engine needs a while to find again what held. */
  holdUntil: number;
}

/** A message before the outbox numbers it. */
export type Draft = Omit<OutgoingMessage, 'id' | 'seq' | 'createdAt' | 'dashboardUrl'>;

/** Lines kept per incident; a storm of containers stays one readable message. */
const MAX_LINES = 20;
/** Quiet hours and mutes are minutes long at the least. */
const QUIET_RECHECK_MS = 60_000;

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

/** An alert's or a finding's incident: its stack, else the container or host it is about. */
export function groupOf(where: {
  readonly host: string;
  readonly stack: string | null;
  readonly key: string;
}): string {
  return where.stack === null ? where.key : `${where.host}/${where.stack}`;
}

/** The channel's filter; an alert about no stack (a host down) passes a stack filter, since it touches them all. */
export function passes(
  channel: ChannelSetting,
  rule: AlertRule,
  severity: Severity,
  stack: string | null,
): boolean {
  if (RANK[severity] < RANK[channel.minSeverity]) return false;
  if (channel.rules.length > 0 && !channel.rules.includes(rule)) return false;
  return stack === null || channel.stacks.length === 0 || channel.stacks.includes(stack);
}

function worse(a: ChannelSeverity, b: ChannelSeverity | null): boolean {
  return b === null || RANK[a] > RANK[b];
}

function ordered(lines: AlertLine[]): AlertLine[] {
  return lines.sort((a, b) => RANK[b.severity] - RANK[a.severity] || b.ts - a.ts).slice(0, MAX_LINES);
}

function holds(verdict: Verdict, incident: Incident, channel: ChannelSetting): boolean {
  return verdict.findings.some(
    (f) => groupOf(f) === incident.group && f.reasons.some((r) => passes(channel, r.rule, r.level, f.stack)),
  );
}

/** When its next firing message is due, or null when none is. */
function firingDueAt(i: Incident, timing: Timing): number | null {
  if (i.clearSince !== null) return null;
  if (i.pendingSince !== null) {
    if (i.said === null || i.lastSentAt === null) return i.openedAt + timing.groupWaitMs;
    const batch = i.pendingSince + timing.groupWaitMs;
    return worse(i.severity, i.said) ? batch : Math.max(batch, i.lastSentAt + timing.groupIntervalMs);
  }
  return i.lastSentAt === null ? null : i.lastSentAt + timing.repeatIntervalMs;
}

function resolveAt(i: Incident, timing: Timing): number | null {
  return i.clearSince === null ? null : Math.max(i.clearSince + timing.groupWaitMs, i.holdUntil);
}

function draftOf(i: Incident, status: 'firing' | 'resolved', endedAt: number | null): Draft {
  return {
    channel: i.channel,
    incident: i.id,
    status,
    severity: i.severity,
    host: i.host,
    stack: i.stack,
    startedAt: i.openedAt,
    endedAt,
    alerts: [...i.alerts],
  };
}

export class IncidentBook {
  readonly #open = new Map<string, Incident>();
  readonly #newId: () => string;

  /** `restored` are the incidents of an earlier run, held open for `holdMs` whatever the verdict says. */
  constructor(newId: () => string, restored: readonly Incident[] = [], now = 0, holdMs = 0) {
    this.#newId = newId;
    for (const i of restored) {
      const copy = { ...i, alerts: [...i.alerts], holdUntil: Math.max(i.holdUntil, now + holdMs) };
      this.#open.set(`${i.channel}\0${i.group}`, copy);
    }
  }

  list(): Incident[] {
    return [...this.#open.values()];
  }

  /** An alert the engine raised, into the incident of each channel that wants it. Muted and info alerts open nothing. */
  add(alert: Alert, channels: readonly ChannelSetting[], now: number): void {
    if (alert.muted === true || alert.severity === 'info') return;
    const severity: ChannelSeverity = alert.severity;
    const line = alertLine(alert);
    const group = groupOf(line);
    for (const channel of channels) {
      if (!passes(channel, alert.rule, severity, alert.stack)) continue;
      const key = `${channel.name}\0${group}`;
      const i = this.#open.get(key) ?? this.#opened(channel.name, group, line, now);
      this.#open.set(key, i);
      i.alerts = ordered([line, ...i.alerts.filter((a) => a.key !== line.key || a.rule !== line.rule)]);
      if (worse(severity, i.severity)) i.severity = severity;
      i.pendingSince ??= now;
      i.clearSince = null;
    }
  }

  #opened(channel: string, group: string, line: AlertLine, now: number): Incident {
    return {
      id: this.#newId(),
      channel,
      group,
      host: line.host,
      stack: line.stack,
      openedAt: now,
      alerts: [],
      severity: 'warning',
      said: null,
      lastSentAt: null,
      pendingSince: now,
      clearSince: null,
      holdUntil: now,
    };
  }

  /**
   * What is due now. `quiet` says whether an incident's containers are all muted now (mute all,
   * quiet hours, muted keys): then it waits, and goes out when the quiet ends if still due.
   */
  step(
    now: number,
    verdict: Verdict,
    channels: readonly ChannelSetting[],
    timing: Timing,
    quiet: (i: Incident) => boolean,
  ): Draft[] {
    const byName = new Map(channels.map((c) => [c.name, c]));
    const out: Draft[] = [];
    for (const [key, i] of this.#open) {
      const channel = byName.get(i.channel);
      if (channel === undefined) {
        this.#open.delete(key);
        continue;
      }
      if (holds(verdict, i, channel)) i.clearSince = null;
      else i.clearSince ??= now;
      if (quiet(i)) continue;
      const resolve = resolveAt(i, timing);
      if (resolve !== null && now >= resolve) {
        this.#open.delete(key);
        if (i.said !== null) out.push(draftOf(i, 'resolved', i.clearSince));
        continue;
      }
      const due = firingDueAt(i, timing);
      if (due === null || now < due) continue;
      out.push(draftOf(i, 'firing', null));
      if (worse(i.severity, i.said)) i.said = i.severity;
      i.lastSentAt = now;
      i.pendingSince = null;
    }
    return out;
  }

  /** The earliest time something may be due, for one timer instead of a poll; a quiet incident is looked at again a minute on. */
  nextDueAt(now: number, timing: Timing, quiet: (i: Incident) => boolean): number | null {
    let next: number | null = null;
    for (const i of this.#open.values()) {
      const times = quiet(i) ? [now + QUIET_RECHECK_MS] : [firingDueAt(i, timing), resolveAt(i, timing)];
      for (const at of times) if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }
}
