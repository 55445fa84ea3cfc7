/**
 * A timeline line in the page's language. The journal keeps each line as the monitor wrote it,
 * in the monitor's language. A line in English is read back into its figures by the English
 * template it was made from, and written again in the page's; an alert's line becomes that
 * alert's sentence (alertText). A line of any other shape is shown as it was kept.
 */
import { alertText } from '../src/alerts/alert-text.ts';
import type { Alert } from '../src/alerts/types.ts';
import type { TimelineEntry } from '../src/history/timeline-entry.ts';
import { currentLanguage, t } from '../src/i18n/index.ts';
import { EN } from '../src/i18n/resources.ts';

type Figures = (name: string) => string;

/** `{{name}} restarted` → reads `api-1 restarted` as { name: 'api-1' }. */
function reader(template: string): (text: string) => Figures | null {
  const names: string[] = [];
  const parts = template.split(/\{\{(\w+)\}\}/).map((part, i) => {
    if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    names.push(part);
    return '(.+?)';
  });
  const pattern = new RegExp(`^${parts.join('')}$`, 's');
  return (text) => {
    const match = pattern.exec(text);
    if (match === null) return null;
    return (name) => match[names.indexOf(name) + 1] ?? '';
  };
}

const SPANS: readonly [(text: string) => Figures | null, (f: Figures) => string][] = [
  [reader(EN.notify.span.hoursMinutes), (f) => t('notify:span.hoursMinutes', { h: f('h'), m: f('m') })],
  [reader(EN.notify.span.hours), (f) => t('notify:span.hours', { h: f('h') })],
  [reader(EN.notify.span.minutes), (f) => t('notify:span.minutes', { m: f('m') })],
];

function span(text: string): string {
  for (const [read, write] of SPANS) {
    const figures = read(text);
    if (figures !== null) return write(figures);
  }
  return text;
}

const LINES: readonly [(text: string) => Figures | null, (f: Figures) => string][] = [
  [reader(EN.notify.timeline.started), () => t('notify:timeline.started')],
  [
    reader(EN.notify.timeline.startedAfter),
    (f) => t('notify:timeline.startedAfter', { span: span(f('span')) }),
  ],
  [reader(EN.notify.timeline.slept), (f) => t('notify:timeline.slept', { span: span(f('span')) })],
  [
    reader(EN.timeline.restartedAway),
    (f) => t('timeline:restartedAway', { name: f('name'), times: f('times') }),
  ],
  [reader(EN.timeline.restart), (f) => t('timeline:restart', { name: f('name') })],
  [reader(EN.timeline.recreated), (f) => t('timeline:recreated', { name: f('name') })],
  [
    reader(EN.timeline.newImage),
    (f) => t('timeline:newImage', { name: f('name'), from: f('from'), to: f('to') }),
  ],
  [reader(EN.timeline.down), (f) => t('timeline:down', { host: f('host'), why: f('why') })],
  [reader(EN.timeline.up), (f) => t('timeline:up', { host: f('host') })],
];

export function entryText(e: TimelineEntry, alerts: readonly Alert[]): string {
  if (currentLanguage() === 'en') return e.text;
  if (e.rule !== null) {
    const alert = alerts.find((a) => a.rule === e.rule && a.message === e.text);
    return alert === undefined ? e.text : alertText(alert);
  }
  for (const [read, write] of LINES) {
    const figures = read(e.text);
    if (figures !== null) return write(figures);
  }
  return e.text;
}
