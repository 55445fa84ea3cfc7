import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Swept once per path and process; a writer that dies beside us later is swept by the next process to start. */
const swept = new Set<string>();

/**
 * Temp files of earlier writers of `path` that died mid-save (crash, SIGKILL, power cut). Their
 * names carry the writer's pid; one whose writer still runs (the CLI beside the desktop app) is
 * left alone, since it is about to be renamed.
 */
function removeStaleTemps(path: string): void {
  if (swept.has(path)) return;
  swept.add(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length, -'.tmp'.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isRunning(pid)) continue;
    rmSync(join(dirname(path), name), { force: true });
  }
}

/**
 * Replaces a file so that a reader, or the next start after a crash or a power cut, finds either
 * the old text or the new one, never a mix: write a temp file beside it, flush it to the disk,
 * then rename it over the old one (atomic within a directory on POSIX file systems). Private
 * (0600) unless `mode` says otherwise: settings, alert logs and secrets are the user's alone.
 * Temp files that killed writers left behind are removed by this process's first write.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  removeStaleTemps(path);
  const temp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w', mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
