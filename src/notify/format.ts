/**
 * An alert as a desktop notification: a title that names what is at risk and a body with the
 * numbers, both short enough to read at a glance and to survive every platform's truncation.
 */
import { alertText, spanText } from '../alerts/alert-text.ts';
import { formatBytes } from '../alerts/format.ts';
import type { Alert, Severity, SnapshotEntry } from '../alerts/types.ts';
import { reasonWords } from '../alerts/verdict.ts';
import { t } from '../i18n/index.ts';
import type { DesktopNotification, Urgency } from './notifier.ts';

export const TITLE_MAX = 60;
export const BODY_MAX = 200;
const HELD_SHOWN = 3;

const URGENCY: Readonly<Record<Severity, Urgency>> = {
  critical: 'critical',
  warning: 'normal',
  info: 'low',
};

/** The notification for an alert, or null for a muted one: those are only logged. */
export function notificationFor(alert: Alert): DesktopNotification | null {
  if (alert.muted === true) return null;
  return {
    title: titleFor(alert),
    body: bodyFor(alert),
    urgency: URGENCY[alert.severity],
    ...(alert.key === undefined ? {} : { id: alert.key }),
  };
}

/** The notification's own words where it says more than the verdict (a risk, an ETA, the host); else the verdict's. */
function headline(alert: Alert): string {
  const critical = alert.severity === 'critical';
  switch (alert.rule) {
    case 'memory-threshold':
      return critical ? t('notify:headline.oomRisk') : reasonWords(alert.rule, 'warning');
    case 'memory-trend':
      return alert.etaSeconds === null
        ? t('notify:headline.oomRisk')
        : t('notify:headline.oomIn', { eta: spanText(alert.etaSeconds) });
    case 'stack-memory':
      return critical ? t('notify:headline.difyNearOom') : t('notify:headline.difyMemoryHigh');
    case 'host-down':
      return t('notify:headline.hostDown');
    case 'host-up':
      return t('notify:headline.hostUp');
    case 'recovered':
      return t('notify:headline.recovered');
    default:
      return reasonWords(alert.rule, critical ? 'critical' : 'warning');
  }
}

/** "OOM risk: docker-worker-1 (worker)"; a long name is shortened, never the headline or role. */
function titleFor(alert: Alert): string {
  // `other` says nothing a reader could use; null means a stack or a host.
  const role = alert.role === null || alert.role === 'other' ? '' : t('notify:role', { role: alert.role });
  const prefix = t('notify:title', { headline: headline(alert) });
  const name = clip(singleLine(alert.name), Math.max(8, TITLE_MAX - prefix.length - role.length));
  return clip(prefix + name + role, TITLE_MAX);
}

function bodyFor(alert: Alert): string {
  // The engine's sentence in English; a translation's is made from the alert's figures.
  const message = singleLine(alertText(alert));
  const snapshot = alert.snapshot ?? [];
  if (alert.rule !== 'oom-killed' || snapshot.length === 0) return clip(message, BODY_MAX);
  // The engine's message goes on to list the holders by full name; roles say it in fewer characters.
  const end = message.indexOf('. ');
  const what = end === -1 ? message : message.slice(0, end);
  const held = `${heldInside(alert)}${t('notify:heldBy', { list: heldBy(snapshot) })}`;
  return clip(what, BODY_MAX - held.length) + held;
}

/** ". docker-plugin_daemon-1: plugin langgenius/openai held 1.9 GiB": who inside the container held the most. */
function heldInside(alert: Alert): string {
  const p = alert.process;
  return p === undefined
    ? ''
    : t('notify:heldInside', {
        name: clip(alert.name, 40),
        label: clip(p.label, 40),
        bytes: formatBytes(p.rssBytes),
      });
}

/** "api 1.2 GiB, worker 900 MiB, db 300 MiB": by role where that names one container, else by name. */
function heldBy(snapshot: readonly SnapshotEntry[]): string {
  const top = [...snapshot].sort((a, b) => b.memUsageBytes - a.memUsageBytes).slice(0, HELD_SHOWN);
  const label = (e: SnapshotEntry): string =>
    e.role !== 'other' && top.filter((o) => o.role === e.role).length === 1 ? e.role : e.name;
  return top
    .map((e) => t('notify:heldEntry', { label: clip(label(e), 30), bytes: formatBytes(e.memUsageBytes) }))
    .join(t('notify:listSeparator'));
}

function singleLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 1 ? text.slice(0, Math.max(0, max)) : `${text.slice(0, max - 1)}…`;
}
