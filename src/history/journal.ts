import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { isTimelineEntry, type TimelineEntry } from './timeline-entry.ts';

/**
 * Where the timeline's entries are kept, so they outlive the app: the app database's
 * `timeline_entry` table (its migration is in ./migrations.ts), or memory when there is no file.
 * Beside the entries, a few named values (`timeline_meta`): when the monitor last saw a round,
 * what it knew of each container, so a restart can tell what changed while it was not running.
 */
export interface TimelineJournal {
  append(entries: readonly TimelineEntry[]): void;
  /** Entries with from <= ts < to, oldest first, at most `limit` (the newest of them). */
  between(from: number, to: number, limit: number): TimelineEntry[];
  meta(name: string): string | null;
  setMeta(name: string, value: string): void;
}

/** Entries older than this are dropped when the journal opens: the longest history kept on disk. */
export const JOURNAL_KEEP_MS = 30 * 24 * 3_600_000;

export class MemoryJournal implements TimelineJournal {
  readonly #entries: TimelineEntry[] = [];
  readonly #meta = new Map<string, string>();

  append(entries: readonly TimelineEntry[]): void {
    this.#entries.push(...entries);
    this.#entries.sort((a, b) => a.ts - b.ts);
  }

  between(from: number, to: number, limit: number): TimelineEntry[] {
    return this.#entries.filter((e) => e.ts >= from && e.ts < to).slice(-limit);
  }

  meta(name: string): string | null {
    return this.#meta.get(name) ?? null;
  }

  setMeta(name: string, value: string): void {
    this.#meta.set(name, value);
  }
}

const COLUMNS = 'ts, host, stack, key, name, kind, severity, rule, text, until_ts';

export class SqliteJournal implements TimelineJournal {
  readonly #db: DatabaseSync;

  /** `db` has run the timeline's migration; entries older than JOURNAL_KEEP_MS before `now` go. */
  constructor(db: DatabaseSync, now: number) {
    this.#db = db;
    db.prepare('DELETE FROM timeline_entry WHERE ts < ?').run(now - JOURNAL_KEEP_MS);
  }

  append(entries: readonly TimelineEntry[]): void {
    if (entries.length === 0) return;
    const insert = this.#db.prepare(
      `INSERT INTO timeline_entry (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const e of entries) insert.run(...rowOf(e));
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  between(from: number, to: number, limit: number): TimelineEntry[] {
    const rows = this.#db
      .prepare(
        `SELECT ${COLUMNS} FROM timeline_entry WHERE ts >= ? AND ts < ? ORDER BY ts DESC, id DESC LIMIT ?`,
      )
      .all(from, to, limit);
    return rows.flatMap((row) => entryOf(row)).reverse();
  }

  meta(name: string): string | null {
    const row = this.#db.prepare('SELECT value FROM timeline_meta WHERE name = ?').get(name);
    return typeof row?.['value'] === 'string' ? row['value'] : null;
  }

  setMeta(name: string, value: string): void {
    this.#db
      .prepare(
        'INSERT INTO timeline_meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = ?',
      )
      .run(name, value, value);
  }
}

function rowOf(e: TimelineEntry): SQLInputValue[] {
  return [e.ts, e.host, e.stack, e.key, e.name, e.kind, e.severity, e.rule, e.text, e.untilTs];
}

/** A row another version wrote with a kind this one does not know is skipped, not shown wrong. */
function entryOf(row: Record<string, unknown>): TimelineEntry[] {
  const e = {
    ts: row['ts'],
    host: row['host'],
    stack: row['stack'],
    key: row['key'],
    name: row['name'],
    kind: row['kind'],
    severity: row['severity'],
    rule: row['rule'],
    text: row['text'],
    untilTs: row['until_ts'],
  };
  return isTimelineEntry(e) ? [e] : [];
}
