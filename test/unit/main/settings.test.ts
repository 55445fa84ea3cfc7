import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Conf from 'conf';
import { openDesktopSettings, upgradeSettings, type CreateStore } from '../../../main/settings-store.ts';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.ts';
import { T0 } from './fakes.ts';

const base = mkdtempSync(join(tmpdir(), 'dm-settings-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(base, String(n++));

const conf: CreateStore = (options) => new Conf(options);

function open(dir: string) {
  const told: string[] = [];
  const opened = openDesktopSettings({ dir, createStore: conf, now: () => T0, tell: (t) => told.push(t) });
  return { opened, told };
}

function seed(dir: string, text: string): void {
  const { opened } = open(dir);
  writeFileSync(opened.path, text);
}

describe('desktop settings (conf, the store electron-store is built on)', () => {
  it('starts from defaults and keeps a change across restarts, validated by the shared schema', () => {
    const dir = freshDir();
    const { opened, told } = open(dir);
    assert.deepEqual(opened.store.get(), DEFAULT_SETTINGS);
    assert.deepEqual(told, []);
    opened.store.set({ ...DEFAULT_SETTINGS, startAtLogin: true });
    assert.equal(open(dir).opened.store.get().startAtLogin, true);
    assert.throws(
      () => opened.store.set({ ...DEFAULT_SETTINGS, intervals: { fastMs: 1, trayMs: 5000 } }),
      /schema violation/,
    );
    assert.equal(open(dir).opened.store.get().intervals.fastMs, 1000, 'nothing invalid reached the file');
  });

  for (const [what, text] of [
    ['not JSON', '{"version": 1, "alerts": '],
    [
      'hand-broken (a value the schema rejects)',
      JSON.stringify({ ...DEFAULT_SETTINGS, intervals: { fastMs: 'soon', trayMs: 5000 } }),
    ],
    ['written by a newer version', JSON.stringify({ ...DEFAULT_SETTINGS, version: 7 })],
  ] as const) {
    it(`backs up a file that is ${what}, starts from defaults and tells the user`, () => {
      const dir = freshDir();
      seed(dir, text);
      const { opened, told } = open(dir);
      assert.deepEqual(opened.store.get(), DEFAULT_SETTINGS);
      assert.equal(told.length, 1);
      const aside = `${opened.path}.corrupt-${T0}`;
      assert.ok(told[0]?.includes(aside), told[0]);
      assert.equal(readFileSync(aside, 'utf8'), text, 'the user’s file is kept byte for byte');
      assert.deepEqual(JSON.parse(readFileSync(opened.path, 'utf8')).version, 1);
    });
  }

  it('upgrades an older file: missing fields come from the defaults, every value it had stays', () => {
    const dir = freshDir();
    const old = {
      alerts: { memory: { warningPercent: 70, criticalPercent: 80, hysteresisPoints: 5 } },
      startAtLogin: true,
    };
    seed(dir, JSON.stringify(old));
    const { opened, told } = open(dir);
    assert.deepEqual(told, []);
    const settings = opened.store.get();
    assert.equal(settings.alerts.memory.warningPercent, 70);
    assert.equal(settings.startAtLogin, true);
    assert.deepEqual(settings.alerts.trend, DEFAULT_SETTINGS.alerts.trend);
    assert.deepEqual(settings.intervals, DEFAULT_SETTINGS.intervals);
    assert.deepEqual(upgradeSettings([]), { ok: false, why: 'it does not hold an object' });
  });

  it('removes the temp files of a save that a crash cut short, and nothing else', () => {
    const dir = freshDir();
    open(dir).opened.store.set({ ...DEFAULT_SETTINGS, startAtLogin: true });
    // What conf's atomically leaves when the process dies between writing its temp file and the rename.
    const left = ['settings.json.tmp-1763900000123abcdef', 'settings.json.tmp-1763900000456012345'];
    const kept = ['settings.json.corrupt-1700000000000', 'other.json.tmp-1763900000123abcdef'];
    for (const name of [...left, ...kept]) writeFileSync(join(dir, name), '{"half":');
    const { opened, told } = open(dir);
    assert.deepEqual(told, []);
    assert.equal(opened.store.get().startAtLogin, true);
    assert.deepEqual(readdirSync(dir).sort(), ['settings.json', ...kept].sort());
  });
});
