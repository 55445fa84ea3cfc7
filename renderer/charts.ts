/**
 * Chart.js as the detail view uses it: only the parts that are drawn are registered; data is
 * prepared `{x, y}` points (parsing off), nothing animates, and updates skip transitions.
 */
import {
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
} from 'chart.js';
import annotationPlugin from 'chartjs-plugin-annotation';
import { currentLanguage } from '../src/i18n/index.ts';
import { clockTime } from './format.ts';
import { gapBefore, typicalStep } from './gaps.ts';

/*
 * No Decimation plugin: it does not know gaps. Its LTTB reads a null as 0 and, beside a real 0 (an
 * idle container's CPU), keeps the 0 and drops the null, so the line crosses a sleep in the 24 h view
 * (test/browser/chart-gap.test.ts). The history store already buckets the long windows (1 h: 360
 * points, 24 h: 1,440), so no chart holds more than MAX_POINTS in renderer/detail.ts.
 */
Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, annotationPlugin);

export interface Point {
  x: number;
  y: number | null;
}

/**
 * One annotation as the plugin takes it. The plugin's own option types do not resolve under
 * `nodenext` (its .d.ts re-exports extensionless paths), so the fields used here are spelled out.
 */
export interface Annotation {
  readonly type: 'line';
  readonly xMin?: number;
  readonly xMax?: number;
  readonly yMin?: number;
  readonly yMax?: number;
  readonly borderColor: string;
  readonly borderWidth: number;
  readonly borderDash?: number[];
  /** False keeps a line off the axis range: a host-sized line would flatten a small container's curve. */
  readonly adjustScaleRange?: boolean;
  readonly label: {
    readonly display: boolean;
    readonly content: string;
    readonly position: 'start' | 'center' | 'end';
    readonly backgroundColor?: string;
    readonly color?: string;
    readonly font?: { readonly size: number };
  };
}

export type Annotations = Record<string, Annotation>;

export interface Palette {
  readonly line: string;
  readonly grid: string;
  readonly text: string;
  readonly warning: string;
  readonly critical: string;
  readonly limit: string;
  readonly marker: string;
  readonly predicted: string;
  readonly background: string;
}

export function palette(): Palette {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string): string => style.getPropertyValue(name).trim() || '#888';
  return {
    line: v('--chart-line'),
    grid: v('--chart-grid'),
    text: v('--fg-muted'),
    warning: v('--warning'),
    critical: v('--critical'),
    limit: v('--fg'),
    marker: v('--marker'),
    predicted: v('--predicted'),
    background: v('--bg'),
  };
}

function timeTick(value: number | string): string {
  return new Date(Number(value)).toLocaleTimeString(currentLanguage(), {
    hour: '2-digit',
    minute: '2-digit',
  });
}

export interface LiveChart {
  readonly chart: Chart<'line', Point[]>;
  readonly data: Point[];
}

export function createLiveChart(
  canvas: HTMLCanvasElement,
  options: { label: string; yFormat: (v: number) => string; colors: Palette },
): LiveChart {
  const data: Point[] = [];
  const dataset: ChartDataset<'line', Point[]> = {
    label: options.label,
    data,
    borderColor: options.colors.line,
    borderWidth: 1.5,
    pointRadius: 0,
    pointHitRadius: 6,
    tension: 0,
    spanGaps: false,
  };
  const config: ChartConfiguration<'line', Point[]> = {
    type: 'line',
    data: { datasets: [dataset] },
    options: {
      parsing: false,
      normalized: true,
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'linear',
          ticks: { color: options.colors.text, callback: timeTick, maxTicksLimit: 7 },
          grid: { color: options.colors.grid },
        },
        y: {
          type: 'linear',
          beginAtZero: true,
          ticks: { color: options.colors.text, callback: (v) => options.yFormat(Number(v)) },
          grid: { color: options.colors.grid },
        },
      },
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) => (items[0] === undefined ? '' : clockTime(items[0].parsed.x ?? 0)),
            label: (item) => `${options.label}: ${options.yFormat(item.parsed.y ?? 0)}`,
          },
        },
        annotation: { annotations: {} },
      },
    },
  };
  return { chart: new Chart(canvas, config), data };
}

/**
 * Appends a point, after a null that breaks the line if samples were missing for a while (sleep,
 * engine down), and drops what fell out of the window or over the cap: the array stays bounded.
 */
export function pushPoint(live: LiveChart, point: Point, fromMs: number, maxPoints: number): void {
  const data = live.data;
  const last = data.at(-1);
  if (last !== undefined && point.x <= last.x) return;
  const gap = gapBefore(last, point, typicalStep(data));
  if (gap !== null) data.push(gap);
  data.push(point);
  let drop = 0;
  while (drop < data.length && (data[drop]?.x ?? 0) < fromMs) drop++;
  drop = Math.max(drop, data.length - maxPoints);
  if (drop > 0) data.splice(0, drop);
}

export function setAnnotations(live: LiveChart, annotations: Annotations): void {
  const plugin = live.chart.options.plugins?.annotation;
  if (plugin !== undefined) plugin.annotations = annotations;
}

/** Where a chart draws: its points, its plot area in CSS pixels and the x range, so that a pixel can be tied to a time. */
export interface PlotView {
  readonly points: readonly Point[];
  readonly area: {
    readonly left: number;
    readonly right: number;
    readonly top: number;
    readonly bottom: number;
  };
  readonly xMin: number;
  readonly xMax: number;
}

export function plotOf(live: LiveChart | null): PlotView | null {
  const x = live?.chart.scales['x'];
  const area = live?.chart.chartArea;
  if (live === null || x === undefined || area === undefined) return null;
  return {
    points: live.data.map((p) => ({ x: p.x, y: p.y })),
    area: { left: area.left, right: area.right, top: area.top, bottom: area.bottom },
    xMin: x.min,
    xMax: x.max,
  };
}
