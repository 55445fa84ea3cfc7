/**
 * The timeline: what happened, one time-ordered list per host and stack (newest first), with the
 * monitor's own starts and sleeps in a list of their own. Filters by container, rule and severity.
 * An entry of a container opens its charts around that moment, the entry marked on them.
 */
import { HISTORY_WINDOWS, type DifyMonitorApi, type HistoryWindow } from '../src/api.ts';
import {
  isTimelineEntry,
  TIMELINE_SEVERITIES,
  type TimelineEntry,
  type TimelineSeverity,
} from '../src/history/timeline-entry.ts';
import type { Alert } from '../src/alerts/types.ts';
import { t } from '../src/i18n/index.ts';
import type { Annotations, Palette } from './charts.ts';
import { h } from './dom.ts';
import { dateTime, ruleName } from './format.ts';
import { entryText } from './timeline-text.ts';

/** How far back the view reads: the longest the journal keeps by default. */
const SHOWN_MS = 7 * 24 * 3_600_000;

export interface TimelineFilter {
  readonly key: string | null;
  readonly rule: string | null;
  readonly minSeverity: TimelineSeverity;
}

/** The route of a container's charts at one moment: `#/c/<key>?at=<ms>`. */
export function chartAt(key: string, ts: number): string {
  return `#/c/${encodeURIComponent(key)}?at=${ts}`;
}

/** A vertical line at the entry's moment, on both charts of the detail view. */
export function entryMarker(ts: number, colors: Palette): Annotations {
  return {
    timelineEntry: {
      type: 'line',
      xMin: ts,
      xMax: ts,
      borderColor: colors.critical,
      borderWidth: 3,
      borderDash: [2, 2],
      label: { display: true, content: t('page:timeline.marker'), position: 'start', font: { size: 11 } },
    },
  };
}

/** The shortest chart window that holds the moment; the longest when it is older still. */
export function windowAround(at: number, now: number): HistoryWindow {
  const fits = (Object.keys(HISTORY_WINDOWS) as HistoryWindow[]).find(
    (w) => now - at < HISTORY_WINDOWS[w] * 0.9,
  );
  return fits ?? '24h';
}

export function matches(e: TimelineEntry, f: TimelineFilter): boolean {
  const rank = (s: TimelineSeverity): number => TIMELINE_SEVERITIES.indexOf(s);
  return (
    (f.key === null || e.key === f.key) &&
    (f.rule === null || e.rule === f.rule) &&
    rank(e.severity) >= rank(f.minSeverity)
  );
}

/** The lists the view shows: by host and stack, each newest first; the monitor's own list last. */
export function groupsOf(entries: readonly TimelineEntry[]): { title: string; entries: TimelineEntry[] }[] {
  const groups = new Map<string, { title: string; entries: TimelineEntry[] }>();
  for (const e of [...entries].sort((a, b) => b.ts - a.ts)) {
    const id = e.host === null ? '' : `${e.host}\u0000${e.stack ?? ''}`;
    const title =
      e.host === null
        ? t('page:timeline.monitor')
        : e.stack === null
          ? t('page:timeline.host', { host: e.host })
          : t('page:timeline.stack', { host: e.host, stack: e.stack });
    const group = groups.get(id) ?? { title, entries: [] };
    group.entries.push(e);
    groups.set(id, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)))
    .map(([, g]) => g);
}

export class TimelineView {
  readonly root: HTMLElement;
  readonly #api: DifyMonitorApi;
  readonly #at: number | null;
  readonly #alerts: () => readonly Alert[];
  readonly #body = h('div', { class: 'timeline-groups' });
  readonly #filters = h('div', { class: 'filters timeline-filters' });
  #entries: TimelineEntry[] = [];
  #filter: TimelineFilter = { key: null, rule: null, minSeverity: 'info' };
  #error: string | null = null;

  /**
   * `at`: the moment to open at (a report's first entry), scrolled to and marked; `alerts`: the
   * page's alert log, whose sentences an alert's entry shows.
   */
  constructor(api: DifyMonitorApi, at: number | null, alerts: () => readonly Alert[]) {
    this.#api = api;
    this.#at = at;
    this.#alerts = alerts;
    this.root = h(
      'section',
      { class: 'timeline', 'aria-label': t('page:timeline.title') },
      h('h2', {}, t('page:timeline.title')),
      this.#filters,
      this.#body,
    );
  }

  async load(): Promise<void> {
    const now = Date.now();
    try {
      const answer = await this.#api.invoke('timeline:list', { from: now - SHOWN_MS, to: now + 60_000 });
      this.#entries = Array.isArray(answer?.entries) ? answer.entries.filter(isTimelineEntry) : [];
      this.#error = null;
    } catch (error) {
      this.#error = t('page:timeline.loadFailed', { why: (error as Error).message });
    }
    this.#render();
    this.#reveal();
  }

  /** A new entry pushed by the monitor. */
  add(entry: TimelineEntry): void {
    this.#entries.push(entry);
    this.#render();
  }

  #render(): void {
    this.#filters.replaceChildren(...this.#filterControls());
    const shown = this.#entries.filter((e) => matches(e, this.#filter));
    if (this.#error !== null) {
      this.#body.replaceChildren(h('div', { class: 'banner error', role: 'alert' }, this.#error));
      return;
    }
    if (shown.length === 0) {
      this.#body.replaceChildren(h('p', { class: 'empty' }, t('page:timeline.empty')));
      return;
    }
    this.#body.replaceChildren(
      ...groupsOf(shown).map((g) =>
        h(
          'section',
          { class: 'timeline-group' },
          h('h3', {}, g.title),
          h('ol', { class: 'alert-list' }, ...g.entries.map((e) => this.#item(e))),
        ),
      ),
    );
  }

  #item(e: TimelineEntry): HTMLElement {
    const when = h('time', { datetime: new Date(e.ts).toISOString() }, dateTime(e.ts));
    const words = entryText(e, this.#alerts());
    const text = e.key === null ? h('span', {}, words) : h('a', { href: chartAt(e.key, e.ts) }, words);
    return h(
      'li',
      {
        class: `alert timeline-entry ${e.severity}`,
        'data-kind': e.kind,
        'data-ts': e.ts,
        'data-key': e.key,
        'aria-current': this.#at !== null && e.ts === this.#firstAt() ? 'true' : null,
      },
      when,
      h('span', { class: 'rule' }, t(`page:timeline.kinds.${e.kind}`)),
      e.untilTs === null
        ? null
        : h('span', { class: 'rule' }, t('page:timeline.until', { when: dateTime(e.untilTs) })),
      h('p', { class: 'message' }, text),
    );
  }

  /** The entry a report pointed at: the first at or after its moment. */
  #firstAt(): number | null {
    const at = this.#at;
    if (at === null) return null;
    const after = this.#entries.filter((e) => e.ts >= at).map((e) => e.ts);
    return after.length === 0 ? null : Math.min(...after);
  }

  #reveal(): void {
    this.root.querySelector<HTMLElement>('[aria-current="true"]')?.scrollIntoView({ block: 'center' });
  }

  #filterControls(): HTMLElement[] {
    const containers = new Map<string, string>();
    const rules = new Set<string>();
    for (const e of this.#entries) {
      if (e.key !== null) containers.set(e.key, e.name ?? e.key);
      if (e.rule !== null) rules.add(e.rule);
    }
    const select = (
      label: string,
      name: string,
      options: readonly (readonly [string, string])[],
      current: string,
      set: (value: string) => void,
    ): HTMLElement => {
      const el = h(
        'select',
        { name, 'aria-label': label },
        ...options.map(([value, text]) => h('option', { value, selected: value === current }, text)),
      );
      el.addEventListener('change', () => {
        set(el.value);
        this.#render();
      });
      return h('label', {}, `${label} `, el);
    };
    return [
      select(
        t('page:timeline.container'),
        'key',
        [['', t('page:timeline.anyContainer')], ...[...containers].sort((a, b) => a[1].localeCompare(b[1]))],
        this.#filter.key ?? '',
        (v) => {
          this.#filter = { ...this.#filter, key: v === '' ? null : v };
        },
      ),
      select(
        t('page:timeline.rule'),
        'rule',
        [['', t('page:timeline.anyRule')], ...[...rules].sort().map((r) => [r, ruleName(r)] as const)],
        this.#filter.rule ?? '',
        (v) => {
          this.#filter = { ...this.#filter, rule: v === '' ? null : v };
        },
      ),
      select(
        t('page:timeline.minSeverity'),
        'severity',
        TIMELINE_SEVERITIES.map((s) => [s, t(`page:timeline.severity.${s}`)] as const),
        this.#filter.minSeverity,
        (v) => {
          const severity = TIMELINE_SEVERITIES.find((s) => s === v);
          if (severity !== undefined) this.#filter = { ...this.#filter, minSeverity: severity };
        },
      ),
    ];
  }
}
