/**
 * The history a monitor starts with: the store refilled from the database in the data folder,
 * and the writer that keeps it there. A file that cannot be used never stops the monitor: a
 * refused (newer) file or a folder it cannot open leaves history in memory only, said once.
 */
import type { DatabaseSync } from 'node:sqlite';
import { describeNotice, openDatabase } from '../history/database.ts';
import { DiskHistory } from '../history/disk.ts';
import { HistoryStore } from '../history/store.ts';
import { DEFAULT_HISTORY, type HistorySetting } from '../settings/schema.ts';

const TEXT = {
  cannotOpen: (path: string, why: string) =>
    `History is kept in memory only: ${path} cannot be opened (${why}). Monitoring and alerts go on.`,
} as const;

/** How often the noted samples are written: a kill -9 loses at most this much history. */
export const HISTORY_BATCH_MS = 10_000;

export interface OpenedHistory {
  readonly store: HistoryStore;
  readonly disk: DiskHistory | null;
  /** The open database, for the other modules that keep their records in it; null without one. */
  readonly db: DatabaseSync | null;
}

export interface OpenHistoryOptions {
  readonly path: string;
  readonly setting: HistorySetting | undefined;
  readonly now: number;
  readonly warn: (text: string) => void;
}

export function openHistory(options: OpenHistoryOptions): OpenedHistory {
  const store = new HistoryStore();
  const { path, warn } = options;
  let opened;
  try {
    opened = openDatabase(path);
  } catch (error) {
    warn(TEXT.cannotOpen(path, (error as Error).message));
    return { store, disk: null, db: null };
  }
  if (opened.kind === 'refused') {
    warn(opened.reason);
    return { store, disk: null, db: null };
  }
  if (opened.notice !== null) warn(describeNotice(opened.notice));
  const disk = new DiskHistory({
    db: opened.db,
    path,
    store,
    ...limitsOf(options.setting),
  });
  disk.load(options.now);
  return { store, disk, db: opened.db };
}

export function limitsOf(setting: HistorySetting | undefined): { days: number; maxBytes: number } {
  const { days, maxMegabytes } = setting ?? DEFAULT_HISTORY;
  return { days, maxBytes: maxMegabytes * 1024 * 1024 };
}
