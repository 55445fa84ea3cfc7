/**
 * A message in words a phone shows well: a title that says what and where in one line, then one
 * line per alert with its numbers, then host, stack and time. Every channel builds its format
 * from this, so a DingTalk robot and an e-mail say the same thing.
 */
import { formatDuration } from '../alerts/format.ts';
import { reasonWords } from '../alerts/verdict.ts';
import type { AlertLine, OutgoingMessage } from './message.ts';

export interface Rendered {
  readonly title: string;
  readonly lines: readonly string[];
  readonly link: string | null;
}

/** Alerts listed one per line; the rest are counted, so a storm stays one readable message. */
export const LINES_SHOWN = 8;

const ICON = { critical: '🔴', warning: '🟠' } as const;

/** "2026-11-24 14:03 +08:00": local, since that is the clock the reader lives by, with its offset. */
export function localTime(ts: number): string {
  const d = new Date(ts);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())} ${zone}`;
}

function words(line: AlertLine): string {
  return reasonWords(line.rule, line.severity === 'critical' ? 'critical' : 'warning');
}

function role(line: AlertLine): string {
  return line.role === null || line.role === 'other' ? '' : ` (${line.role})`;
}

function titleOf(m: OutgoingMessage): string {
  const where = m.stack ?? m.host;
  const worst = m.alerts[0];
  if (m.status === 'test' || worst === undefined) return `🔔 Dify Monitor: test message for ${m.channel}`;
  const others = new Set(m.alerts.map((a) => a.key)).size - 1;
  const what = `${words(worst)} ${worst.name}${role(worst)}${others > 0 ? ` +${others} more` : ''}`;
  return m.status === 'resolved'
    ? `✅ Resolved · ${where}: ${what}`
    : `${ICON[m.severity]} ${where}: ${what}`;
}

function whereLine(m: OutgoingMessage, time: (ts: number) => string): string {
  const place = m.stack === null ? `Host ${m.host}` : `Stack ${m.stack} on ${m.host}`;
  if (m.status === 'resolved' && m.endedAt !== null) {
    const lasted = formatDuration((m.endedAt - m.startedAt) / 1000);
    return `${place} · cleared ${time(m.endedAt)} after ${lasted}`;
  }
  return `${place} · since ${time(m.startedAt)}`;
}

export function render(m: OutgoingMessage, time: (ts: number) => string = localTime): Rendered {
  if (m.status === 'report' && m.report !== undefined) {
    return { title: `🌙 ${m.report.title}`, lines: m.report.lines, link: m.dashboardUrl };
  }
  if (m.status === 'test') {
    return {
      title: titleOf(m),
      lines: [
        `A test from Dify Monitor on ${m.host}, sent ${time(m.createdAt)}.`,
        'Alerts for this channel arrive like this: what happened, the numbers, where and since when.',
      ],
      link: m.dashboardUrl,
    };
  }
  const shown = m.alerts.slice(0, LINES_SHOWN).map((a) => {
    const tag = m.status === 'resolved' ? 'was' : a.severity;
    return `[${tag}] ${a.message}`;
  });
  const hidden = m.alerts.length - shown.length;
  return {
    title: titleOf(m),
    lines: [...shown, ...(hidden > 0 ? [`… and ${hidden} more`] : []), whereLine(m, time)],
    link: m.dashboardUrl,
  };
}

/** Title, lines and link as plain text: e-mail bodies, ntfy, and whatever shows text as it is. */
export function plainText(r: Rendered): string {
  return [...r.lines, ...(r.link === null ? [] : [`Dashboard: ${r.link}`])].join('\n');
}
