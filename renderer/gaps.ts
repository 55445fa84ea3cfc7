/**
 * Where a chart line must break. Samples stop while the laptop sleeps, the engine is down or the
 * watcher is stopped; a line drawn straight across that time would show a slope nobody measured.
 * A null point between two samples further apart than a few typical steps makes Chart.js (with
 * `spanGaps: false`) leave a gap instead. Pure, so that it is tested without a browser.
 */

export interface GapPoint {
  x: number;
  y: number | null;
}

/** A step this many times the typical one is a gap; the tray/fast switch (5 s → 1 s) is not. */
export const GAP_STEPS = 6;
/** The typical step is the median of this many recent steps, so one late sample does not move it. */
const RECENT_STEPS = 20;

/** The median spacing of the last points, or null while there are too few to tell. */
export function typicalStep(points: readonly GapPoint[]): number | null {
  const steps: number[] = [];
  for (let i = points.length - 1; i > 0 && steps.length < RECENT_STEPS; i--) {
    const a = points[i - 1];
    const b = points[i];
    // A gap marker sits between two samples; steps to and from it are not sample spacing.
    if (a === undefined || b === undefined || a.y === null || b.y === null) continue;
    if (b.x > a.x) steps.push(b.x - a.x);
  }
  if (steps.length < 2) return null;
  steps.sort((p, q) => p - q);
  return steps[Math.floor(steps.length / 2)] ?? null;
}

/** The marker to put before `next`, or null when `next` follows `last` closely enough. */
export function gapBefore(last: GapPoint | undefined, next: GapPoint, step: number | null): GapPoint | null {
  if (last === undefined || step === null || last.y === null) return null;
  return next.x - last.x > GAP_STEPS * step ? { x: (last.x + next.x) / 2, y: null } : null;
}

/** A whole series (a history answer) with a null wherever samples are missing for longer than a few steps. */
export function withGaps(points: readonly GapPoint[]): GapPoint[] {
  const out: GapPoint[] = [];
  for (const point of points) {
    const marker = gapBefore(out.at(-1), point, typicalStep(out));
    if (marker !== null) out.push(marker);
    out.push(point);
  }
  return out;
}
