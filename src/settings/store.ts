import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_SETTINGS, validateSettings, type Settings } from './schema.ts';

/**
 * Where settings live between runs. The desktop app backs this with electron-store; the headless
 * CLI with a JSON file. Whatever is handed to `set` was already validated.
 */
export interface SettingsStore {
  get(): Settings;
  set(settings: Settings): void;
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

/** `$XDG_CONFIG_HOME/dify-monitor/settings.json`. */

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
export function openSettingsFile(path: string, now: number): OpenedSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { store: fileStore(path, DEFAULT_SETTINGS) };
    return {
      store: fileStore(path, DEFAULT_SETTINGS),
      notice: `Cannot read the settings file ${path} (${(error as Error).message}); using defaults.`,
    };
  }
  let why: string;
  try {
    const checked = validateSettings(JSON.parse(text));
    if (checked.ok) return { store: fileStore(path, checked.settings) };
    why = checked.errors.map((e) => `${e.path} ${e.message}`).join('; ');
  } catch (error) {
    why = (error as Error).message;
  }
  const aside = `${path}.corrupt-${now}`;
  renameSync(path, aside);
  return {
    store: fileStore(path, DEFAULT_SETTINGS),
    notice: `The settings file ${path} was not usable (${why}); kept it as ${aside} and using defaults.`,
  };
}

function fileStore(path: string, initial: Settings): SettingsStore {
  let current = initial;
  return {
    get: () => current,
    set(settings) {
      saveSettingsFile(path, settings);
      current = settings;
    },
  };
}

/** Temp file + rename: a crash mid-write leaves the previous settings intact. */
export function saveSettingsFile(path: string, settings: Settings): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}
