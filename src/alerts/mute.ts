/**
 * Whether an alert should stay silent: mute all for a while, one key muted, or quiet hours. A muted
 * alert is still raised and logged; only the notifier skips it.
 */
import type { AlertSettings, QuietHours } from './types.ts';

const MINUTES_PER_DAY = 24 * 60;

/** "07:30" → 450; null when it is not a time of day. */
export function minuteOfDayFrom(text: string): number | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (match === null) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : null;
}

/** True inside [start, end), wrapping past midnight when end is earlier than start; never for unreadable times. */
export function inQuietHours(minuteOfDay: number, quiet: QuietHours | null): boolean {
  if (quiet === null) return false;
  const start = minuteOfDayFrom(quiet.start);
  const end = minuteOfDayFrom(quiet.end);
  if (start === null || end === null || start === end) return false;
  const m = ((Math.floor(minuteOfDay) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  return start < end ? m >= start && m < end : m >= start || m < end;
}

export function isMuted(
  key: string,
  now: number,
  minuteOfDay: number,
  settings: Pick<AlertSettings, 'muteUntil' | 'mutedKeys' | 'quietHours'>,
): boolean {
  if (settings.muteUntil !== null && now < settings.muteUntil) return true;
  if (settings.mutedKeys.includes(key)) return true;
  return inQuietHours(minuteOfDay, settings.quietHours);
}

/** The machine's local time of day, which is what a user means by "22:00". */
export function localMinuteOfDay(ts: number): number {
  const d = new Date(ts);
  return d.getHours() * 60 + d.getMinutes();
}
