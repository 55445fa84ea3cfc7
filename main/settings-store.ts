/**
 * The desktop app's settings: electron-store (conf underneath) keeps `settings.json` in the user
 * data folder, validated with the core's schema on every write. Before the store opens, the file
 * is upgraded and checked here: conf validates a file before it would run its own migrations, so
 * a migration registered there could never repair a file the current schema rejects.
 *
 * A file that is not JSON, fails the schema, or was written by a newer version is renamed to
 * `settings.json.corrupt-<time>` next to itself, defaults are used, and the user is told where
 * their old file went. Nothing they wrote is deleted.
 */
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from 'conf';
import {
  DEFAULT_SETTINGS,
  SETTINGS_SCHEMA,
  validateSettings,
  type Settings,
} from '../src/settings/schema.ts';
import { externalChanges, pollPath, type WatchPath } from '../src/settings/external-change.ts';
import type { SettingsStore } from '../src/settings/store.ts';
import { writeFileAtomic } from '../src/util/atomic-write.ts';

const SETTINGS_FILE = 'settings';

/** What is used of a conf / electron-store instance. */
export interface ConfLike {
  readonly path: string;
  readonly store: Record<string, unknown>;
  set(values: Record<string, unknown>): void;
}
export type StoreOptions = Partial<Options<Record<string, unknown>>> & {
  readonly cwd: string;
  readonly configName: string;
};
export type CreateStore = (options: StoreOptions) => ConfLike;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Fills what an older file lacks from the defaults, at any depth, keeping every value it has.
 * Settings only ever gain fields between versions; a renamed or removed field gets its own step here.
 */
function fillFromDefaults(value: Json, defaults: Json): Json {
  const out: Json = { ...value };
  for (const [key, fallback] of Object.entries(defaults)) {
    const own = out[key];
    if (own === undefined) out[key] = fallback;
    else if (isObject(own) && isObject(fallback) && key !== 'roleBudgetBytes')
      out[key] = fillFromDefaults(own, fallback);
  }
  return out;
}

export type Upgraded =
  { readonly ok: true; readonly value: Json } | { readonly ok: false; readonly why: string };

/** The settings migration: a file from this or an older version brought up to date, or why not. */
export function upgradeSettings(raw: unknown): Upgraded {
  if (!isObject(raw)) return { ok: false, why: 'it does not hold an object' };
  const version = raw['version'] ?? DEFAULT_SETTINGS.version;
  if (typeof version !== 'number' || !Number.isInteger(version))
    return { ok: false, why: 'its version is not a number' };
  if (version > DEFAULT_SETTINGS.version) {
    return { ok: false, why: `it was written by a newer Dify Monitor (settings version ${version})` };
  }
  return { ok: true, value: fillFromDefaults(raw, DEFAULT_SETTINGS as unknown as Json) };
}

/** The settings part of what conf holds (it keeps its own `__internal__` key beside them). */
function settingsOf(store: Json): unknown {
  return Object.fromEntries(
    Object.keys(SETTINGS_SCHEMA.properties)
      .filter((key) => store[key] !== undefined)
      .map((key) => [key, store[key]]),
  );
}

export interface DesktopSettingsOptions {
  /** The folder the file lives in: `dataLocations().dir`, shared with the CLI and `serve`. */
  readonly dir: string;
  readonly createStore: CreateStore;
  readonly now: () => number;
  /** Tells the user something they must know (a dialog); called at most once per open. */
  readonly tell: (notice: string) => void;
  /** How changes that another process makes to the file are noticed; polled by default. */
  readonly watch?: WatchPath;
}

export interface DesktopSettings {
  readonly store: SettingsStore;
  readonly path: string;
}

type FileCheck =
  { readonly ok: true; readonly upgraded: Json | null } | { readonly ok: false; readonly why: string };

/** Whether a settings file can be used as it is, after an upgrade (`upgraded` to write back), or not. */
function checkFile(text: string): FileCheck {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, why: `it is not valid JSON: ${(error as Error).message}` };
  }
  const upgraded = upgradeSettings(raw);
  if (!upgraded.ok) return upgraded;
  const checked = validateSettings(settingsOf(upgraded.value));
  if (!checked.ok) return { ok: false, why: checked.errors.map((e) => `${e.path} ${e.message}`).join('; ') };
  return {
    ok: true,
    upgraded: JSON.stringify(raw) === JSON.stringify(upgraded.value) ? null : upgraded.value,
  };
}

/**
 * conf writes through `atomically`: a temp file `settings.json.tmp-<time><random>` renamed over
 * the settings. A save cut short by a crash or a kill leaves that temp behind, and atomically
 * only removes its own on a clean exit. The app holds the single-instance lock when it opens the
 * settings, so every such file then is left over from an earlier run.
 */
function removeLeftoverTemps(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(`${SETTINGS_FILE}.json.tmp-`)) rmSync(join(dir, name), { force: true });
  }
}

export function openDesktopSettings(options: DesktopSettingsOptions): DesktopSettings {
  const path = join(options.dir, `${SETTINGS_FILE}.json`);
  let notice: string | null = null;
  removeLeftoverTemps(options.dir);

  const moveAside = (reason: string): void => {
    const aside = `${path}.corrupt-${options.now()}`;
    renameSync(path, aside);
    notice =
      `Your settings file could not be used (${reason}). It was kept as ${aside} and Dify Monitor ` +
      'started with default settings; copy what you need from the kept file.';
  };

  let text: string | null = null;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== null) {
    const checked = checkFile(text);
    if (!checked.ok) moveAside(checked.why);
    else if (checked.upgraded !== null) {
      // Written back before conf opens the file, so that its schema check sees the upgraded settings.
      writeFileAtomic(path, JSON.stringify(checked.upgraded, null, '\t'));
    }
  }

  const storeOptions: StoreOptions = {
    cwd: options.dir,
    configName: SETTINGS_FILE,
    schema: SETTINGS_SCHEMA.properties as unknown as StoreOptions['schema'],
    rootSchema: { required: [...SETTINGS_SCHEMA.required] },
    defaults: DEFAULT_SETTINGS as unknown as Json,
    configFileMode: 0o600,
  };
  let conf: ConfLike;
  try {
    conf = options.createStore(storeOptions);
  } catch (error) {
    // Changed on disk between our check and conf's read: the same treatment, once.
    moveAside((error as Error).message);
    conf = options.createStore(storeOptions);
  }
  const opened = validateSettings(settingsOf(conf.store));
  let current: Settings = opened.ok ? opened.settings : DEFAULT_SETTINGS;
  if (notice !== null) options.tell(notice);

  return {
    path: conf.path,
    store: {
      get: () => current,
      set(settings) {
        conf.set({ ...settings });
        current = settings;
      },
      // Read with the checks of the open, not through conf, whose `store` throws on a file it rejects.
      onExternalChange: externalChanges({
        path: conf.path,
        watch: options.watch ?? pollPath,
        read: () => readSettings(conf.path),
        current: () => current,
        adopt: (settings) => {
          current = settings;
        },
      }),
    },
  };
}

/** The file's settings, upgraded in memory as at open, or null while it is missing or not usable. */
function readSettings(path: string): Settings | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const checked = checkFile(text);
  if (!checked.ok) return null;
  const opened = validateSettings(settingsOf(checked.upgraded ?? (JSON.parse(text) as Json)));
  return opened.ok ? opened.settings : null;
}
