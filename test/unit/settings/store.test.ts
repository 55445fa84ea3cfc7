import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.ts';
import { openSettingsFile } from '../../../src/settings/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'dm-settings-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('openSettingsFile', () => {
  it('starts from defaults without a file, and writes changes that a second open reads back', () => {
    const path = join(dir, 'a', 'settings.json');
    const opened = openSettingsFile(path, 1);
    assert.equal(opened.notice, undefined);
    assert.deepEqual(opened.store.get(), DEFAULT_SETTINGS);
    const changed = { ...DEFAULT_SETTINGS, startAtLogin: true };
    opened.store.set(changed);
    assert.deepEqual(openSettingsFile(path, 2).store.get(), changed);
    assert.deepEqual(readdirSync(join(dir, 'a')), ['settings.json'], 'no temp file left behind');
  });

  it('keeps a corrupt file aside as <file>.corrupt-<ts>, uses defaults and says so', () => {
    const path = join(dir, 'corrupt.json');
    writeFileSync(path, '{"version": 1, "alerts": ');
    const opened = openSettingsFile(path, 42);
    assert.deepEqual(opened.store.get(), DEFAULT_SETTINGS);
    assert.match(opened.notice ?? '', /corrupt\.json\.corrupt-42/);
    assert.equal(readFileSync(`${path}.corrupt-42`, 'utf8'), '{"version": 1, "alerts": ');
    assert.equal(existsSync(path), false);
  });

  it('treats valid JSON that is not valid settings the same way', () => {
    const path = join(dir, 'invalid.json');
    writeFileSync(path, JSON.stringify({ ...DEFAULT_SETTINGS, intervals: { fastMs: 1, trayMs: 5000 } }));
    const opened = openSettingsFile(path, 7);
    assert.match(opened.notice ?? '', /\/intervals\/fastMs/);
    assert.ok(existsSync(`${path}.corrupt-7`));
  });
});
