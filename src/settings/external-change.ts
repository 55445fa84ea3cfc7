/**
 * Tells a running shell that another one changed the settings file: `dify-monitor hosts add`
 * beside a running tray or `serve`.
 *
 * The file is polled (`fs.watchFile`: one stat per second), not watched with `fs.watch`. Every
 * save replaces the file by a rename, which a watch on the file itself loses on Linux; a watch on
 * the folder misses changes on network and some container file systems, may report no file name,
 * and on macOS coalesces events. A stat works on every OS and file system, sees the rename (a new
 * inode, mtime and size), and at one a second is its own debounce.
 *
 * The process's own saves are not reported: the file then holds what the store already has. A file
 * caught half-written by an editor, or invalid, is skipped; the next complete one is taken.
 */
import { unwatchFile, watchFile } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { Settings } from './schema.ts';

export const SETTINGS_POLL_MS = 1000;

export type SettingsListener = (settings: Settings) => void;

/** Calls `changed` after the file at `path` may have changed; returns how to stop. */
export type WatchPath = (path: string, changed: () => void) => () => void;

export const pollPath: WatchPath = (path, changed) => {
  const listener = (): void => changed();
  watchFile(path, { persistent: false, interval: SETTINGS_POLL_MS }, listener);
  return () => unwatchFile(path, listener);
};

export interface ExternalChangeOptions {
  readonly path: string;
  readonly watch: WatchPath;
  /** The settings the file holds now, or null when it is missing or not usable. */
  readonly read: () => Settings | null;
  readonly current: () => Settings;
  /** Makes the store hold the file's settings, before the listeners hear of them. */
  readonly adopt: (settings: Settings) => void;
}

/** `onExternalChange` of a store: watches only while someone listens. */
export function externalChanges(options: ExternalChangeOptions): (listener: SettingsListener) => () => void {
  const listeners = new Set<SettingsListener>();
  let stop: (() => void) | null = null;
  const check = (): void => {
    const next = options.read();
    if (next === null || isDeepStrictEqual(next, options.current())) return;
    options.adopt(next);
    for (const listener of [...listeners]) listener(next);
  };
  return (listener) => {
    const own = (settings: Settings): void => listener(settings);
    listeners.add(own);
    stop ??= options.watch(options.path, check);
    return () => {
      listeners.delete(own);
      if (listeners.size === 0 && stop !== null) {
        stop();
        stop = null;
      }
    };
  };
}
