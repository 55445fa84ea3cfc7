/**
 * A message in words a phone shows well: a title that says what and where in one line, then one
 * line per alert with its numbers, then host, stack and time. Every channel builds its format
 * from this, so a DingTalk robot and an e-mail say the same thing.
 */
import { alertText, spanText } from '../alerts/alert-text.ts';
import { reasonWords } from '../alerts/verdict.ts';
import { t } from '../i18n/index.ts';
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
  return line.role === null || line.role === 'other' ? '' : t('delivery:role', { role: line.role });
}

function titleOf(m: OutgoingMessage): string {
  const where = m.stack ?? m.host;
  const worst = m.alerts[0];
  if (m.status === 'test' || worst === undefined) return t('delivery:testTitle', { channel: m.channel });
  const others = new Set(m.alerts.map((a) => a.key)).size - 1;
  const what =
    t('delivery:what', { words: words(worst), name: worst.name, role: role(worst) }) +
    (others > 0 ? t('delivery:more', { n: others }) : '');
  return m.status === 'resolved'
    ? t('delivery:resolvedTitle', { where, what })
    : t('delivery:firingTitle', { icon: ICON[m.severity], where, what });
}

function whereLine(m: OutgoingMessage, time: (ts: number) => string): string {
  const place =
    m.stack === null
      ? t('delivery:host', { host: m.host })
      : t('delivery:stackOnHost', { stack: m.stack, host: m.host });
  if (m.status === 'resolved' && m.endedAt !== null) {
    const lasted = spanText((m.endedAt - m.startedAt) / 1000);
    return t('delivery:cleared', { place, time: time(m.endedAt), lasted });
  }
  return t('delivery:since', { place, time: time(m.startedAt) });
}

export function render(m: OutgoingMessage, time: (ts: number) => string = localTime): Rendered {
  if (m.status === 'report' && m.report !== undefined) {
    return { title: `🌙 ${m.report.title}`, lines: m.report.lines, link: m.dashboardUrl };
  }
  if (m.status === 'test') {
    return {
      title: titleOf(m),
      lines: [t('delivery:test.sent', { host: m.host, time: time(m.createdAt) }), t('delivery:test.shape')],
      link: m.dashboardUrl,
    };
  }
  const shown = m.alerts.slice(0, LINES_SHOWN).map((a) => {
    const tag = m.status === 'resolved' ? t('delivery:tag.was') : t(`delivery:tag.${a.severity}`);
    return t('delivery:line', { tag, message: alertText(a) });
  });
  const hidden = m.alerts.length - shown.length;
  return {
    title: titleOf(m),
    lines: [...shown, ...(hidden > 0 ? [t('delivery:hidden', { n: hidden })] : []), whereLine(m, time)],
    link: m.dashboardUrl,
  };
}

/** Title, lines and link as plain text: e-mail bodies, ntfy, and whatever shows text as it is. */
export function plainText(r: Rendered): string {
  return [...r.lines, ...(r.link === null ? [] : [t('delivery:dashboard', { link: r.link })])].join('\n');
}
