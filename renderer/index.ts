/**
 * The dashboard. It talks only to `window.difyMonitor` (the Electron preload), or, in a browser,
 * to the same API over the web bridge; every payload is checked before use.
 */
import type { DifyMonitorApi, EventChannel, EventChannels } from '../src/api.ts';
import {
  chooseLanguage,
  currentLanguage,
  LANGUAGE_SETTINGS,
  pickLanguage,
  setLanguage,
  t,
} from '../src/i18n/index.ts';
import { isOneOf } from '../src/model.ts';
import type { Settings } from '../src/settings/schema.ts';
import { renderAlerts } from './alerts.ts';
import { createBridgeClient } from './bridge-client.ts';
import { plotOf } from './charts.ts';
import { DetailView } from './detail.ts';
import { h } from './dom.ts';
import { HostsPanel } from './hosts.ts';
import { dateTime } from './format.ts';
import { renderOverview, type ListOptions } from './overview.ts';
import { renderSettings } from './settings.ts';
import { State } from './state.ts';
import { TimelineView } from './timeline.ts';
import { checkEvent, parseSnapshot } from './validate.ts';

declare global {
  interface Window {
    difyMonitor?: DifyMonitorApi;
    /** Read-only view of the charts' annotation lines and what each chart draws, for tests and bug reports. */
    difyMonitorCharts?: () => Record<string, unknown>;
  }
}

type Route =
  | { view: 'overview' }
  | { view: 'alerts' }
  | { view: 'settings' }
  | { view: 'timeline'; at: number | null }
  | { view: 'detail'; key: string; at: number | null };

/** `?at=<ms>` after a route: the moment a timeline entry points at. */
function atOf(query: string | undefined): number | null {
  const at = Number(new URLSearchParams(query ?? '').get('at') ?? Number.NaN);
  return Number.isSafeInteger(at) ? at : null;
}

function routeOf(hash: string): Route {
  if (hash.startsWith('#/c/')) {
    const [path, query] = hash.slice(4).split('?');
    try {
      return { view: 'detail', key: decodeURIComponent(path ?? ''), at: atOf(query) };
    } catch {
      return { view: 'overview' };
    }
  }
  if (hash === '#/alerts') return { view: 'alerts' };
  if (hash === '#/settings') return { view: 'settings' };
  if (hash === '#/timeline' || hash.startsWith('#/timeline?'))
    return { view: 'timeline', at: atOf(hash.split('?')[1]) };
  return { view: 'overview' };
}

class App {
  readonly #api: DifyMonitorApi;
  readonly #state: State;
  readonly #main: HTMLElement;
  readonly #list: ListOptions = { sort: 'name', descending: false, difyOnly: true };
  #route: Route = { view: 'overview' };
  #detail: DetailView | null = null;
  #hosts: HostsPanel | null = null;
  #timeline: TimelineView | null = null;
  #pending = false;
  #notice: string | null = null;

  constructor(api: DifyMonitorApi, state: State, main: HTMLElement) {
    this.#api = api;
    this.#state = state;
    this.#main = main;
  }

  start(): void {
    this.#on('monitor:round', (round) => {
      this.#state.round(round.host, round.ts, round.samples);
      this.#detail?.onRound(round.samples, Date.now());
      if (this.#route.view === 'overview') this.#schedule();
    });
    this.#on('monitor:host', (state) => {
      this.#state.host(state);
      this.#hosts?.refresh();
      this.#schedule();
    });
    this.#on('monitor:event', (event) => {
      this.#state.event(event);
      this.#detail?.refresh();
    });
    this.#on('monitor:alert', (alert) => {
      this.#state.alert(alert);
      this.#detail?.refresh();
      this.#header();
      if (this.#route.view !== 'settings' && this.#route.view !== 'detail') this.#schedule();
    });
    this.#on('monitor:verdict', (verdict) => {
      this.#state.verdict = verdict;
      this.#detail?.refresh();
      if (this.#route.view === 'overview') this.#schedule();
    });
    this.#on('settings:changed', (settings) => {
      this.#state.setSettings(settings, Date.now());
      if (useLanguageOf(settings)) {
        this.#navigate();
        return;
      }
      this.#detail?.refresh();
      void this.#hosts?.load();
      this.#header();
      if (this.#route.view === 'alerts' || this.#route.view === 'overview') this.#schedule();
    });
    this.#on('monitor:timeline', (entry) => this.#timeline?.add(entry));
    this.#on('ui:focus-container', ({ key }) => {
      location.hash = `#/c/${encodeURIComponent(key)}`;
    });
    window.addEventListener('hashchange', () => this.#navigate());
    window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.#navigate());
    this.#main.addEventListener('keydown', (event) => this.#keys(event));
    window.difyMonitorCharts = () => {
      const charts = this.#detail?.charts;
      return {
        memory: JSON.parse(
          JSON.stringify(charts?.memory?.chart.config.options?.plugins?.annotation?.annotations ?? null),
        ),
        cpu: JSON.parse(
          JSON.stringify(charts?.cpu?.chart.config.options?.plugins?.annotation?.annotations ?? null),
        ),
        plots: { memory: plotOf(charts?.memory ?? null), cpu: plotOf(charts?.cpu ?? null) },
      };
    };
    this.#navigate();
  }

  #on<C extends EventChannel>(channel: C, handle: (payload: EventChannels[C]) => void): void {
    this.#api.on(channel, (payload: unknown) => {
      const checked = checkEvent(channel, payload);
      if (checked === null) return;
      try {
        handle(checked);
      } catch (error) {
        this.#notice = t('page:updateFailed', { why: (error as Error).message });
      }
    });
  }

  #schedule(): void {
    if (this.#pending) return;
    this.#pending = true;
    requestAnimationFrame(() => {
      this.#pending = false;
      this.#render();
    });
  }

  #navigate(): void {
    this.#route = routeOf(location.hash);
    this.#detail?.destroy();
    this.#detail = null;
    this.#hosts = null;
    this.#timeline = null;
    for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
      const current = link.dataset['nav'] === this.#route.view;
      if (current) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    if (this.#route.view === 'detail') {
      this.#detail = new DetailView(this.#api, this.#state, this.#route.key, this.#route.at);
      this.#main.replaceChildren(this.#detail.root);
      void this.#detail.load();
    } else if (this.#route.view === 'timeline') {
      this.#timeline = new TimelineView(this.#api, this.#route.at, () => this.#state.alerts);
      this.#main.replaceChildren(this.#timeline.root);
      void this.#timeline.load();
    } else if (this.#route.view === 'settings') {
      this.#hosts = new HostsPanel(this.#api, () => this.#state.hosts);
      this.#main.replaceChildren(renderSettings(this.#api, this.#state.settings), this.#hosts.root);
      void this.#hosts.load();
    } else {
      this.#render();
    }
    this.#header();
  }

  #render(): void {
    const focusedKey = (document.activeElement as HTMLElement | null)?.dataset?.['key'];
    let view: HTMLElement;
    if (this.#route.view === 'alerts') {
      view = renderAlerts(this.#api, this.#state, (message) => {
        this.#notice = message;
        this.#schedule();
      });
    } else if (this.#route.view === 'overview') {
      view = renderOverview(this.#state, this.#list, () => this.#render());
    } else {
      return;
    }
    const children: Node[] = [];
    if (this.#notice !== null)
      children.push(h('div', { class: 'banner error', role: 'alert' }, this.#notice));
    children.push(view);
    this.#main.replaceChildren(...children);
    if (focusedKey !== undefined) {
      this.#main.querySelector<HTMLElement>(`[data-key="${CSS.escape(focusedKey)}"]`)?.focus();
    }
    this.#header();
  }

  #header(): void {
    const dayAgo = Date.now() - 24 * 3_600_000;
    const serious = this.#state.alerts.filter((a) => a.severity !== 'info' && a.ts > dayAgo).length;
    const count = document.getElementById('alert-count');
    if (count !== null) count.textContent = serious > 0 ? `(${serious})` : '';
    const mute = document.getElementById('mute-state');
    if (mute !== null) {
      const until = this.#state.mutedUntil;
      mute.textContent =
        until === null || until < Date.now() ? '' : t('page:mutedUntil', { when: dateTime(until) });
    }
  }

  /** Arrow keys move between container rows; Enter opens the focused one. */
  #keys(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (!target.matches('tr.row, li.alert')) return;
    const selector = target.matches('tr.row') ? 'tr.row' : 'li.alert';
    const all = [...this.#main.querySelectorAll<HTMLElement>(selector)];
    const index = all.indexOf(target);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      all[index + (event.key === 'ArrowDown' ? 1 : -1)]?.focus();
      event.preventDefault();
    } else if (event.key === 'Enter' && target.dataset['key'] !== undefined && target.matches('tr.row')) {
      location.hash = `#/c/${encodeURIComponent(target.dataset['key'])}`;
    }
  }
}

/** The words index.html leaves out, so that it never shows in the wrong language. */
function pageText(): void {
  document.documentElement.lang = currentLanguage();
  const set = (selector: string, text: string): void => {
    const el = document.querySelector(selector);
    if (el !== null) el.textContent = text;
  };
  set('.skip', t('page:skip'));
  document.querySelector('nav')?.setAttribute('aria-label', t('page:views'));
  set('[data-nav="overview"]', t('page:nav.overview'));
  set('[data-nav="alerts"] [data-nav-label]', t('page:nav.alerts'));
  set('[data-nav="timeline"]', t('page:nav.timeline'));
  set('[data-nav="settings"]', t('page:nav.settings'));
  set('[data-loading]', t('page:loading'));
}

/**
 * The saved `language` setting, else the browser's; true when it changed what the page says.
 * The words are redrawn then, not the page reloaded: a reload would drop the charts' history.
 */
function useLanguageOf(settings: Settings): boolean {
  // The page's own check of the payload (validate.ts) leaves this field to here.
  const saved = isOneOf(LANGUAGE_SETTINGS, settings.language) ? settings.language : undefined;
  const language = chooseLanguage(saved, pickLanguage(navigator.languages));
  if (language === currentLanguage()) return false;
  setLanguage(language);
  pageText();
  return true;
}

async function main(): Promise<void> {
  const root = document.getElementById('main');
  if (root === null) return;
  setLanguage(pickLanguage(navigator.languages));
  pageText();
  const api = window.difyMonitor ?? createBridgeClient();
  let snapshot;
  try {
    snapshot = parseSnapshot(await api.invoke('monitor:snapshot', null));
  } catch (error) {
    root.replaceChildren(
      h(
        'div',
        { class: 'banner error', role: 'alert' },
        t('page:unreachable', { why: (error as Error).message }),
      ),
    );
    return;
  }
  if (snapshot === null) {
    root.replaceChildren(h('div', { class: 'banner error', role: 'alert' }, t('page:unreadable')));
    return;
  }
  useLanguageOf(snapshot.settings);
  if (window.difyMonitor !== undefined) {
    const visible = (): void =>
      void api.invoke('monitor:visible', { visible: document.visibilityState === 'visible' });
    document.addEventListener('visibilitychange', visible);
    visible();
  }
  new App(api, new State(snapshot), root).start();
}

void main();
