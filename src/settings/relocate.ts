/**
 * Moves what an earlier version kept elsewhere into the one data folder (see `dataLocations`):
 * the settings with their saved hosts, the TLS copies in `hosts/<name>/`, the alert log, and the
 * desktop app's exporter token. Run by every shell before it opens its settings.
 *
 * Each file is copied byte for byte (its mtime kept), and only then is the original renamed to
 * `<file>.migrated-<time>` where it was: that copy is the backup, and the renamed original is what
 * makes the next start find nothing to do. When several places hold the same file, the newest by
 * mtime becomes the live one and each other is kept beside it as `<file>.older-<time>`; nothing
 * is dropped. The one change made to a file: the live settings' paths into the old `hosts/`
 * folder are pointed at its copy in the new one, since the settings name the TLS copies by path.
 */
import {
  closeSync,
  cpSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { join, sep } from 'node:path';
import type { DataLocations } from './paths.ts';

const FILES = [
  { name: 'settings.json', what: 'settings' },
  { name: 'alerts.json', what: 'alert log' },
  { name: 'exporter.token', what: 'exporter token' },
] as const;

export interface Relocation {
  /** What moved and where it is now, for the user; null when nothing was found to move. */
  readonly notice: string | null;
}

export function relocateData(locations: DataLocations, now: number): Relocation {
  const oldDirs = locations.oldDirs.filter((dir) => isDirectory(dir) && !sameEntry(dir, locations.dir));
  const lines: string[] = [];
  const settingsFrom = moveFile(locations.dir, 'settings.json', 'settings', oldDirs, [], now, lines);
  for (const { name, what } of FILES.slice(1)) {
    const extra = name === 'alerts.json' ? locations.oldAlertLogs : [];
    moveFile(locations.dir, name, what, oldDirs, extra, now, lines);
  }
  moveHostFolders(locations.dir, settingsFrom, oldDirs, now, lines);
  if (lines.length === 0) return { notice: null };
  return {
    notice: [
      `Dify Monitor now keeps its settings, saved hosts and alert log in ${locations.dir}, for the CLI, serve and the desktop app alike:`,
      ...lines.map((line) => `- ${line}`),
    ].join('\n'),
  };
}

/** Moves one file's old copies; returns the old folder the live copy came from, if one did. */
function moveFile(
  dir: string,
  name: string,
  what: string,
  oldDirs: readonly string[],
  extraSources: readonly string[],
  now: number,
  lines: string[],
): string | null {
  const target = join(dir, name);
  const sources = [...oldDirs.map((d) => join(d, name)), ...extraSources].filter(
    (path) => isFile(path) && !sameEntry(path, target),
  );
  if (sources.length === 0) return null;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const live = newest([...(isFile(target) ? [target] : []), ...sources]);
    if (live !== target) replaceTarget(target, live, dir, now, what, lines);
    for (const source of sources) {
      if (source !== live) keepOlder(source, target, now, what, lines);
      retire(source, now, lines);
    }
    return live === target ? null : (oldDirs.find((d) => live === join(d, name)) ?? null);
  } catch (error) {
    lines.push(
      `the ${what} could not be moved (${(error as Error).message}); the old file is left where it was.`,
    );
    return null;
  }
}

function replaceTarget(
  target: string,
  live: string,
  dir: string,
  now: number,
  what: string,
  lines: string[],
): void {
  if (isFile(target)) {
    const aside = freeName(`${target}.older-${now}`);
    renameSync(target, aside);
    lines.push(`${target} (${what}) was older than ${live}; kept as ${aside}.`);
  }
  const bytes = readFileSync(live);
  const rewritten = target.endsWith('settings.json') ? pointAtNewHosts(bytes, live, dir) : bytes;
  copyBytes(rewritten, live, target);
  lines.push(`${what}: ${live} is now ${target}.`);
}

function keepOlder(source: string, target: string, now: number, what: string, lines: string[]): void {
  if (readFileSync(source).equals(readFileSync(target))) return;
  const aside = freeName(`${target}.older-${now}`);
  copyBytes(readFileSync(source), source, aside);
  lines.push(`${source} (${what}) was older than the live file; kept as ${aside}.`);
}

/** The backup stays where the file was, under a name no shell reads. */
function retire(source: string, now: number, lines: string[]): void {
  const aside = freeName(`${source}.migrated-${now}`);
  try {
    renameSync(source, aside);
    lines.push(`${source} stays as ${aside}, a backup.`);
  } catch (error) {
    lines.push(`${source} could not be renamed (${(error as Error).message}); it is no longer read.`);
  }
}

/**
 * `hosts/<name>/` of each old folder, the live settings' folder first: a name not yet in the new
 * `hosts/` is copied there; one already there with other files is kept as `<name>.older-<time>`,
 * except for the live settings' own, which takes the name (the one already there moves aside).
 */
function moveHostFolders(
  dir: string,
  settingsFrom: string | null,
  oldDirs: readonly string[],
  now: number,
  lines: string[],
): void {
  const ordered =
    settingsFrom === null ? oldDirs : [settingsFrom, ...oldDirs.filter((d) => d !== settingsFrom)];
  const target = join(dir, 'hosts');
  for (const oldDir of ordered) {
    const source = join(oldDir, 'hosts');
    if (!isDirectory(source)) continue;
    try {
      for (const name of readdirSync(source)) {
        copyHostFolder(join(source, name), join(target, name), oldDir === settingsFrom, now, lines);
      }
      retire(source, now, lines);
    } catch (error) {
      lines.push(
        `the TLS copies in ${source} could not be moved (${(error as Error).message}); they are left where they were.`,
      );
    }
  }
}

function copyHostFolder(source: string, target: string, live: boolean, now: number, lines: string[]): void {
  if (!isDirectory(source)) return;
  mkdirSync(join(target, '..'), { recursive: true, mode: 0o700 });
  if (existsSync(target) && sameTree(source, target)) return;
  if (existsSync(target) && live) {
    const aside = freeName(`${target}.older-${now}`);
    renameSync(target, aside);
    lines.push(`the TLS copies already in ${target} are kept as ${aside}.`);
  }
  const destination = existsSync(target) ? freeName(`${target}.older-${now}`) : target;
  cpSync(source, destination, {
    recursive: true,
    errorOnExist: true,
    force: false,
    preserveTimestamps: true,
  });
  lines.push(`TLS copies: ${source} is now ${destination}.`);
}

/**
 * The settings name their TLS copies by absolute path. Only string values that start with the old
 * `hosts/` folder change, in place, so every other byte of the file stays as it was.
 */
function pointAtNewHosts(bytes: Buffer, from: string, dir: string): Buffer {
  const oldPrefix = JSON.stringify(join(from, '..', 'hosts') + sep).slice(0, -1);
  const newPrefix = JSON.stringify(join(dir, 'hosts') + sep).slice(0, -1);
  const text = bytes.toString('utf8');
  if (!text.includes(oldPrefix)) return bytes;
  const rewritten = text.replaceAll(oldPrefix, newPrefix);
  try {
    JSON.parse(rewritten);
  } catch {
    return bytes;
  }
  return Buffer.from(rewritten, 'utf8');
}

/** Temp file + fsync + rename, named like `writeFileAtomic`'s so a killed copy is swept the same way. */
function copyBytes(bytes: Buffer, from: string, target: string): void {
  const stat = statSync(from);
  const temp = `${target}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w', stat.mode & 0o777);
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    utimesSync(temp, stat.atime, stat.mtime);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** The first path has the last word on a tie: the file already in place stays live. */
function newest(paths: readonly string[]): string {
  return paths.reduce((best, path) => (statSync(path).mtimeMs > statSync(best).mtimeMs ? path : best));
}

function freeName(base: string): string {
  let name = base;
  for (let n = 2; existsSync(name); n++) name = `${base}-${n}`;
  return name;
}

function sameTree(a: string, b: string): boolean {
  const names = readdirSync(a).sort();
  if (JSON.stringify(names) !== JSON.stringify(readdirSync(b).sort())) return false;
  return names.every((name) => {
    const [x, y] = [join(a, name), join(b, name)];
    if (isDirectory(x)) return isDirectory(y) && sameTree(x, y);
    return isFile(y) && readFileSync(x).equals(readFileSync(y));
  });
}

function stat(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function isFile(path: string): boolean {
  return stat(path)?.isFile() ?? false;
}

function isDirectory(path: string): boolean {
  return stat(path)?.isDirectory() ?? false;
}

/** The same file or folder under two names (a symlink, or a case-insensitive file system). */
function sameEntry(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b) || sameInode(statSync(a), statSync(b));
  } catch {
    return false;
  }
}

function sameInode(a: Stats, b: Stats): boolean {
  return a.ino !== 0 && a.dev === b.dev && a.ino === b.ino;
}
