import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { AlertLog } from './log.ts';

/** Where the headless CLI keeps its alert log: `$XDG_STATE_HOME/dify-monitor/alerts.json`. */
export function defaultAlertLogPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const stateHome = env['XDG_STATE_HOME'] || join(env['HOME'] || homedir(), '.local', 'state');
  return join(stateHome, 'dify-monitor', 'alerts.json');
}

export interface LoadedLog {
  readonly log: AlertLog;
  /** Set when the file existed but could not be used; it is kept aside, never overwritten. */
  readonly warning?: string;
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const aside = `${path}.corrupt-${now}`;
    renameSync(path, aside);
    return {
      log: new AlertLog(),
      warning: `The alert log ${path} was corrupt; kept it as ${aside} and started a new one.`,
    };
  }
  return { log: AlertLog.fromJSON(parsed) };
}

/** Writes the log atomically (temp file + rename): a crash mid-write leaves the previous log intact. */
export function saveAlertLog(path: string, log: AlertLog): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(log.toJSON())}\n`, { mode: 0o600 });
  renameSync(temp, path);
}
