/**
 * Numbers, times and durations the way the current language writes them. Byte sizes are not
 * here: MiB and GB are units and stay as src/stats/units.ts writes them.
 */
import { currentLanguage } from './index.ts';

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(digits: number): Intl.NumberFormat {
  const id = `${currentLanguage()}/${digits}`;
  let format = numberFormats.get(id);
  if (format === undefined) {
    format = new Intl.NumberFormat(currentLanguage(), {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      useGrouping: false,
    });
    numberFormats.set(id, format);
  }
  return format;
}

/** `value` with `digits` decimals; no grouping, so a column of figures lines up. */
export function formatNumber(value: number, digits = 0): string {
  return numberFormat(digits).format(value);
}

/** A clock time, `14:03:07` / `14:03:07`, in the process's time zone. */
export function formatTime(ts: number): string {
  return new Date(ts).toLocaleTimeString(currentLanguage(), { hour12: false });
}

/** A date and time, `2026-12-03 14:03` in both languages' own style. */
export function formatDateTime(ts: number): string {
  return new Date(ts).toLocaleString(currentLanguage(), {
    dateStyle: 'medium',
    timeStyle: 'short',
    hour12: false,
  });
}

const UNITS = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
] as const;

/**
 * A span as its two largest units, `1 hr 5 min` / `1小时5分钟`; under a second, `0 sec`. Intl's
 * unit names, since Intl.DurationFormat is not in Node 22.
 */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1000) * 1000);
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || (unit === 'second' && parts.length === 0)) parts.push(unitText(count, unit));
    if (parts.length === 2) break;
  }
  return parts.join(currentLanguage() === 'zh-CN' ? '' : ' ');
}

function unitText(count: number, unit: (typeof UNITS)[number][0]): string {
  return new Intl.NumberFormat(currentLanguage(), { style: 'unit', unit, unitDisplay: 'short' }).format(
    count,
  );
}
