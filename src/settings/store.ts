import { readFileSync, renameSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { externalChanges, pollPath, type WatchPath } from './external-change.ts';
import { DEFAULT_SETTINGS, validateSettings, type Settings } from './schema.ts';

/**
 * Where settings live between runs. The desktop app backs this with electron-store; the headless
 * CLI with a JSON file. Whatever is handed to `set` was already validated.
 */
export interface SettingsStore {
  get(): Settings;
  set(settings: Settings): void;
  /** Another process (the CLI, another shell) changed the file: the listener gets what it holds now. */
  onExternalChange?(listener: (settings: Settings) => void): () => void;
}

/** Settings held in memory only: tests, and a `serve` started without a settings file. */
export function memorySettingsStore(initial: Settings = DEFAULT_SETTINGS): SettingsStore {
  let current = initial;
  return {
    get: () => current,
    set: (settings) => {
      current = settings;
    },
  };
}

export interface OpenedSettings {
  readonly store: SettingsStore;
  /** Set when the file existed but could not be used; it was kept aside and defaults are in use. */
  readonly notice?: string;
}

/**
 * Opens the settings file. A missing file means defaults; one that is not JSON, or not valid
 * settings, is renamed to `<file>.corrupt-<now>` so the user's edits are not lost, and defaults
 * are used until the next change is saved.
 */
export function openSettingsFile(path: string, now: number, watch: WatchPath = pollPath): OpenedSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { store: fileStore(path, DEFAULT_SETTINGS, watch) };
    return {
      store: fileStore(path, DEFAULT_SETTINGS, watch),
      notice: `Cannot read the settings file ${path} (${(error as Error).message}); using defaults.`,
    };
  }
  let why: string;
  let newer: number | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    const checked = validateSettings(parsed);
    if (checked.ok) return { store: fileStore(path, checked.settings, watch) };
    why = checked.errors.map((e) => `${e.path} ${e.message}`).join('; ');
    newer = newerVersion(parsed);
  } catch (error) {
    why = (error as Error).message;
  }
  const aside = newer === null ? `${path}.corrupt-${now}` : `${path}.newer-${now}`;
  const problem =
    newer === null
      ? `was not usable (${why})`
      : `was written by a newer Dify Monitor (settings version ${newer}; this one reads version 1)`;
  try {
    renameSync(path, aside);
  } catch (error) {
    // A read-only directory: the file stays where it is, untouched, and nothing is written over it.
    return {
      store: memorySettingsStore(),
      notice:
        `The settings file ${path} ${problem}, and it cannot be kept aside (${(error as Error).message}); ` +
        'left it untouched and using defaults; changes last until the app quits.',
    };
  }
  return {
    store: fileStore(path, DEFAULT_SETTINGS, watch),
    notice: `The settings file ${path} ${problem}; kept it as ${aside} and using defaults.`,
  };
}

function newerVersion(parsed: unknown): number | null {
  const version = (parsed as { version?: unknown } | null)?.version;
  return typeof version === 'number' && version > 1 ? version : null;
}

function fileStore(path: string, initial: Settings, watch: WatchPath): SettingsStore {
  let current = initial;
  return {
    get: () => current,
    set(settings) {
      saveSettingsFile(path, settings);
      current = settings;
    },
    onExternalChange: externalChanges({
      path,
      watch,
      read: () => readSettings(path),
      current: () => current,
      adopt: (settings) => {
        current = settings;
      },
    }),
  };
}

/** What the file holds when it is usable as it is; a broken or newer file is left for the next open to report. */
function readSettings(path: string): Settings | null {
  try {
    const checked = validateSettings(JSON.parse(readFileSync(path, 'utf8')));
    return checked.ok ? checked.settings : null;
  } catch {
    return null;
  }
}

/** Temp file + fsync + rename: a crash mid-write leaves the previous settings intact. */
export function saveSettingsFile(path: string, settings: Settings): void {
  writeFileAtomic(path, `${JSON.stringify(settings, null, 2)}\n`);
}
