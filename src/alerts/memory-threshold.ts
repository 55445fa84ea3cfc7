/** A container's memory against its limit (or its role's budget): warning and critical lines. */
import { formatBytes, formatPercent } from './format.ts';
import { describeLimit, type EffectiveLimit } from './limit.ts';
import { step } from './noise.ts';
import { type Notice, noticeOf, severityOf } from './notice.ts';
import { levelAfter } from './threshold.ts';
import type { Track } from './track.ts';
import type { AlertSettings } from './types.ts';

export function memoryThreshold(
  t: Track,
  usage: number,
  limit: EffectiveLimit,
  settings: AlertSettings,
  now: number,
): Notice | null {
  const condition = t.conditions['memory-threshold'];
  const percent = (usage / limit.bytes) * 100;
  const level = levelAfter(condition.level, percent, settings.memory);
  const used = (): string => `${formatBytes(usage)}, ${formatPercent(percent)} of ${describeLimit(limit)}`;
  return noticeOf(
    step(condition, level, now, settings.cooldownMs),
    () => ({
      rule: 'memory-threshold',
      severity: severityOf(level),
      message: `${t.name} is using ${used()}`,
      valueBytes: usage,
      limit,
    }),
    () => ({ message: `${t.name} is back to ${used()}`, valueBytes: usage, limit }),
  );
}
