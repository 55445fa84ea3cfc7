import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeFileAtomic } from '../../../src/util/atomic-write.ts';

const root = mkdtempSync(join(tmpdir(), 'dm-atomic-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has ended: a writer killed mid-save. */
function deadPid(): number {
  const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(ended.stdout);
}

describe('writeFileAtomic', () => {
  it('replaces the file and clears what dead writers left, not what a live writer or the user owns', async () => {
    const path = join(root, 'settings.json');
    writeFileSync(path, 'old\n');
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      const keep = [
        `settings.json.${live.pid}.tmp`,
        'settings.json.corrupt-1700000000000',
        'other.json.1.tmp',
      ];
      const stale = [`settings.json.${deadPid()}.tmp`, `settings.json.${deadPid()}.tmp`];
      for (const name of [...keep, ...stale]) writeFileSync(join(root, name), 'partial');
      writeFileAtomic(path, 'new\n');
      assert.equal(readFileSync(path, 'utf8'), 'new\n');
      assert.deepEqual(readdirSync(root).sort(), ['settings.json', ...keep].sort());
    } finally {
      live.kill();
    }
  });
});
