import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import Conf from 'conf';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadAlertLog, saveAlertLog } from '../../src/alerts/log-file.ts';
import { AlertLog } from '../../src/alerts/log.ts';
import { DEFAULT_SETTINGS, validateSettings } from '../../src/settings/schema.ts';
import { openDesktopSettings } from '../../main/settings-store.ts';
import { openSettingsFile } from '../../src/settings/store.ts';
import { writeFileAtomic } from '../../src/util/atomic-write.ts';

/*
 * Nothing the user saved is lost: not by a crash mid-save, not by a newer version's file, not by
 * a directory that cannot be written. Corrupt files are covered by test/unit/settings/store.test.ts
 * and test/unit/alerts/log-file.test.ts.
 */

const SAVER = fileURLToPath(new URL('./save-loop.ts', import.meta.url));
/** `core`: serve and the CLI (src/util/atomic-write.ts); `desktop`: the tray app (conf, as electron-store). */
type SaveMode = 'core' | 'desktop';
const modeOf = (lane: number): SaveMode => (lane % 2 === 0 ? 'core' : 'desktop');
// 300 keeps this under two minutes on a busy 2-core CI machine; docs/RELIABILITY.md has a 2,000-kill run.
const KILLS = Number(process.env['DM_SAVE_KILLS'] ?? 300);
// The desktop saver starts conf and both schema validators each time: about a second a kill here.
const DESKTOP_KILLS = Number(process.env['DM_DESKTOP_SAVE_KILLS'] ?? 40);
const LANES = 4;
const killsIn = (lane: number): number => (modeOf(lane) === 'core' ? KILLS : DESKTOP_KILLS) / (LANES / 2);
const root = mkdtempSync(join(tmpdir(), 'dm-durability-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Starts a saver, kills it a random moment after it began saving; resolves with the last number it printed. */
function killMidSave(path: string, first: number, mode: SaveMode): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SAVER, path, String(first), mode], {
      env: { ...process.env, DM_SETTINGS_JSON: JSON.stringify(DEFAULT_SETTINGS) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      if (out === '') setTimeout(() => child.kill('SIGKILL'), Math.random() * 8);
      out += d.toString();
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`the saver ended by itself: ${out.slice(-200)}`));
      const done = out.split('\n').filter((l) => /^\d+$/.test(l));
      resolve(done.length === 0 ? first - 1 : Number(done.at(-1)));
    });
  });
}

describe('settings survive SIGKILL mid-save', { timeout: 30 * 60_000 }, () => {
  it(`${KILLS} + ${DESKTOP_KILLS} kills: the file always parses, validates and holds the last or the next save`, async () => {
    const started = Date.now();
    let writesSeen = 0;
    const lane = async (index: number): Promise<number> => {
      const path = join(root, `lane-${index}`, 'settings.json');
      mkdirSync(join(root, `lane-${index}`));
      writeFileSync(
        path,
        JSON.stringify({ ...DEFAULT_SETTINGS, alerts: { ...DEFAULT_SETTINGS.alerts, cooldownMs: 0 } }),
      );
      let confirmed = 0;
      for (let i = 0; i < killsIn(index); i++) {
        const printed = await killMidSave(path, confirmed + 1, modeOf(index));
        const checked = validateSettings(JSON.parse(readFileSync(path, 'utf8')));
        assert.ok(checked.ok, `kill ${i}: the file is valid settings`);
        const n = checked.settings.alerts.cooldownMs;
        assert.ok(
          n === printed || n === printed + 1,
          `kill ${i}: file holds save ${n}, last confirmed ${printed}`,
        );
        writesSeen += n - confirmed;
        confirmed = n;
      }
      const opened = openSettingsFile(path, Date.now());
      assert.equal(opened.notice, undefined);
      assert.equal(opened.store.get().alerts.cooldownMs, confirmed);
      return confirmed;
    };
    const confirmed = await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));
    // atomic-write.ts names its temp files `<file>.<pid>.tmp`, conf's atomically `<file>.tmp-<time><random>`.
    const temps = (): string[] =>
      readdirSync(root, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.tmp') || f.includes('.tmp-'));
    const leftByLastKills = temps().length;
    // The next start after a crash, as each app makes it: nothing of the killed savers stays.
    for (let i = 0; i < LANES; i++) {
      const dir = join(root, `lane-${i}`);
      const path = join(dir, 'settings.json');
      if (modeOf(i) === 'core') writeFileAtomic(path, readFileSync(path, 'utf8'));
      else {
        const told: string[] = [];
        const opened = openDesktopSettings({
          dir,
          createStore: (o) => new Conf(o),
          now: Date.now,
          tell: (t) => told.push(t),
        });
        assert.deepEqual(told, [], 'the desktop app opens the file without a notice');
        assert.equal(opened.store.get().alerts.cooldownMs, confirmed[i]);
      }
    }
    assert.deepEqual(temps(), []);
    console.log(
      `${KILLS} SIGKILLs of the core saver and ${DESKTOP_KILLS} of the desktop one mid-save in ${((Date.now() - started) / 1000).toFixed(0)} s, ${writesSeen} completed saves; ` +
        `${leftByLastKills} temp files left by the last killed savers, removed by the next save`,
    );
  });
});

describe('a file from a newer version', () => {
  it('settings: kept aside as .newer-<time>, defaults in use, and the user is told', () => {
    const path = join(root, 'newer-settings.json');
    const text = JSON.stringify({ ...DEFAULT_SETTINGS, version: 2, dashboards: [{ name: 'mine' }] });
    writeFileSync(path, text);
    const opened = openSettingsFile(path, 7);
    assert.match(opened.notice ?? '', /newer Dify Monitor \(settings version 2/);
    assert.equal(readFileSync(`${path}.newer-7`, 'utf8'), text, 'byte for byte');
    assert.deepEqual(opened.store.get(), DEFAULT_SETTINGS);
  });

  it('alert log: kept aside instead of being replaced by the next save', () => {
    const path = join(root, 'newer-alerts.json');
    const text = JSON.stringify({ version: 2, alerts: [{ type: 'alert', severity: 'page' }] });
    writeFileSync(path, text);
    const loaded = loadAlertLog(path, 8);
    assert.match(loaded.warning ?? '', /newer Dify Monitor \(log version 2\)/);
    assert.equal(readFileSync(`${path}.newer-8`, 'utf8'), text);
    saveAlertLog(path, loaded.log);
    assert.equal(readFileSync(`${path}.newer-8`, 'utf8'), text, 'still there after a save');
  });

  it('a JSON value that is no log at all is kept aside too', () => {
    const path = join(root, 'list-alerts.json');
    writeFileSync(path, '[1, 2, 3]');
    assert.match(loadAlertLog(path, 9).warning ?? '', /was corrupt; kept it as .*corrupt-9/);
  });
});

describe('a read-only directory', () => {
  const ro = join(root, 'ro');
  const settingsPath = join(ro, 'settings.json');
  const corruptPath = join(ro, 'corrupt.json');
  const logPath = join(ro, 'alerts.json');
  const corruptLogPath = join(ro, 'corrupt-alerts.json');
  const saved = { ...DEFAULT_SETTINGS, startAtLogin: true };

  before(() => {
    mkdirSync(ro);
    writeFileSync(settingsPath, JSON.stringify(saved));
    writeFileSync(corruptPath, '{"version": 1, "alerts":');
    const log = new AlertLog();
    saveAlertLog(logPath, log);
    writeFileSync(corruptLogPath, 'not json');
    // Root ignores file modes, so the directory is made read-only the way a full or locked disk is.
    execFileSync('mount', ['--bind', ro, ro]);
    execFileSync('mount', ['-o', 'remount,ro,bind', ro]);
  });
  after(() => execFileSync('umount', [ro]));

  it('settings load, and a change is refused with the reason while the old ones stay in use', () => {
    const opened = openSettingsFile(settingsPath, 1);
    assert.equal(opened.notice, undefined);
    assert.deepEqual(opened.store.get(), saved);
    assert.throws(() => opened.store.set({ ...saved, startAtLogin: false }), /EROFS|read-only/);
    assert.deepEqual(opened.store.get(), saved, 'what is in use is what is on disk');
    assert.deepEqual(JSON.parse(readFileSync(settingsPath, 'utf8')), saved);
  });

  it('a corrupt settings file that cannot be moved is left untouched; changes live in memory', () => {
    const opened = openSettingsFile(corruptPath, 2);
    assert.match(opened.notice ?? '', /cannot be kept aside .*left it untouched.*until the app quits/);
    opened.store.set({ ...DEFAULT_SETTINGS, startAtLogin: true });
    assert.equal(opened.store.get().startAtLogin, true);
    assert.equal(readFileSync(corruptPath, 'utf8'), '{"version": 1, "alerts":');
  });

  it('the alert log: a corrupt one is left untouched and not saved over; a good one is read', () => {
    const corrupt = loadAlertLog(corruptLogPath, 3);
    assert.equal(corrupt.save, false);
    assert.match(corrupt.warning ?? '', /cannot be kept aside .*in memory only/);
    assert.equal(readFileSync(corruptLogPath, 'utf8'), 'not json');
    const good = loadAlertLog(logPath, 4);
    assert.equal(good.warning, undefined);
    assert.throws(() => saveAlertLog(logPath, good.log), /EROFS|read-only/);
  });
});
