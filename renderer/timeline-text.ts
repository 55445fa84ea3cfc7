/**
 * A timeline line in the page's language. The journal keeps each line as the monitor wrote it,
 * in the monitor's language; a line in English is read back (read-back.ts), and an alert's line
 * becomes that alert's sentence (alertText).
 */
import { alertText } from '../src/alerts/alert-text.ts';
import type { Alert } from '../src/alerts/types.ts';
import type { TimelineEntry } from '../src/history/timeline-entry.ts';
import { currentLanguage, t } from '../src/i18n/index.ts';
import { EN } from '../src/i18n/resources.ts';
import { readBack, reader, type Rewrite } from './read-back.ts';

const SPANS: readonly Rewrite[] = [
  [reader(EN.notify.span.hoursMinutes), (f) => t('notify:span.hoursMinutes', { h: f('h'), m: f('m') })],
  [reader(EN.notify.span.hours), (f) => t('notify:span.hours', { h: f('h') })],
  [reader(EN.notify.span.minutes), (f) => t('notify:span.minutes', { m: f('m') })],
];

function span(text: string): string {
  return readBack(text, SPANS);
}

const LINES: readonly Rewrite[] = [
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
  return readBack(e.text, LINES);
}
