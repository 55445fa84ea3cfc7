/**
 * Is memory growing steadily, and when will it reach the limit?
 *
 * The window is cut into equal time bins and each bin reduced to its median, so a spike or a
 * dropped sample moves nothing. A Theil–Sen line through the bin medians gives the growth rate
 * (the median of all pairwise slopes, robust to a few odd bins). Growth counts as sustained only
 * when most steps between bins rise and the line explains the data: a sawtooth (GC, caches) has
 * rising stretches too, but its drops break the step count and its teeth leave residuals as large
 * as the rise itself. Two points are never enough: the samples must span most of the window.
 */
import type { Points } from './series.ts';
import type { TrendSettings } from './types.ts';

export interface Growth {
  /** Fitted growth, bytes per second (> 0). */
  readonly bytesPerSec: number;
  /** The fitted line's value at `now`: the current level with the noise taken out. */
  readonly levelBytes: number;
}

const BINS = 10;
/** Fewer filled bins than this and the line rests on too little. */
const MIN_BINS = 6;
/** Share of bin-to-bin steps that must rise. 7 of 9 lets one GC dip through, not a sawtooth. */
const MIN_RISING_SHARE = 0.7;
/** What the falling steps may give back of what the rising ones climbed: a sawtooth gives back most. */
const MAX_DROP_SHARE = 0.25;
/** Median distance of the bins from the line, as a share of the rise across the window. */
const MAX_RESIDUAL_SHARE = 0.25;

let scratch = new Float64Array(1024);

function median(values: Float64Array): number {
  values.sort();
  const mid = values.length >>> 1;
  return values.length % 2 === 1
    ? (values[mid] as number)
    : ((values[mid - 1] as number) + (values[mid] as number)) / 2;
}

function firstAtOrAfter(points: Points, ts: number): number {
  let low = 0;
  let high = points.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (points.tsAt(mid) < ts) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Sustained growth over the window ending at `now`, or null when there is none or too little data to tell. */
export function fitGrowth(points: Points, now: number, settings: TrendSettings): Growth | null {
  const from = firstAtOrAfter(points, now - settings.windowMs);
  const count = points.length - from;
  if (count < Math.max(settings.minPoints, MIN_BINS)) return null;
  const t0 = points.tsAt(from);
  const span = points.tsAt(points.length - 1) - t0;
  if (span < settings.minCoverage * settings.windowMs || span <= 0) return null;

  if (scratch.length < count) scratch = new Float64Array(count * 2);
  // Bin centres in seconds from t0, and bin medians.
  const xs: number[] = [];
  const ys: number[] = [];
  let i = from;
  for (let bin = 0; bin < BINS; bin++) {
    const end = bin === BINS - 1 ? t0 + span : t0 + (span * (bin + 1)) / BINS;
    const first = i;
    while (i < points.length && (points.tsAt(i) < end || bin === BINS - 1)) i++;
    const size = i - first;
    if (size === 0) continue;
    const values = scratch.subarray(0, size);
    for (let k = 0; k < size; k++) values[k] = points.valueAt(first + k);
    xs.push((points.tsAt(first + (size >>> 1)) - t0) / 1000);
    ys.push(median(values));
  }
  const m = xs.length;
  if (m < MIN_BINS) return null;

  let rising = 0;
  let climbed = 0;
  let dropped = 0;
  for (let k = 1; k < m; k++) {
    const step = (ys[k] as number) - (ys[k - 1] as number);
    if (step > 0) {
      rising++;
      climbed += step;
    } else dropped -= step;
  }
  if (rising < MIN_RISING_SHARE * (m - 1) || dropped > MAX_DROP_SHARE * climbed) return null;

  const slopes = new Float64Array((m * (m - 1)) / 2);
  let s = 0;
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      slopes[s++] = ((ys[b] as number) - (ys[a] as number)) / ((xs[b] as number) - (xs[a] as number));
    }
  }
  const slope = median(slopes);
  if (!(slope >= settings.minGrowthBytesPerSec)) return null;

  const offsets = new Float64Array(m);
  for (let k = 0; k < m; k++) offsets[k] = (ys[k] as number) - slope * (xs[k] as number);
  const intercept = median(offsets);
  for (let k = 0; k < m; k++)
    offsets[k] = Math.abs((ys[k] as number) - (intercept + slope * (xs[k] as number)));
  const rise = slope * ((xs[m - 1] as number) - (xs[0] as number));
  if (median(offsets) > MAX_RESIDUAL_SHARE * rise) return null;

  return { bytesPerSec: slope, levelBytes: intercept + (slope * (now - t0)) / 1000 };
}

/** Seconds until the fitted line reaches `limitBytes`; 0 when it is already there. */
export function secondsToLimit(growth: Growth, limitBytes: number): number {
  return Math.max(0, (limitBytes - growth.levelBytes) / growth.bytesPerSec);
}
