/**
 * An alert's sentence in the user's language. English is the engine's own message; a
 * translation is made from the alert's figures, since the engine's sentences are English.
 * Names, sizes and the log line itself stay as they are. Pure and browser-safe.
 */
import { formatDuration } from '../i18n/format.ts';
import { currentLanguage, t } from '../i18n/index.ts';
import { formatBytes, formatDuration as englishDuration } from './format.ts';
import type { Alert } from './types.ts';
import { reasonWords } from './verdict.ts';

export type AlertFacts = Pick<
  Alert,
  'rule' | 'severity' | 'host' | 'name' | 'message' | 'valueBytes' | 'limitBytes' | 'etaSeconds'
> & { readonly logLine?: { readonly text: string } | undefined };

const bytes = (value: number | null): string => (value === null ? '--' : formatBytes(value));

/** A span in seconds: English keeps the alert messages' short form ("4 min"), a translation its locale's. */
export function spanText(seconds: number): string {
  return currentLanguage() === 'en' ? englishDuration(seconds) : formatDuration(seconds * 1000);
}

export function alertText(a: AlertFacts): string {
  if (currentLanguage() === 'en') return a.message;
  const { name, host } = a;
  const used = bytes(a.valueBytes);
  const limit = bytes(a.limitBytes);
  switch (a.rule) {
    case 'memory-threshold':
      return t('alert:memory', { name, used, limit });
    case 'memory-trend':
      return a.etaSeconds === null
        ? t('alert:trendNoEta', { name, limit })
        : t('alert:trend', { name, limit, eta: spanText(a.etaSeconds) });
    case 'stack-memory':
      return t('alert:stack', { name, used, limit });
    case 'cpu-threshold':
      return t('alert:cpu', {
        name,
        words: reasonWords('cpu-threshold', a.severity === 'critical' ? 'critical' : 'warning'),
      });
    case 'oom-killed':
      return t('alert:oomKilled', { name });
    case 'killed':
      return t('alert:killed', { name });
    case 'log-signature':
      return t('alert:log', { name, line: a.logLine?.text ?? '' });
    case 'restart-loop':
      return t('alert:restartLoop', { name });
    case 'unhealthy':
      return t('alert:unhealthy', { name });
    case 'host-down':
      return t('alert:hostDown', { host });
    case 'host-up':
      return t('alert:hostUp', { host });
    case 'recovered':
      return a.valueBytes === null
        ? t('alert:recovered', { name })
        : t('alert:memoryBack', { name, used, limit });
  }
}
