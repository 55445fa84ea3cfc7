/**
 * Memory heading for the limit: the robust fit of `trend.ts` over the container's recent readings,
 * warned about while the time to the limit is within the horizon, and held a while after the fit
 * stops seeing growth, so one flat stretch does not end it.
 */
import { formatDuration, formatRate } from './format.ts';
import { describeLimit, type EffectiveLimit } from './limit.ts';
import { step } from './noise.ts';
import { type Notice, noticeOf } from './notice.ts';
import type { Level } from './threshold.ts';
import { MEMORY_POINTS_USED, type Track } from './track.ts';
import { fitGrowth, type Growth, secondsToLimit } from './trend.ts';
import type { AlertSettings } from './types.ts';

/** Adds the reading at `ts` to the container's memory series and judges the growth it shows. */
export function memoryTrend(
  t: Track,
  ts: number,
  usage: number,
  limit: EffectiveLimit,
  settings: AlertSettings,
  now: number,
): Notice | null {
  const trend = settings.trend;
  t.memory.push(ts, usage, trend.windowMs / MEMORY_POINTS_USED);
  t.memory.keepFrom(ts - trend.windowMs);
  const growth = fitGrowth(t.memory, ts, trend);
  if (growth !== null && secondsToLimit(growth, limit.bytes) * 1000 < trend.horizonMs) {
    t.lastGrowth = growth;
    t.lastGrowthAt = ts;
  }
  const condition = t.conditions['memory-trend'];
  const holding = condition.level !== 'none' && ts - t.lastGrowthAt < trend.clearAfterMs;
  const level: Level = t.lastGrowthAt === ts || holding ? 'warning' : 'none';
  return noticeOf(
    step(condition, level, now, settings.cooldownMs),
    () => {
      const g = t.lastGrowth as Growth;
      const eta = secondsToLimit(g, limit.bytes);
      return {
        rule: 'memory-trend',
        severity: 'warning',
        message:
          `${t.name} will reach ${describeLimit(limit)} in about ${formatDuration(eta)} ` +
          `(${formatRate(g.bytesPerSec)})`,
        valueBytes: usage,
        limit,
        etaSeconds: Math.round(eta),
      };
    },
    () => ({
      message: `${t.name} memory is no longer heading for ${describeLimit(limit)}`,
      valueBytes: usage,
      limit,
    }),
  );
}
