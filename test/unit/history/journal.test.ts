import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { entry } from '../../../src/alerts/timeline.ts';
import { openDatabase } from '../../../src/history/database.ts';
import { JOURNAL_KEEP_MS, SqliteJournal } from '../../../src/history/journal.ts';

const T = 1_700_000_000_000;

function open(path: string) {
  const opened = openDatabase(path);
  assert.equal(opened.kind, 'open');
  return opened.db;
}

test('entries and state outlive a reopen of the database, oldest first, old ones dropped', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'history.sqlite');
  const db = open(path);
  const journal = new SqliteJournal(db, T);
  journal.append([
    entry({
      ts: T + 2,
      kind: 'restart',
      severity: 'warning',
      host: 'local',
      key: 'local/docker/api/1',
      text: 'b',
    }),
    entry({ ts: T + 1, kind: 'app-start', severity: 'info', text: 'a' }),
    entry({ ts: T - JOURNAL_KEEP_MS - 1, kind: 'app-start', severity: 'info', text: 'too old' }),
  ]);
  journal.setMeta('lastSeen', '42');
  journal.setMeta('lastSeen', '43');
  db.close();

  const again = open(path);
  t.after(() => again.close());
  const reopened = new SqliteJournal(again, T);
  assert.deepEqual(
    reopened.between(0, T + 10, 100).map((e) => e.text),
    ['a', 'b'],
  );
  assert.equal(reopened.between(T, T + 10, 1)[0]?.text, 'b');
  assert.equal(reopened.between(0, T + 10, 100)[1]?.key, 'local/docker/api/1');
  assert.equal(reopened.meta('lastSeen'), '43');
  assert.equal(reopened.meta('nothing'), null);
});

test('a row of a kind this version does not know is skipped, not shown wrong', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = open(join(dir, 'history.sqlite'));
  t.after(() => db.close());
  db.prepare("INSERT INTO timeline_entry (ts, kind, severity, text) VALUES (?, 'teleport', 'info', 'x')").run(
    T,
  );
  const journal = new SqliteJournal(db, T);
  journal.append([entry({ ts: T + 1, kind: 'deploy', severity: 'info', text: 'ok' })]);
  assert.deepEqual(
    journal.between(0, T + 10, 10).map((e) => e.text),
    ['ok'],
  );
});
