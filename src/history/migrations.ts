import type { DatabaseSync } from 'node:sqlite';

/**
 * The app database's schema, as an ordered list of steps. `PRAGMA user_version` holds the number
 * of steps a file has had, so step N (1-based) runs once, on a file at version N - 1, inside the
 * same transaction that sets user_version to N.
 *
 * To add a table (or an index, or a column): append one entry at the end. Never edit, reorder or
 * remove an entry that has shipped: files in the field have run it already, and a changed step
 * would leave them with a different schema than a new file. Each module owns its own tables and
 * names them with its own prefix (`history_…`, `timeline_…`); the SQL lives here, not in the
 * owning module, so that one list orders every module's steps and no layer has to import another.
 */
export interface Migration {
  /** What the step does, for the error when one fails. */
  readonly name: string;
  readonly up: (db: DatabaseSync) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'history: series, raw samples, 10 s and 1 min buckets',
    up: (db) => {
      db.exec(`
        CREATE TABLE history_series (
          id INTEGER PRIMARY KEY,
          key TEXT NOT NULL UNIQUE,
          meta TEXT NOT NULL,
          first_ts INTEGER NOT NULL,
          last_ts INTEGER NOT NULL,
          restarts TEXT NOT NULL DEFAULT '[]'
        ) STRICT;
        CREATE TABLE history_raw (
          series INTEGER NOT NULL REFERENCES history_series(id) ON DELETE CASCADE,
          ts INTEGER NOT NULL,
          values_blob BLOB NOT NULL,
          PRIMARY KEY (series, ts)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE history_bucket (
          series INTEGER NOT NULL REFERENCES history_series(id) ON DELETE CASCADE,
          width INTEGER NOT NULL,
          ts INTEGER NOT NULL,
          count INTEGER NOT NULL,
          values_blob BLOB NOT NULL,
          PRIMARY KEY (series, width, ts)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX history_raw_ts ON history_raw(ts);
        CREATE INDEX history_bucket_ts ON history_bucket(width, ts);
      `);
    },
  },
  {
    name: "timeline: entries and the monitor's last-known state (src/history/journal.ts)",
    up: (db) => {
      db.exec(`
        CREATE TABLE timeline_entry (
          id INTEGER PRIMARY KEY,
          ts INTEGER NOT NULL,
          host TEXT,
          stack TEXT,
          key TEXT,
          name TEXT,
          kind TEXT NOT NULL,
          severity TEXT NOT NULL,
          rule TEXT,
          text TEXT NOT NULL,
          until_ts INTEGER
        ) STRICT;
        CREATE INDEX timeline_entry_ts ON timeline_entry(ts);
        CREATE TABLE timeline_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      `);
    },
  },
];
