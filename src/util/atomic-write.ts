import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Replaces a file so that a reader, or the next start after a crash or a power cut, finds either
 * the old text or the new one, never a mix: write a temp file beside it, flush it to the disk,
 * then rename it over the old one (atomic within a directory on POSIX file systems). Private
 * (0600) unless `mode` says otherwise: settings, alert logs and secrets are the user's alone.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
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
