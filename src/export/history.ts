/**
 * A container's or a stack's history for a window, as one exportable value. Built from the
 * `monitor:history` answers (one per metric), so an export holds exactly what the charts draw;
 * CSV and JSON are two spellings of it.
 */
import {
  HISTORY_METRICS,
  HISTORY_WINDOWS,
  type HistoryMetric,
  type HistoryResponse,
  type HistoryWindow,
} from '../api.ts';
import type { Role, Sample } from '../model.ts';

export type Resolution = HistoryResponse['resolution'];

/** Bucket width of each resolution; raw points are single samples. */
const RESOLUTION_WIDTH_MS: Readonly<Record<Resolution, number | null>> = {
  raw: null,
  '10s': 10_000,
  '1m': 60_000,
};

export const RESOLUTIONS = Object.keys(RESOLUTION_WIDTH_MS) as Resolution[];

type Values = { readonly [M in HistoryMetric]: number | null };
type Extremes = { readonly [M in HistoryMetric as `${M}Min` | `${M}Max`]?: number | null };

/** One point: a raw sample's values, or a bucket's average with its min and max. */
export type ExportPoint = { readonly ts: number } & Values & Extremes;

export interface ExportContainer {
  readonly key: string;
  readonly host: string;
  readonly stack: string | null;
  readonly service: string | null;
  readonly role: Role;
  readonly name: string;
  readonly image: string;
  readonly resolution: Resolution;
  /** Oldest first. */
  readonly points: readonly ExportPoint[];
}

export interface HistoryExport {
  /** The newest sample's time when the export was taken, ms since epoch: the window ends here. */
  readonly to: number;
  /** The window starts here: `to` less the requested length. */
  readonly from: number;
  readonly containers: readonly ExportContainer[];
}

export type ContainerMeta = Pick<Sample, 'key' | 'host' | 'stack' | 'service' | 'role' | 'name' | 'image'>;

/** The shortest history window that covers `sinceMs`, or null when none does (over 24 h). */
export function windowFor(sinceMs: number): HistoryWindow | null {
  const windows = Object.entries(HISTORY_WINDOWS) as [HistoryWindow, number][];
  return windows.sort((a, b) => a[1] - b[1]).find(([, ms]) => ms >= sinceMs)?.[0] ?? null;
}

function valueAt(
  response: HistoryResponse,
  index: Map<number, number>,
  ts: number,
  part: 'avg' | 'min' | 'max',
) {
  const i = index.get(ts);
  if (i === undefined) return null;
  const point = response.points[i];
  if (point === undefined) return null;
  const value = 'value' in point ? point.value : point[part];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Joins the per-metric answers for one container into points, keeping those in [from, ∞): a
 * raw sample at or after `from`, a bucket that ends after it. The resolution is the memory
 * answer's; an answer that came back at another (the ring wrapped between two requests) is left
 * out rather than mixing samples with buckets.
 */
export function containerExport(
  meta: ContainerMeta,
  responses: Readonly<Record<HistoryMetric, HistoryResponse>>,
  from: number,
): ExportContainer {
  const resolution = responses.memUsageBytes.resolution;
  const width = RESOLUTION_WIDTH_MS[resolution] ?? 0;
  const indexes = new Map<HistoryMetric, Map<number, number>>();
  const times = new Set<number>();
  for (const metric of HISTORY_METRICS) {
    const response = responses[metric];
    if (response.resolution !== resolution) continue;
    const index = new Map<number, number>();
    response.points.forEach((p, i) => {
      const before = width === 0 ? p.ts < from : p.ts + width <= from;
      if (!Number.isFinite(p.ts) || before) return;
      index.set(p.ts, i);
      times.add(p.ts);
    });
    indexes.set(metric, index);
  }
  const points = [...times]
    .sort((a, b) => a - b)
    .map((ts) => {
      const point: Record<string, number | null> = { ts };
      for (const metric of HISTORY_METRICS) {
        const index = indexes.get(metric);
        const response = responses[metric];
        point[metric] = index === undefined ? null : valueAt(response, index, ts, 'avg');
        if (resolution !== 'raw') {
          point[`${metric}Min`] = index === undefined ? null : valueAt(response, index, ts, 'min');
          point[`${metric}Max`] = index === undefined ? null : valueAt(response, index, ts, 'max');
        }
      }
      return point as ExportPoint;
    });
  const { key, host, stack, service, role, name, image } = meta;
  return { key, host, stack, service, role, name, image, resolution, points };
}
