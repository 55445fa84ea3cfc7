import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/**
 * The folder's name in every shell and on every OS. It is the name the CLI has always used on
 * Linux and the one Electron gave the app's user data folder (`app.name` was the package name),
 * so most users' files are already there; it has no space, so it is typed in a shell as it is.
 */
export const DATA_FOLDER = 'dify-monitor';

/** The history database's name in the data folder; a `--settings` elsewhere keeps it beside that file. */
export const HISTORY_FILE = 'history.sqlite';

/** What decides the paths: given, so that every OS's answer can be checked on any OS. */
export interface PathContext {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homedir: string;
}

export function currentPathContext(): PathContext {
  return { platform: process.platform, env: process.env, homedir: homedir() };
}

export interface DataLocations {
  /** The one folder of the CLI, `serve` and the desktop app; TLS copies go in `hosts/<name>/` inside it. */
  readonly dir: string;
  readonly settings: string;
  readonly alertLog: string;
  /** The SQLite file history (and the timeline) are kept in: src/history/database.ts. */
  readonly history: string;
  /** Folders an earlier version kept settings (and, for the desktop app, its alert log) in, other than `dir`. */
  readonly oldDirs: readonly string[];
  /** Where an earlier CLI kept its alert log (XDG state). */
  readonly oldAlertLogs: readonly string[];
}

/** An earlier desktop build named with `productName` used this folder name. */
const OLD_PRODUCT_FOLDER = 'Dify Monitor';

/**
 * Every path of the data folder, per OS: `$XDG_CONFIG_HOME` (else `~/.config`) on Linux and the
 * other Unixes, `~/Library/Application Support` on macOS, `%APPDATA%` on Windows, each followed
 * by `dify-monitor`. The alert log sits beside the settings: one folder to find and back up.
 */
export function dataLocations(context: PathContext = currentPathContext()): DataLocations {
  const path = context.platform === 'win32' ? win32 : posix;
  const dir = path.join(appDataHome(context), DATA_FOLDER);
  const oldDirs = distinct(context, dir, [
    ...electronHomes(context).flatMap((home) => [
      path.join(home, DATA_FOLDER),
      path.join(home, OLD_PRODUCT_FOLDER),
    ]),
    path.join(oldCliConfigHome(context), DATA_FOLDER),
  ]);
  const stateHomes = [
    context.env['XDG_STATE_HOME'] || path.join(oldCliHome(context), '.local', 'state'),
    path.join(oldCliHome(context), '.local', 'state'),
  ];
  return {
    dir,
    settings: path.join(dir, 'settings.json'),
    alertLog: path.join(dir, 'alerts.json'),
    history: path.join(dir, HISTORY_FILE),
    oldDirs,
    oldAlertLogs: distinct(
      context,
      path.join(dir, 'alerts.json'),
      stateHomes.map((home) => path.join(home, DATA_FOLDER, 'alerts.json')),
    ),
  };
}

/** Kept apart from the store so the CLI can name it without loading the schema. */
export function defaultSettingsPath(context: PathContext = currentPathContext()): string {
  return dataLocations(context).settings;
}

export function defaultAlertLogPath(context: PathContext = currentPathContext()): string {
  return dataLocations(context).alertLog;
}

/** The OS's folder for per-user application data; Electron's `appData` is the same folder. */
function appDataHome({ platform, env, homedir: home }: PathContext): string {
  if (platform === 'win32') return env['APPDATA'] || win32.join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support');
  return env['XDG_CONFIG_HOME'] || posix.join(home, '.config');
}

/** Electron's `appData` now, and on Linux also `~/.config`, where it was when the app was started without `XDG_CONFIG_HOME`. */
function electronHomes(context: PathContext): string[] {
  const now = appDataHome(context);
  return context.platform === 'linux' ? [now, posix.join(context.homedir, '.config')] : [now];
}

/** The earlier CLI looked at `$HOME` first, on every OS. */
function oldCliHome(context: PathContext): string {
  return context.env['HOME'] || context.homedir;
}

function oldCliConfigHome(context: PathContext): string {
  const path = context.platform === 'win32' ? win32 : posix;
  return context.env['XDG_CONFIG_HOME'] || path.join(oldCliHome(context), '.config');
}

/** Drops repeats and `current` itself; macOS and Windows compare names without case, as their file systems do. */
function distinct(context: PathContext, current: string, paths: readonly string[]): string[] {
  const path = context.platform === 'win32' ? win32 : posix;
  const key = (p: string): string => {
    const normal = path.normalize(p);
    return context.platform === 'win32' || context.platform === 'darwin' ? normal.toLowerCase() : normal;
  };
  const seen = new Set([key(current)]);
  return paths.filter((p) => {
    const k = key(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
