/**
 * The desktop app and the CLI on one settings file: the desktop's real store (electron-store, as
 * main/index.ts creates it) and the real CLI as a child process.
 *
 * electron-store imports `electron`, whose package, run by Node, only exports the path of the
 * Electron binary and downloads it when missing. ELECTRON_OVERRIDE_DIST_PATH names that path
 * instead; nothing else of Electron is used: with `cwd` given, electron-store never asks `app`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { openDesktopSettings, type CreateStore } from '../../../main/settings-store.ts';
import type { WatchPath } from '../../../src/settings/external-change.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/settings/schema.ts';
import { openSettingsFile } from '../../../src/settings/store.ts';
import { createMonitorService } from '../../../src/service/create-monitor.ts';
import { systemClock } from '../../../src/util/clock.ts';
import { FakeCollector } from '../../helpers/fake-collector.ts';
import { CLI } from '../../helpers/cli.ts';

process.env['ELECTRON_OVERRIDE_DIST_PATH'] ??= join(tmpdir(), 'no-electron-binary-needed');
const { default: ElectronStore } = await import('electron-store');

const run = promisify(execFile);
const base = mkdtempSync(join(tmpdir(), 'dm-shared-settings-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

/** What main/index.ts hands openDesktopSettings. */
const electronStore: CreateStore = ({ configName, ...options }) =>
  new ElectronStore({ ...options, name: configName });

function desktop(dir: string, watch?: WatchPath) {
  return openDesktopSettings({
    dir,
    createStore: electronStore,
    now: Date.now,
    tell: (text) => assert.fail(text),
    ...(watch === undefined ? {} : { watch }),
  });
}

function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, ...args], { timeout: 30_000 });
}

/** A watch the test fires itself: whether a change is reported is then decided by the store alone. */
function manualWatch(): { watch: WatchPath; fire(): void } {
  let changed: (() => void) | null = null;
  return {
    watch: (_path, callback) => {
      changed = callback;
      return () => (changed = null);
    },
    fire: () => changed?.(),
  };
}

function nextChange(subscribe: (listener: (s: Settings) => void) => () => void): Promise<Settings> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no change reported within 15 s')), 15_000);
    const stop = subscribe((settings) => {
      clearTimeout(timer);
      stop();
      resolve(settings);
    });
  });
}

describe('one settings file for the desktop app and the CLI', () => {
  it('a CLI-added host appears in the desktop shell’s host list, through the desktop’s real settings store', async () => {
    const dir = join(base, String(n++));
    const opened = desktop(dir);
    assert.equal(opened.path, join(dir, 'settings.json'), 'electron-store opens <cwd>/<configName>.json');
    opened.store.set({ ...opened.store.get(), startAtLogin: true });
    const seen = nextChange((l) => opened.store.onExternalChange?.(l) ?? assert.fail('no hook'));

    const added = await cli('hosts', 'add', 'build', 'tcp://10.0.0.5:2375', '--settings', opened.path);
    assert.match(added.stdout, /Saved "build" \(tcp:\/\/10\.0\.0\.5:2375\)/);

    const heard = await seen;
    assert.deepEqual(
      heard.hosts.map((h) => [h.name, h.url]),
      [['build', 'tcp://10.0.0.5:2375']],
    );
    assert.deepEqual(opened.store.get(), heard);
    assert.equal(opened.store.get().startAtLogin, true, 'the CLI kept what the desktop had saved');
    const listed = await cli('hosts', 'list', '--settings', opened.path);
    assert.match(listed.stdout, /build/);
  });

  it('a running desktop monitor on that store starts watching the host the CLI added', async () => {
    const dir = join(base, String(n++));
    const opened = desktop(dir);
    const made: string[] = [];
    const service = createMonitorService({
      collectors: [],
      clock: systemClock,
      settings: opened.store,
      savedHostCollector: async (host) => {
        made.push(host.name);
        return { ok: true, collector: new FakeCollector(host.name) };
      },
    });
    const changed = new Promise<Settings>((resolve) => service.on('settings:changed', resolve));
    await cli('hosts', 'add', 'build', 'tcp://10.0.0.5:2375', '--settings', opened.path);
    await changed;
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(made, ['build'], 'a collector was made for the new host');
    const list = await service.handle('hosts:list', null);
    assert.deepEqual(
      list.hosts.map((h) => [h.name, h.url]),
      [['build', 'tcp://10.0.0.5:2375']],
    );
    const snapshot = await service.handle('monitor:snapshot', null);
    assert.ok(
      snapshot.hosts.some((h) => h.host === 'build'),
      'and the tray sees it among the hosts',
    );
    await service.stop();
  });

  it('the desktop store ignores its own saves and reports the CLI’s', async () => {
    const dir = join(base, String(n++));
    const manual = manualWatch();
    const opened = desktop(dir, manual.watch);
    const heard: Settings[] = [];
    opened.store.onExternalChange?.((s) => heard.push(s));
    opened.store.set({ ...DEFAULT_SETTINGS, startAtLogin: true });
    manual.fire();
    assert.equal(heard.length, 0, 'its own save is not news');
    await cli('hosts', 'add', 'ci', 'ssh://deploy@ci.example', '--settings', opened.path);
    manual.fire();
    manual.fire();
    assert.equal(heard.length, 1, 'one change, told once');
    assert.deepEqual(
      heard[0]?.hosts.map((h) => h.name),
      ['ci'],
    );
  });

  it('the CLI’s file store (serve) hears the desktop’s saves, and not its own', () => {
    const dir = join(base, String(n++));
    const path = join(dir, 'settings.json');
    const manual = manualWatch();
    const serve = openSettingsFile(path, Date.now(), manual.watch).store;
    const heard: Settings[] = [];
    const stop = serve.onExternalChange?.((s) => heard.push(s));
    serve.set({ ...DEFAULT_SETTINGS, startAtLogin: true });
    manual.fire();
    assert.equal(heard.length, 0, 'its own save is not news');

    const opened = desktop(dir);
    assert.equal(opened.store.get().startAtLogin, true, 'the desktop reads what the CLI wrote');
    opened.store.set({
      ...opened.store.get(),
      notifications: { ...DEFAULT_SETTINGS.notifications, enabled: false },
    });
    manual.fire();
    assert.equal(heard.length, 1);
    assert.equal(heard[0]?.notifications.enabled, false);
    assert.deepEqual(serve.get(), heard[0]);
    assert.equal(
      openSettingsFile(path, Date.now()).notice,
      undefined,
      'conf’s file is valid settings for the CLI',
    );
    stop?.();
  });
});
