/** The page's figures in the current language (src/i18n/format.ts does the numbers). */
import { formatNumber } from '../src/i18n/format.ts';
import { ALERT_RULES } from '../src/alerts/types.ts';
import { currentLanguage, t } from '../src/i18n/index.ts';
import { isOneOf } from '../src/model.ts';

export { formatBytes } from '../src/alerts/format.ts';

export function percent(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  return t('page:percent', { n: formatNumber(value, value < 10 ? 1 : 0) });
}

export function clockTime(ts: number): string {
  return new Date(ts).toLocaleTimeString(currentLanguage(), {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function dateTime(ts: number): string {
  return new Date(ts).toLocaleString(currentLanguage(), {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 90) return t('page:seconds', { n: formatNumber(seconds) });
  if (seconds < 5400) return t('page:minutes', { n: formatNumber(seconds / 60) });
  return t('page:hours', { n: formatNumber(seconds / 3600, 1) });
}

/** A rule's name in the page's language; one from a newer monitor keeps its id. */
export function ruleName(rule: string): string {
  return isOneOf(ALERT_RULES, rule) ? t(`page:rule.${rule}`) : rule;
}
