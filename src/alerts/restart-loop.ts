/**
 * A container restarting over and over. Restarts are counted from die/start events, and from the
 * restart count in samples where the events missed some, never twice.
 */
import { isRestart, type Lifecycle, recordRestarts, restartsWithin } from './events.ts';
import { formatDuration } from './format.ts';
import { step } from './noise.ts';
import { type Notice, noticeOf } from './notice.ts';
import type { Level } from './threshold.ts';
import type { Track } from './track.ts';
import type { AlertSettings } from './types.ts';

export function onLifecycle(t: Track, action: Lifecycle, settings: AlertSettings, now: number): void {
  if (isRestart(t.lifecycle, action)) {
    recordRestarts(t.restarts, now, 1, settings.restartLoop.windowMs);
    t.eventRestartsSinceSample++;
  }
  t.lifecycle = action;
}

/**
 * A sample's restart count: restarts the events did not tell about are counted. True when the
 * count changed (a restart, or a counter reset), so the history is not continuous.
 */
export function onRestartCount(t: Track, count: number, settings: AlertSettings, now: number): boolean {
  const changed = t.restartCount !== null && count !== t.restartCount;
  if (changed) {
    const missed = count - (t.restartCount as number) - t.eventRestartsSinceSample;
    if (missed > 0) recordRestarts(t.restarts, now, missed, settings.restartLoop.windowMs);
  }
  t.restartCount = count;
  t.eventRestartsSinceSample = 0;
  return changed;
}

export function restartLoop(t: Track, settings: AlertSettings, now: number): Notice | null {
  const loop = settings.restartLoop;
  const count = restartsWithin(t.restarts, now, loop.windowMs);
  const level: Level = count >= loop.count ? 'critical' : 'none';
  return noticeOf(
    step(t.conditions['restart-loop'], level, now, settings.cooldownMs),
    () => ({
      rule: 'restart-loop',
      severity: 'critical',
      message: `${t.name} has restarted ${count} times in the last ${formatDuration(loop.windowMs / 1000)}`,
    }),
    () => ({ message: `${t.name} has stopped restarting` }),
  );
}
