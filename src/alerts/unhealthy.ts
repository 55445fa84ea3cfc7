/** A failing health check, from health_status events and the health samples repeat. */
import { step } from './noise.ts';
import { type Notice, noticeOf } from './notice.ts';
import type { Track } from './track.ts';
import type { AlertSettings } from './types.ts';

export function unhealthy(t: Track, failing: boolean, settings: AlertSettings, now: number): Notice | null {
  return noticeOf(
    step(t.conditions.unhealthy, failing ? 'warning' : 'none', now, settings.cooldownMs),
    () => ({
      rule: 'unhealthy',
      severity: 'warning',
      message: `${t.name} is unhealthy: its health check fails`,
    }),
    () => ({ message: `${t.name} is healthy again` }),
  );
}
