import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { APPLICATION_ID, describeNotice, openDatabase } from '../../../src/history/database.ts';
import { MIGRATIONS } from '../../../src/history/migrations.ts';

const dir = mkdtempSync(join(tmpdir(), 'history-db-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const AT = new Date('2026-12-03T22:00:00.000Z');
let n = 0;
const fresh = (): string => join(dir, `case-${++n}`, 'history.sqlite');
const folderOf = (path: string): string => join(path, '..');

function opened(path: string) {
  const result = openDatabase(path, { now: () => AT });
  assert.equal(result.kind, 'open', result.kind === 'refused' ? result.reason : '');
  return result as Extract<typeof result, { kind: 'open' }>;
}

describe('openDatabase', () => {
  test('a new file is ours, in WAL mode, at the latest schema', () => {
    const path = fresh();
    writeDir(path);
    const { db, notice } = opened(path);
    assert.equal(notice, null);
    assert.equal(pragma(db, 'user_version'), MIGRATIONS.length);
    assert.equal(pragma(db, 'application_id'), APPLICATION_ID);
    assert.equal(pragma(db, 'journal_mode'), 'wal');
    assert.equal(pragma(db, 'synchronous'), 2);
    db.close();
    const again = opened(path);
    assert.equal(again.notice, null);
    again.db.close();
  });

  test('a file that is not SQLite is moved aside, never deleted, and a new one started', () => {
    const path = fresh();
    writeDir(path);
    const junk = 'not a database at all\n'.repeat(300);
    writeFileSync(path, junk);
    const { db, notice } = opened(path);
    db.close();
    assert.ok(notice !== null);
    assert.equal(notice.movedTo, `${path}.corrupt-2026-12-03T22-00-00-000Z`);
    assert.equal(readFileSync(notice.movedTo, 'utf8'), junk);
    assert.match(describeNotice(notice), /moved to .*corrupt-2026-12-03T22-00-00-000Z and a new one started/);
    assert.ok(statSync(path).size > 0);
  });

  test('a damaged page is caught by quick_check and the file moved aside', () => {
    const path = fresh();
    writeDir(path);
    const { db } = opened(path);
    db.exec('CREATE TABLE IF NOT EXISTS filler (x BLOB)');
    const insert = db.prepare('INSERT INTO filler VALUES (randomblob(3000))');
    for (let i = 0; i < 50; i++) insert.run();
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(path);
    // Page 3 onwards are table pages: scribble over one whole page past the header.
    bytes.fill(0xa5, 4096 * 3, 4096 * 5);
    writeFileSync(path, bytes);
    const { db: next, notice } = opened(path);
    next.close();
    assert.ok(notice !== null, 'the damage is noticed');
    assert.match(notice.reason, /damaged|not a database/);
    assert.deepEqual(readFileSync(notice.movedTo), bytes);
  });

  test("another program's SQLite file is moved aside untouched", () => {
    const path = fresh();
    writeDir(path);
    const other = new DatabaseSync(path);
    other.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada')");
    other.close();
    const before = readFileSync(path);
    const { db, notice } = opened(path);
    db.close();
    assert.ok(notice !== null);
    assert.match(notice.reason, /another program's SQLite file/);
    assert.deepEqual(readFileSync(notice.movedTo), before);
  });

  test('a file from a newer version is refused and left byte for byte as it was', () => {
    const path = fresh();
    writeDir(path);
    const { db } = opened(path);
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 3}`);
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    db.close();
    const before = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    const result = openDatabase(path, { now: () => AT });
    assert.equal(result.kind, 'refused');
    assert.equal(result.kind === 'refused' && result.version, MIGRATIONS.length + 3);
    assert.match(result.kind === 'refused' ? result.reason : '', /newer Dify Monitor .*left untouched/);
    assert.deepEqual(readFileSync(path), before);
    assert.equal(statSync(path).mtimeMs, mtime);
    assert.deepEqual(
      readdirSync(folderOf(path)).filter((name) => name.includes('corrupt')),
      [],
    );
  });

  test('migrations run in order, once, and a later step finds the earlier tables', () => {
    const path = fresh();
    writeDir(path);
    const ran: string[] = [];
    const steps = [
      { name: 'one', up: (db: DatabaseSync) => (ran.push('one'), db.exec('CREATE TABLE a (x)')) },
      { name: 'two', up: (db: DatabaseSync) => (ran.push('two'), db.exec('INSERT INTO a VALUES (1)')) },
    ];
    const first = openDatabase(path, { migrations: steps.slice(0, 1) });
    assert.equal(first.kind, 'open');
    if (first.kind === 'open') first.db.close();
    const second = openDatabase(path, { migrations: steps });
    assert.equal(second.kind, 'open');
    if (second.kind === 'open') {
      assert.equal(pragma(second.db, 'user_version'), 2);
      second.db.close();
    }
    assert.deepEqual(ran, ['one', 'two']);
  });
});

function writeDir(path: string): void {
  mkdirSync(folderOf(path), { recursive: true });
}

function pragma(db: DatabaseSync, name: string): unknown {
  const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown>;
  return row[name];
}
