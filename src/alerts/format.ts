/**
 * Numbers as alert messages say them: "2.0 GiB", "+35 MiB/min", "about 4 min". Shorter than
 * `docker stats` prints (binarySize keeps four digits), because a notification is read at a glance.
 */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;
const GIB_INDEX = 3;

function unitIndex(bytes: number): number {
  let index = 0;
  let value = Math.abs(bytes);
  while (value >= 1024 && index < UNITS.length - 1) {
    value /= 1024;
    index++;
  }
  return index;
}

function inUnit(bytes: number, index: number): string {
  const value = bytes / 1024 ** index;
  // GiB and up keep a decimal ("2.0 GiB" reads as a limit); small MiB values need one to mean anything.
  const decimals = index === 0 ? 0 : index >= GIB_INDEX || Math.abs(value) < 10 ? 1 : 0;
  return value.toFixed(decimals);
}

/** "2.0 GiB", "512 MiB", "1.5 KiB", "--" for a value that is not finite. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '--';
  const index = unitIndex(bytes);
  return `${inUnit(bytes, index)} ${UNITS[index]}`;
}

/** "7.1 of 7.7 GiB": both in the unit of the larger. */
export function formatBytesOf(part: number, whole: number): string {
  if (!Number.isFinite(part) || !Number.isFinite(whole)) return '--';
  const index = unitIndex(Math.max(Math.abs(part), Math.abs(whole)));
  return `${inUnit(part, index)} of ${inUnit(whole, index)} ${UNITS[index]}`;
}

/** Growth per minute: "+35 MiB/min". */
export function formatRate(bytesPerSec: number): string {
  const perMin = bytesPerSec * 60;
  return `${perMin >= 0 ? '+' : ''}${formatBytes(perMin)}/min`;
}

/** "45 s", "4 min", "2 h 10 min": precise enough for an estimate. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  if (s < 90) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** "87 %": whole points, as thresholds are set. */
export function formatPercent(percent: number): string {
  return `${Math.round(percent)} %`;
}
