/** One container: live CPU and memory charts with threshold, limit, event and trend markers. */
import type { Alert, AlertRule } from '../src/alerts/types.ts';
import type { DifyMonitorApi, HistoryResponse, HistoryWindow } from '../src/api.ts';
import { HISTORY_WINDOWS } from '../src/api.ts';
import type { ContainerEvent, ProcessTable, Sample } from '../src/model.ts';
import {
  createLiveChart,
  palette,
  pushPoint,
  setAnnotations,
  type Annotations,
  type LiveChart,
  type Palette,
  type Point,
} from './charts.ts';
import { t } from '../src/i18n/index.ts';
import { h } from './dom.ts';
import { withGaps } from './gaps.ts';
import { exportControls } from './export.ts';
import { processSection, processTableOf } from './processes.ts';
import { clockTime, duration, formatBytes, percent } from './format.ts';
import type { State } from './state.ts';
import { entryMarker, windowAround } from './timeline.ts';
import { containerStatus, limitOf } from './status.ts';

/** Points each window may hold: raw at 1 s for 5 min, 10 s buckets for 1 h, 1 min buckets for 24 h. */
const MAX_POINTS: Readonly<Record<HistoryWindow, number>> = { '5m': 1200, '1h': 800, '24h': 1600 };
const STEP_MS: Readonly<Record<HistoryWindow, number>> = { '5m': 0, '1h': 10_000, '24h': 60_000 };
const MARKER_RULES: ReadonlySet<AlertRule> = new Set(['oom-killed', 'restart-loop', 'unhealthy']);
/** How long after a signal an exit 137 is still its sender's, as the alert engine holds it. */
const SIGNALLED_MS = 30_000;
/** The processes table is asked for again after this long (the monitor decides what a read costs). */
const PROCESSES_EVERY_MS = 5_000;

export interface Marker {
  readonly ts: number;
  readonly label: string;
}

/** Vertical markers from lifecycle events and alerts, one per kind per few seconds. */
function markersFor(key: string, events: readonly ContainerEvent[], alerts: readonly Alert[]): Marker[] {
  const out: Marker[] = [];
  const add = (ts: number, label: string): void => {
    if (!out.some((m) => m.label === label && Math.abs(m.ts - ts) < 5000)) out.push({ ts, label });
  };
  for (const a of alerts) {
    if (a.key !== key || !MARKER_RULES.has(a.rule)) continue;
    add(
      a.ts,
      t(
        a.rule === 'oom-killed'
          ? 'page:detail.marker.oom'
          : a.rule === 'restart-loop'
            ? 'page:detail.marker.restartLoop'
            : 'page:detail.marker.unhealthy',
      ),
    );
  }
  let signalledAt = -Infinity;
  for (const e of events) {
    if (e.action === 'kill') signalledAt = e.ts;
    const label = eventLabel(e, e.ts - signalledAt < SIGNALLED_MS);
    if (label !== null) add(e.ts, label);
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** A lifecycle event's marker; an exit 137 right after a signal is whoever sent it, not the OOM killer. */
function eventLabel(e: ContainerEvent, signalled: boolean): string | null {
  if (e.action === 'kill') return t('page:detail.marker.signal');
  if (e.action === 'oom' || (e.action === 'die' && e.exitCode === 137 && !signalled))
    return t('page:detail.marker.oom');
  if (e.action === 'restart' || e.action === 'start') return t('page:detail.marker.restart');
  if (e.action === 'health_status' && e.health === 'unhealthy') return t('page:detail.marker.unhealthy');
  return null;
}

/** The newest memory-trend alert for the container, when nothing has cleared it since. */
function activeTrend(key: string, alerts: readonly Alert[]): Alert | null {
  for (const a of alerts) {
    if (a.key !== key) continue;
    if (a.rule === 'memory-trend') return a;
    if (a.rule === 'recovered' || a.rule === 'oom-killed') return null;
  }
  return null;
}

function hline(
  text: string,
  id: string,
  y: number,
  color: string,
  label: string,
  dash: number[],
  position: 'start' | 'center' | 'end',
  adjustScaleRange = true,
): Annotations {
  return {
    [id]: {
      type: 'line',
      yMin: y,
      yMax: y,
      borderColor: color,
      borderWidth: 1.5,
      borderDash: dash,
      adjustScaleRange,
      label: {
        display: true,
        content: label,
        position,
        backgroundColor: color,
        color: text,
        font: { size: 11 },
      },
    },
  };
}

function markerLines(markers: readonly Marker[], colors: Palette): Annotations {
  const out: Annotations = {};
  markers.forEach((m, i) => {
    out[`marker${i}`] = {
      type: 'line',
      xMin: m.ts,
      xMax: m.ts,
      borderColor: m.label === t('page:detail.marker.oom') ? colors.critical : colors.marker,
      borderWidth: 2,
      label: { display: true, content: m.label, position: 'end', font: { size: 11 } },
    };
  });
  return out;
}

export class DetailView {
  readonly root: HTMLElement;
  readonly #api: DifyMonitorApi;
  readonly #state: State;
  readonly #key: string;
  /** The moment a timeline entry opened these charts at: marked, and the window holds it. */
  readonly #at: number | null;
  #window: HistoryWindow = '5m';
  #memory: LiveChart | null = null;
  #cpu: LiveChart | null = null;
  #head: HTMLElement;
  #caption: HTMLElement;
  #processBox: HTMLElement;
  #processes: ProcessTable | null = null;
  #processesAskedAt = -Infinity;
  #generation = 0;

  constructor(api: DifyMonitorApi, state: State, key: string, at: number | null = null) {
    this.#api = api;
    this.#state = state;
    this.#key = key;
    this.#at = at;
    if (at !== null) this.#window = windowAround(at, Date.now());
    this.#head = h('div', { class: 'detail-head' });
    this.#caption = h('p', { class: 'lines', 'data-lines': '' });
    this.#processBox = h('div', { 'data-processes': '' });
    const windows = h('div', { class: 'windows', role: 'group', 'aria-label': t('page:detail.window') });
    for (const w of Object.keys(HISTORY_WINDOWS) as HistoryWindow[]) {
      const button = h(
        'button',
        { type: 'button', 'data-window': w, 'aria-pressed': w === this.#window },
        t(`page:detail.windows.${w}`),
      );
      button.addEventListener('click', () => {
        for (const b of windows.querySelectorAll('button'))
          b.setAttribute('aria-pressed', String(b === button));
        this.#window = w;
        void this.load();
      });
      windows.append(button);
    }
    const memCanvas = h('canvas', {
      id: 'chart-memory',
      role: 'img',
      'aria-label': t('page:detail.memoryChart'),
    });
    const cpuCanvas = h('canvas', { id: 'chart-cpu', role: 'img', 'aria-label': t('page:detail.cpuChart') });
    this.root = h(
      'div',
      { class: 'detail', 'data-detail-key': key },
      h('p', {}, h('a', { href: '#/' }, t('page:detail.back'))),
      this.#head,
      windows,
      exportControls(api, {
        target: () => this.#state.rows.get(key)?.sample ?? null,
        window: () => this.#window,
        charts: () => this.charts,
      }),
      h(
        'section',
        { class: 'chart' },
        h('h3', {}, t('page:detail.memory')),
        h('div', { class: 'canvas-box' }, memCanvas),
      ),
      this.#caption,
      h(
        'section',
        { class: 'chart' },
        h('h3', {}, t('page:detail.cpuTitle')),
        h('div', { class: 'canvas-box' }, cpuCanvas),
      ),
      h('section', { class: 'processes' }, h('h3', {}, t('page:detail.processes')), this.#processBox),
    );
    const colors = palette();
    this.#memory = createLiveChart(memCanvas, {
      label: t('page:detail.memory'),
      yFormat: formatBytes,
      colors,
    });
    this.#cpu = createLiveChart(cpuCanvas, {
      label: t('page:detail.cpu'),
      yFormat: (v) => percent(v),
      colors,
    });
    this.#renderHead();
  }

  get charts(): { memory: LiveChart | null; cpu: LiveChart | null } {
    return { memory: this.#memory, cpu: this.#cpu };
  }

  async load(): Promise<void> {
    const generation = ++this.#generation;
    const request = (metric: 'memUsageBytes' | 'cpuPercent'): Promise<HistoryResponse> =>
      this.#api.invoke('monitor:history', { key: this.#key, metric, window: this.#window });
    try {
      const [mem, cpu] = await Promise.all([request('memUsageBytes'), request('cpuPercent')]);
      if (generation !== this.#generation) return;
      this.#fill(this.#memory, mem);
      this.#fill(this.#cpu, cpu);
    } catch {
      // Keep what is drawn; the live stream fills in.
    }
    this.refresh();
    void this.#loadProcesses(Date.now());
  }

  async #loadProcesses(now: number): Promise<void> {
    if (now - this.#processesAskedAt < PROCESSES_EVERY_MS) return;
    this.#processesAskedAt = now;
    const generation = this.#generation;
    let table: ProcessTable | null = null;
    try {
      table = processTableOf(await this.#api.invoke('monitor:processes', { key: this.#key }));
    } catch {
      // Shown as unreadable; the next round asks again.
    }
    if (generation !== this.#generation) return;
    this.#processes = table;
    this.#processBox.replaceChildren(...processSection(table));
    this.refresh();
  }

  #fill(live: LiveChart | null, response: HistoryResponse): void {
    if (live === null || typeof response !== 'object' || response === null || !Array.isArray(response.points))
      return;
    live.data.length = 0;
    const max = MAX_POINTS[this.#window];
    for (const p of response.points.slice(-max)) {
      const y = 'avg' in p ? p.avg : 'value' in p ? p.value : null;
      if (typeof p.ts !== 'number' || !Number.isFinite(p.ts)) continue;
      live.data.push({ x: p.ts, y: typeof y === 'number' && Number.isFinite(y) ? y : null });
    }
    live.data.splice(0, live.data.length, ...withGaps(live.data));
  }

  /** A new round: adds this container's point (one per bucket width on the long windows). */
  onRound(samples: readonly Sample[], now: number): void {
    const sample = samples.find((s) => s.key === this.#key);
    if (sample === undefined) return;
    const from = Math.max(now, sample.ts) - HISTORY_WINDOWS[this.#window];
    const step = STEP_MS[this.#window];
    const add = (live: LiveChart | null, y: number | null): void => {
      if (live === null) return;
      const last = live.data.at(-1);
      if (last !== undefined && step > 0 && sample.ts - last.x < step) return;
      pushPoint(live, { x: sample.ts, y } satisfies Point, from, MAX_POINTS[this.#window]);
    };
    add(this.#memory, sample.memUsageBytes);
    add(this.#cpu, sample.cpuPercent);
    this.refresh();
    void this.#loadProcesses(now);
  }

  /** Redraws lines and axes from the current settings, alerts and events. */
  refresh(): void {
    const row = this.#state.rows.get(this.#key);
    this.#renderHead();
    if (row === undefined || this.#memory === null || this.#cpu === null) return;
    const sample = row.sample;
    const settings = this.#state.settings;
    const colors = palette();
    const now = Math.max(Date.now(), sample.ts);
    const from = now - HISTORY_WINDOWS[this.#window];
    const markers = markerLines(
      markersFor(this.#key, this.#state.events.get(this.#key) ?? [], this.#state.alerts).filter(
        (m) => m.ts >= from,
      ),
      colors,
    );
    if (this.#at !== null) Object.assign(markers, entryMarker(this.#at, colors));

    const limit = limitOf(sample, settings);
    const memLines: Annotations = { ...markers };
    const captions: string[] = [];
    let xMax = now;
    if (limit !== null) {
      const { warningPercent, criticalPercent } = settings.alerts.memory;
      const warn = (limit.bytes * warningPercent) / 100;
      const crit = (limit.bytes * criticalPercent) / 100;
      // A host-sized line would flatten a small container's curve; the caption names it instead.
      const fit = limit.source !== 'host';
      const limitLabel =
        limit.source === 'host'
          ? t('page:detail.noLimit', { bytes: formatBytes(limit.bytes) })
          : limit.source === 'budget'
            ? t('page:detail.budget', { bytes: formatBytes(limit.bytes) })
            : t('page:detail.limit', { bytes: formatBytes(limit.bytes) });
      Object.assign(
        memLines,
        hline(
          colors.background,
          'warning',
          warn,
          colors.warning,
          t('page:detail.warningLine', { percent: warningPercent, bytes: formatBytes(warn) }),
          [6, 4],
          'start',
          fit,
        ),
        hline(
          colors.background,
          'critical',
          crit,
          colors.critical,
          t('page:detail.criticalLine', { percent: criticalPercent, bytes: formatBytes(crit) }),
          [2, 3],
          'center',
          fit,
        ),
        hline(colors.background, 'limit', limit.bytes, colors.limit, limitLabel, [], 'end', fit),
      );
      captions.push(
        t('page:detail.lines', {
          warning: formatBytes(warn),
          critical: formatBytes(crit),
          limit: limitLabel,
        }),
      );
      const trend = activeTrend(this.#key, this.#state.alerts);
      if (trend !== null && trend.etaSeconds !== null && sample.memUsageBytes !== null) {
        const reach = trend.ts + trend.etaSeconds * 1000;
        memLines['predicted'] = {
          type: 'line',
          xMin: sample.ts,
          yMin: sample.memUsageBytes,
          xMax: Math.max(reach, sample.ts + 1000),
          yMax: limit.bytes,
          borderColor: colors.predicted,
          borderWidth: 2,
          borderDash: [4, 4],
          label: {
            display: true,
            content: t('page:detail.predicted', { span: duration((reach - now) / 1000) }),
            position: 'center',
          },
        };
        xMax = Math.min(Math.max(reach, now), now + HISTORY_WINDOWS[this.#window] / 2);
        captions.push(t('page:detail.predictedAt', { time: clockTime(reach) }));
      }
      this.#setY(this.#memory, fit ? limit.bytes * 1.05 : undefined);
    }
    const largest = this.#processes?.processes[0];
    if (largest !== undefined) {
      const words = t('page:detail.largestLine', {
        label: largest.label,
        bytes: formatBytes(largest.rssBytes),
      });
      Object.assign(
        memLines,
        hline(colors.background, 'process', largest.rssBytes, colors.predicted, words, [1, 3], 'start'),
      );
      captions.push(
        t('page:detail.largest', {
          label: largest.label,
          pid: largest.pid,
          bytes: formatBytes(largest.rssBytes),
        }),
      );
    }
    this.#caption.textContent = captions.join(' ');
    setAnnotations(this.#memory, memLines);

    const cpuLines: Annotations = { ...markers };
    const allowed = this.#allowedCpus(sample);
    if (allowed !== null) {
      const { warningPercent, criticalPercent } = settings.alerts.cpu;
      Object.assign(
        cpuLines,
        hline(
          colors.background,
          'warning',
          warningPercent * allowed,
          colors.warning,
          t('page:detail.cpuWarning', { percent: warningPercent }),
          [6, 4],
          'start',
        ),
        hline(
          colors.background,
          'critical',
          criticalPercent * allowed,
          colors.critical,
          t('page:detail.cpuCritical', { percent: criticalPercent }),
          [2, 3],
          'center',
        ),
        hline(
          colors.background,
          'limit',
          100 * allowed,
          colors.limit,
          t('page:detail.cpuLimit', { cpus: allowed }),
          [],
          'end',
        ),
      );
    }
    setAnnotations(this.#cpu, cpuLines);
    for (const live of [this.#memory, this.#cpu]) {
      const x = live.chart.options.scales?.['x'];
      if (x !== undefined) {
        x.min = from;
        x.max = xMax;
      }
      live.chart.update('none');
    }
  }

  /** CPUs the container may use: from the two CPU figures of its sample, else the host's count. */
  #allowedCpus(sample: Sample): number | null {
    if (sample.cpuPercent !== null && sample.cpuOfLimitPercent !== null && sample.cpuOfLimitPercent > 1) {
      return Math.round((sample.cpuPercent / sample.cpuOfLimitPercent) * 100) / 100;
    }
    return this.#state.hosts.get(sample.host)?.cpus ?? null;
  }

  #setY(live: LiveChart, max: number | undefined): void {
    const y = live.chart.options.scales?.['y'];
    if (y !== undefined) y.max = max;
  }

  #renderHead(): void {
    const row = this.#state.rows.get(this.#key);
    this.#head.replaceChildren();
    if (row === undefined) {
      this.#head.append(h('h2', {}, this.#key), h('p', { class: 'empty' }, t('page:detail.missing')));
      return;
    }
    const s = row.sample;
    const status = containerStatus(s, this.#state.verdict);
    this.#head.append(
      h('h2', {}, s.name),
      h(
        'p',
        {},
        h('span', { class: `badge ${status.level}` }, `${status.icon} ${status.word}`),
        ` ${s.role} · ${s.stack ?? t('page:overview.notInStack')} · ${s.host} · ${s.image} · ${t(`model:containerState.${s.state}`)}`,
      ),
      h(
        'p',
        { class: 'now', 'data-mem-bytes': s.memUsageBytes ?? '', 'data-cpu-percent': s.cpuPercent ?? '' },
        t('page:detail.now', {
          used: s.memUsageBytes === null ? '–' : formatBytes(s.memUsageBytes),
          limit:
            s.memLimitBytes === null
              ? '–'
              : s.memLimitSource === 'host'
                ? t('page:detail.hostLimit', { bytes: formatBytes(s.memLimitBytes) })
                : formatBytes(s.memLimitBytes),
          cpu: percent(s.cpuPercent),
          pids: s.pids ?? '–',
          restarts: s.restartCount,
        }),
      ),
    );
  }

  destroy(): void {
    this.#generation++;
    this.#memory?.chart.destroy();
    this.#cpu?.chart.destroy();
    this.#memory = null;
    this.#cpu = null;
  }
}
