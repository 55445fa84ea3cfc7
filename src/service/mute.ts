import type { MuteRequest } from '../api.ts';
import type { AlertSettings } from '../alerts/types.ts';

/** "Snooze until tomorrow" ends at this local hour of the next day, when a working day starts. */
const TOMORROW_HOUR = 8;

function tomorrowMorning(now: number, localDate: (ts: number) => Date): number {
  const d = localDate(now);
  d.setDate(d.getDate() + 1);
  d.setHours(TOMORROW_HOUR, 0, 0, 0);
  return d.getTime();
}

/** The mute settings a request asks for, from the current ones. */
export function mutedAfter(
  request: MuteRequest,
  alerts: Pick<AlertSettings, 'muteUntil' | 'mutedKeys'>,
  now: number,
  localDate: (ts: number) => Date,
): Pick<AlertSettings, 'muteUntil' | 'mutedKeys'> {
  const { muteUntil, mutedKeys } = alerts;
  switch (request.scope) {
    case 'all':
      return {
        muteUntil: 'forMs' in request ? now + request.forMs : tomorrowMorning(now, localDate),
        mutedKeys,
      };
    case 'container':
      return {
        muteUntil,
        mutedKeys: request.muted
          ? [...new Set([...mutedKeys, request.key])]
          : mutedKeys.filter((key) => key !== request.key),
      };
    case 'none':
      return { muteUntil: null, mutedKeys: [] };
  }
}

/** Set while everything is muted; null once the time has passed. */
export function activeMuteUntil(alerts: Pick<AlertSettings, 'muteUntil'>, now: number): number | null {
  const until = alerts.muteUntil;
  return until !== null && until > now ? until : null;
}
