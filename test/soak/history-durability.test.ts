import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { openDatabase } from '../../src/history/database.ts';
import { RAW_RETENTION_MS } from '../../src/history/disk.ts';
import { BATCH, CONTAINERS } from './history-writer.ts';

/*
 * History on disk survives kill -9 in the middle of writing: each time the file opens as ours
 * (no notice, nothing moved aside), and what it holds is every round up to the last batch that
 * was reported written, plus at most the one batch in flight (written but killed before it said so).
 */

const WRITER = fileURLToPath(new URL('./history-writer.ts', import.meta.url));
const KILLS = Number(process.env['DM_HISTORY_KILLS'] ?? 300);
const T0 = Date.UTC(2026, 11, 3, 0, 0, 0);
const root = mkdtempSync(join(tmpdir(), 'dm-history-kill-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Starts the writer, kills it a random moment after it began writing; resolves with the last round it reported. */
function killMidWrite(path: string): Promise<{ reported: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, path, String(T0)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      if (out === '') setTimeout(() => child.kill('SIGKILL'), 5 + Math.random() * 40);
      out += d.toString();
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`the writer ended by itself: ${out.slice(-300)}`));
      const done = out.split('\n').filter((l) => /^\d+$/.test(l));
      resolve({ reported: done.length === 0 ? null : Number(done.at(-1)), out });
    });
  });
}

/**
 * Rounds written so far per container, n: the file holds rounds up to n-1 without a hole, from the
 * first the raw tier keeps (an hour before the last batch: a fast writer passes an hour of rounds).
 */
function roundsHeld(path: string): number {
  const opened = openDatabase(path);
  assert.equal(opened.kind, 'open', opened.kind === 'refused' ? opened.reason : '');
  if (opened.kind !== 'open') return 0;
  assert.equal(opened.notice, null, 'the file is never moved aside');
  try {
    assert.equal(
      (opened.db.prepare('PRAGMA quick_check').get() as { quick_check: string }).quick_check,
      'ok',
    );
    const rows = opened.db
      .prepare(
        'SELECT s.key AS key, count(*) AS n, min(r.ts) AS first, max(r.ts) AS last FROM history_raw r JOIN history_series s ON s.id = r.series GROUP BY s.key',
      )
      .all() as { key: string; n: number; first: number; last: number }[];
    if (rows.length === 0) return 0;
    assert.equal(rows.length, CONTAINERS);
    const last = rows[0]?.last ?? T0;
    const n = (last - T0) / 1000 + 1;
    const first = Math.max(T0, last - RAW_RETENTION_MS);
    for (const row of rows) {
      assert.equal(row.last, last, `${row.key}: every container has every round of a batch`);
      assert.equal(row.first, first, `${row.key}: kept from the start, or for the last hour`);
      assert.equal(row.n, (last - first) / 1000 + 1, `${row.key}: no round missing`);
    }
    assert.equal(n % BATCH, 0, 'whole batches only');
    return n;
  } finally {
    opened.db.close();
  }
}

describe('history on disk survives kill -9 mid-write', { timeout: 30 * 60_000 }, () => {
  it(`${KILLS} kills: the file opens every time and loses at most the batch in flight`, async () => {
    const path = join(root, 'history.sqlite');
    let held = 0;
    let lostBatches = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const { reported, out } = await killMidWrite(path);
      assert.doesNotMatch(out, /^notice/m, 'the writer found the file whole');
      const now = roundsHeld(path);
      const floor = reported === null ? held : reported + 1;
      assert.ok(now >= floor, `kill ${kill}: ${now} rounds held, ${floor} were reported written`);
      assert.ok(now <= floor + BATCH, `kill ${kill}: ${now} rounds held, at most one batch past ${floor}`);
      if (now > floor) lostBatches++;
      held = now;
    }
    process.stdout.write(
      `# ${KILLS} kills: ${held / BATCH} batches of ${BATCH} rounds x ${CONTAINERS} containers held; ` +
        `${lostBatches} times the batch in flight had been written before its report\n`,
    );
  });
});
