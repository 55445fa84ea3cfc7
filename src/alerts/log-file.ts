import { readFileSync, renameSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { AlertLog } from './log.ts';

const LOG_VERSION = 1;

export interface LoadedLog {
  readonly log: AlertLog;
  /** Set when the file existed but could not be used; it is kept aside, never overwritten. */
  readonly warning?: string;
  /** False when the file could be neither used nor kept aside: saving would overwrite it. */
  readonly save?: boolean;
}

/**
 * Reads the log a previous run saved. A missing file is a fresh start; an unreadable or corrupt
 * one is renamed to `<file>.corrupt-<time>` so that nothing the user had is lost, and the run
 * starts with an empty log and says so.
 */
export function loadAlertLog(path: string, now: number): LoadedLog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { log: new AlertLog() };
    return { log: new AlertLog(), warning: `Cannot read the alert log ${path}: ${(error as Error).message}` };
  }
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: kept aside below.
  }
  const version = (parsed as { version?: unknown } | null)?.version;
  if (version === LOG_VERSION && Array.isArray((parsed as { alerts?: unknown }).alerts))
    return { log: AlertLog.fromJSON(parsed) };
  // Anything else would be replaced by the next save: a newer version's log, or a damaged one.
  const newer = typeof version === 'number' && version > LOG_VERSION;
  const aside = `${path}.${newer ? 'newer' : 'corrupt'}-${now}`;
  const problem = newer ? `was written by a newer Dify Monitor (log version ${version})` : 'was corrupt';
  try {
    renameSync(path, aside);
  } catch (error) {
    return {
      log: new AlertLog(),
      warning: `The alert log ${path} ${problem} and cannot be kept aside (${(error as Error).message}); left it untouched and keeping alerts in memory only.`,
      save: false,
    };
  }
  return {
    log: new AlertLog(),
    warning: `The alert log ${path} ${problem}; kept it as ${aside} and started a new one.`,
  };
}

/** Writes the log atomically (temp file + fsync + rename): a crash mid-write leaves the previous log intact. */
export function saveAlertLog(path: string, log: AlertLog): void {
  writeFileAtomic(path, `${JSON.stringify(log.toJSON())}\n`);
}
