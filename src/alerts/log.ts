/**
 * The alert list the UI shows: bounded, newest first, and serialisable so another layer can keep it
 * on disk. Reading it back trusts nothing: a corrupt or hand-edited file yields the entries that
 * are still valid alerts, or an empty log, never an exception.
 */
import { isOneOf, ROLES } from '../model.ts';
import {
  ALERT_RULES,
  SEVERITIES,
  type Alert,
  type HeldProcess,
  type LogLine,
  type SnapshotEntry,
} from './types.ts';

export const DEFAULT_LOG_CAPACITY = 500;
const LOG_VERSION = 1;

export interface AlertLogJSON {
  readonly version: typeof LOG_VERSION;
  readonly alerts: readonly Alert[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOrNull(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isFinite(value));
}

function stringOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

function parseSnapshot(value: unknown): SnapshotEntry[] | null {
  if (!Array.isArray(value)) return null;
  const entries: SnapshotEntry[] = [];
  for (const e of value) {
    if (!isRecord(e)) return null;
    const { name, role, memUsageBytes } = e;
    if (typeof name !== 'string' || !isOneOf(ROLES, role)) return null;
    if (typeof memUsageBytes !== 'number' || !Number.isFinite(memUsageBytes)) return null;
    entries.push({ name, role, memUsageBytes });
  }
  return entries;
}

function parseProcess(value: unknown): HeldProcess | null {
  if (!isRecord(value)) return null;
  const { label, pid, rssBytes } = value;
  if (typeof label !== 'string' || !Number.isInteger(pid) || typeof rssBytes !== 'number') return null;
  return Number.isFinite(rssBytes) ? { label, pid: pid as number, rssBytes } : null;
}

function parseLogLine(value: unknown): LogLine | null {
  if (!isRecord(value)) return null;
  const { text, ts, signature } = value;
  if (typeof text !== 'string' || typeof signature !== 'string') return null;
  return typeof ts === 'number' && Number.isFinite(ts) ? { text, ts, signature } : null;
}

/** An alert as read from JSON (a log file, a `watch --json` line), or null when it is not one. */
export function parseAlert(value: unknown): Alert | null {
  if (!isRecord(value) || value.type !== 'alert') return null;
  const { ts, severity, rule, host, stack, name, role, message, valueBytes, limitBytes, etaSeconds } = value;
  if (typeof ts !== 'number' || !Number.isFinite(ts)) return null;
  if (!isOneOf(SEVERITIES, severity) || !isOneOf(ALERT_RULES, rule)) return null;
  if (typeof host !== 'string' || typeof name !== 'string' || typeof message !== 'string') return null;
  if (!stringOrNull(stack) || !(role === null || isOneOf(ROLES, role))) return null;
  if (!numberOrNull(valueBytes) || !numberOrNull(limitBytes) || !numberOrNull(etaSeconds)) return null;
  const alert: Alert = {
    type: 'alert',
    ts,
    severity,
    rule,
    host,
    stack,
    name,
    role,
    message,
    valueBytes,
    limitBytes,
    etaSeconds,
  };
  const extra: {
    key?: string;
    snapshot?: SnapshotEntry[];
    process?: HeldProcess;
    logLine?: LogLine;
    muted?: boolean;
  } = {};
  if (value.key !== undefined) {
    if (typeof value.key !== 'string') return null;
    extra.key = value.key;
  }
  if (value.snapshot !== undefined) {
    const snapshot = parseSnapshot(value.snapshot);
    if (snapshot === null) return null;
    extra.snapshot = snapshot;
  }
  if (value.process !== undefined) {
    const process = parseProcess(value.process);
    if (process === null) return null;
    extra.process = process;
  }
  if (value.logLine !== undefined) {
    const line = parseLogLine(value.logLine);
    if (line === null) return null;
    extra.logLine = line;
  }
  if (value.muted !== undefined) {
    if (typeof value.muted !== 'boolean') return null;
    if (value.muted) extra.muted = true;
  }
  return { ...alert, ...extra };
}

export class AlertLog {
  readonly capacity: number;
  #entries: Alert[] = [];

  constructor(capacity = DEFAULT_LOG_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`alert log capacity ${capacity}`);
    this.capacity = capacity;
  }

  /** Newest first. */
  get entries(): readonly Alert[] {
    return this.#entries;
  }

  get size(): number {
    return this.#entries.length;
  }

  add(alert: Alert): void {
    this.#entries.unshift(alert);
    if (this.#entries.length > this.capacity) this.#entries.length = this.capacity;
  }

  clear(): void {
    this.#entries = [];
  }

  toJSON(): AlertLogJSON {
    return { version: LOG_VERSION, alerts: [...this.#entries] };
  }

  /** A log from what `toJSON` wrote; invalid entries are skipped and anything unreadable gives an empty log. */
  static fromJSON(value: unknown, capacity = DEFAULT_LOG_CAPACITY): AlertLog {
    const log = new AlertLog(capacity);
    if (!isRecord(value) || value.version !== LOG_VERSION || !Array.isArray(value.alerts)) return log;
    const alerts: Alert[] = [];
    for (const entry of value.alerts) {
      const alert = parseAlert(entry);
      if (alert !== null) alerts.push(alert);
    }
    // Newest first even if the file was reordered; the sort is stable, so equal times keep their order.
    alerts.sort((a, b) => b.ts - a.ts);
    log.#entries = alerts.slice(0, capacity);
    return log;
  }
}
