import { existsSync, renameSync } from 'node:fs';
import type * as NodeSqlite from 'node:sqlite';
import type { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS, type Migration } from './migrations.ts';

/**
 * The app's one SQLite file in the data folder (`history.sqlite`), opened through `node:sqlite`.
 * History keeps its samples in it; other modules keep their time-ordered records beside them.
 *
 * Adding a table: append a step to MIGRATIONS in `./migrations.ts` (its comment says the rules),
 * then use the handle `openDatabase` returns. Nothing else here changes. A file at version N has
 * run the first N steps; opening runs the rest, each in its own transaction with the version bump.
 *
 * What opening guarantees:
 * - A file that is not ours (not SQLite, another program's database) or is damaged (fails
 *   `quick_check`) is renamed to `<file>.corrupt-<time>` with its `-wal`/`-shm`, never deleted,
 *   and a fresh file takes its place; the caller gets a notice saying so, to show the user.
 * - A file a newer version wrote (user_version above MIGRATIONS.length) is refused with a
 *   reason and not written to: the newer app's data is worth more than this app's history.
 * - WAL with `synchronous=FULL`: a commit is on disk when it returns, a kill -9 or a power cut
 *   loses only the transaction in flight, and a torn WAL frame fails its checksum and is dropped
 *   by SQLite's recovery on the next open. One fsync per batch is the whole cost.
 */

/**
 * node:sqlite, loaded when first needed. Node 22 (and an Electron on it) prints "ExperimentalWarning:
 * SQLite is an experimental feature" on loading it, a line a user of the CLI would take for a
 * fault; that one warning is held back, every other goes out as before. Node 24 prints none.
 */
function sqlite(): typeof NodeSqlite {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/\bSQLite\b/.test(text)) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return process.getBuiltinModule('node:sqlite');
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** `PRAGMA application_id`: tells our file from another program's SQLite file. ASCII "DfyM". */
export const APPLICATION_ID = 0x4466794d;

/** Long enough for the tray and a `serve` sharing one data folder to take turns writing. */
const BUSY_TIMEOUT_MS = 5000;

export type DatabaseNotice = {
  readonly kind: 'moved-aside';
  readonly path: string;
  readonly movedTo: string;
  readonly reason: string;
};

export type OpenedDatabase =
  | { readonly kind: 'open'; readonly db: DatabaseSync; readonly notice: DatabaseNotice | null }
  | { readonly kind: 'refused'; readonly path: string; readonly version: number; readonly reason: string };

export interface OpenOptions {
  readonly migrations?: readonly Migration[];
  /** Names the `.corrupt-<time>` file; injected so tests can name it. */
  readonly now?: () => Date;
}

const TEXT = {
  notSqlite: (detail: string) => `not a database this app can read (${detail})`,
  foreign: (id: number) => `another program's SQLite file (application_id ${id})`,
  damaged: (detail: string) => `damaged (${detail})`,
  movedAside: (path: string, to: string, reason: string) =>
    `The history file ${path} was ${reason}; it was moved to ${to} and a new one started.`,
  newer: (path: string, version: number, known: number) =>
    `The history file ${path} is from a newer Dify Monitor (schema ${version}, this one knows ${known}); ` +
    'it was left untouched and history is not kept. Update the app, or move the file away to start afresh.',
  migrationFailed: (name: string, detail: string) => `history schema step "${name}" failed: ${detail}`,
} as const;

export function describeNotice(notice: DatabaseNotice): string {
  return TEXT.movedAside(notice.path, notice.movedTo, notice.reason);
}

/**
 * Opens (or creates) the file at `path`, migrated to the latest schema. Throws only for what
 * no file can cure (an unwritable folder, a failing migration); bad files are handled as above.
 */
export function openDatabase(path: string, options: OpenOptions = {}): OpenedDatabase {
  const migrations = options.migrations ?? MIGRATIONS;
  const problem = existsSync(path) ? inspect(path, migrations.length) : null;
  if (problem?.kind === 'newer') {
    return {
      kind: 'refused',
      path,
      version: problem.version,
      reason: TEXT.newer(path, problem.version, migrations.length),
    };
  }
  let notice: DatabaseNotice | null = null;
  if (problem?.kind === 'bad') {
    const movedTo = moveAside(path, (options.now ?? (() => new Date()))());
    notice = { kind: 'moved-aside', path, movedTo, reason: problem.reason };
  }
  const db = new (sqlite().DatabaseSync)(path, { enableForeignKeyConstraints: true });
  try {
    configure(db);
    migrate(db, migrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return { kind: 'open', db, notice };
}

type Problem =
  { readonly kind: 'bad'; readonly reason: string } | { readonly kind: 'newer'; readonly version: number };

/** Reads the file without writing to it; null when it is ours, whole, and at most the latest version. */
function inspect(path: string, latest: number): Problem | null {
  let db: DatabaseSync;
  try {
    db = new (sqlite().DatabaseSync)(path, { readOnly: true });
  } catch (error) {
    return { kind: 'bad', reason: TEXT.notSqlite(messageOf(error)) };
  }
  try {
    const version = pragmaNumber(db, 'user_version');
    const appId = pragmaNumber(db, 'application_id');
    const tables = pragmaNumber(db, 'page_count') > 0 ? countTables(db) : 0;
    if (appId !== APPLICATION_ID && (appId !== 0 || tables > 0)) {
      return { kind: 'bad', reason: TEXT.foreign(appId) };
    }
    if (version > latest) return { kind: 'newer', version };
    const check = db.prepare('PRAGMA quick_check(1)').get() as { quick_check?: unknown } | undefined;
    if (check?.quick_check !== 'ok') return { kind: 'bad', reason: TEXT.damaged(String(check?.quick_check)) };
    return null;
  } catch (error) {
    return { kind: 'bad', reason: TEXT.notSqlite(messageOf(error)) };
  } finally {
    db.close();
  }
}

function countTables(db: DatabaseSync): number {
  const row = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as {
    n: number;
  };
  return row.n;
}

function pragmaNumber(db: DatabaseSync, name: string): number {
  const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown> | undefined;
  return Number(row?.[name] ?? 0);
}

/** Renames the file and its WAL companions; the time keeps every earlier one too. */
function moveAside(path: string, at: Date): string {
  const movedTo = `${path}.corrupt-${at.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, movedTo);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, movedTo + suffix);
  }
  return movedTo;
}

function configure(db: DatabaseSync): void {
  db.exec(`
    PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    PRAGMA foreign_keys = ON;
    PRAGMA trusted_schema = OFF;
    PRAGMA cell_size_check = ON;
    PRAGMA journal_size_limit = 8388608;
  `);
}

function migrate(db: DatabaseSync, migrations: readonly Migration[]): void {
  const from = pragmaNumber(db, 'user_version');
  if (from === 0) db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
  for (let version = from + 1; version <= migrations.length; version++) {
    const step = migrations[version - 1] as Migration;
    db.exec('BEGIN IMMEDIATE');
    try {
      if (pragmaNumber(db, 'user_version') >= version) {
        db.exec('COMMIT');
        continue;
      }
      step.up(db);
      db.exec(`PRAGMA user_version = ${version}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new Error(TEXT.migrationFailed(step.name, messageOf(error)), { cause: error });
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
