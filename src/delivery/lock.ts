/**
 * One sender per data folder. The tray, `serve` and `watch` may all run on one machine with the
 * same settings; each would send every alert, so the first to need the outbox takes this lock
 * and the others leave delivery to it. A lock whose process died (kill -9, a crash) is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type Lock = { readonly ok: true; release(): void } | { readonly ok: false; readonly holder: number };

function holderOf(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function takeLock(path: string, pid = process.pid): Lock {
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, `${pid}\n`);
      } finally {
        closeSync(fd);
      }
      return {
        ok: true,
        release: () => {
          if (holderOf(path) === pid) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = holderOf(path);
    if (holder !== null && holder !== pid && running(holder)) return { ok: false, holder };
    rmSync(path, { force: true });
  }
  return { ok: false, holder: holderOf(path) ?? 0 };
}
