/**
 * One message about one incident, as the outbox keeps it and every channel renders it: what is
 * wrong (each alert with its own words and numbers), where (host, stack, container), since when,
 * and whether it is still firing. Vendor formats are made from this at send time, so a signature
 * is fresh and no secret is ever written to the outbox.
 */
import { randomUUID } from 'node:crypto';
import type { AwayReport } from '../alerts/away-report.ts';
import type { Alert, AlertRule, Severity } from '../alerts/types.ts';
import type { Role } from '../model.ts';
import type { ChannelSeverity } from '../settings/schema.ts';

/** `report`: the morning report (src/alerts/away-report.ts), a summary of a time away, not an incident. */
export const MESSAGE_STATUSES = ['firing', 'resolved', 'test', 'report'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** A report's host: it sums up every host the monitor watches. */
export const REPORT_HOST = '*';

/** An alert as a message carries it: the log's fields without the snapshot (its words say who held the memory). */
export interface AlertLine {
  readonly ts: number;
  readonly rule: AlertRule;
  readonly severity: Severity;
  readonly host: string;
  readonly stack: string | null;
  readonly name: string;
  readonly role: Role | null;
  readonly key: string;
  readonly message: string;
  readonly valueBytes: number | null;
  readonly limitBytes: number | null;
  readonly etaSeconds: number | null;
  /** A log alert's line, for its sentence in another language; not part of the webhook's JSON. */
  readonly logLine?: { readonly text: string };
}

export interface OutgoingMessage {
  /** Unique: a receiver that got it twice (we never heard its answer) can tell. */
  readonly id: string;
  readonly channel: string;
  /** Per channel, rising by one: the order messages were meant to arrive in; 0 for a test message. */
  readonly seq: number;
  readonly incident: string;
  readonly status: MessageStatus;
  readonly severity: ChannelSeverity;
  readonly host: string;
  readonly stack: string | null;
  readonly startedAt: number;
  /** When a resolved incident cleared; null while firing. */
  readonly endedAt: number | null;
  readonly createdAt: number;
  /** Worst first, then newest. */
  readonly alerts: readonly AlertLine[];
  readonly dashboardUrl: string | null;
  /** A morning report's title and its parts, one a line; only with status `report`. */
  readonly report?: { readonly title: string; readonly lines: readonly string[] };
}

export function alertLine(alert: Alert): AlertLine {
  return {
    ts: alert.ts,
    rule: alert.rule,
    severity: alert.severity,
    host: alert.host,
    stack: alert.stack,
    name: alert.name,
    role: alert.role,
    key: alert.key ?? alert.name,
    message: alert.message,
    valueBytes: alert.valueBytes,
    limitBytes: alert.limitBytes,
    etaSeconds: alert.etaSeconds,
    ...(alert.logLine === undefined ? {} : { logLine: { text: alert.logLine.text } }),
  };
}

/** The morning report as a channel's message: every host, no alerts (its lines say what happened). */
export function reportDraft(
  channel: string,
  report: AwayReport,
  now: number,
): Omit<OutgoingMessage, 'id' | 'seq' | 'createdAt' | 'dashboardUrl'> {
  return {
    channel,
    incident: `report-${report.from}`,
    status: 'report',
    severity: 'warning',
    host: REPORT_HOST,
    stack: null,
    startedAt: report.from,
    endedAt: Math.min(report.to, now),
    alerts: [],
    report: { title: report.title, lines: report.lines },
  };
}

/** What `channels test` sends: no alerts, a sequence number of 0, so a receiver can tell it from an incident. */
export function testMessage(
  channel: string,
  host: string,
  now: number,
  dashboardUrl: string | null,
): OutgoingMessage {
  return {
    id: randomUUID(),
    channel,
    seq: 0,
    incident: `test-${now}`,
    status: 'test',
    severity: 'warning',
    host,
    stack: null,
    startedAt: now,
    endedAt: null,
    createdAt: now,
    alerts: [],
    dashboardUrl,
  };
}
