import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Settings as LoginSettings } from 'electron';
import {
  applyStartAtLogin,
  AUTOSTART_FILE,
  CHECKOUT_LOGIN_NAME,
  followStartAtLogin,
  MAC_CHECKOUT_REFUSAL,
} from '../../../main/login-item.ts';
import { harness, settle } from './fakes.ts';

const home = mkdtempSync(join(tmpdir(), 'dm-login-'));
after(() => rmSync(home, { recursive: true, force: true }));

function fakeApp(isPackaged: boolean) {
  const calls: LoginSettings[] = [];
  return {
    calls,
    isPackaged,
    getAppPath: () => '/src/dify monitor',
    setLoginItemSettings: (s: LoginSettings) => calls.push(s),
  };
}

describe('start at login', () => {
  it('registers the installed app on macOS and Windows', () => {
    const app = fakeApp(true);
    applyStartAtLogin(true, { app, platform: 'darwin', configHome: home, exec: '/x' });
    applyStartAtLogin(false, { app, platform: 'win32', configHome: home, exec: '/x' });
    assert.deepEqual(app.calls, [{ openAtLogin: true }, { openAtLogin: false }]);
  });

  it('writes and removes an XDG autostart entry on Linux, quoting the command', () => {
    const app = fakeApp(true);
    const file = join(home, 'autostart', AUTOSTART_FILE);
    applyStartAtLogin(true, {
      app,
      platform: 'linux',
      configHome: home,
      exec: '/opt/Dify Monitor/dify "monitor"',
    });
    assert.match(readFileSync(file, 'utf8'), /^Exec="\/opt\/Dify Monitor\/dify \\"monitor\\""$/m);
    applyStartAtLogin(false, { app, platform: 'linux', configHome: home, exec: '/x' });
    assert.equal(existsSync(file), false);
    assert.deepEqual(app.calls, []);
  });

  it('from a checkout, starts Electron with the app folder, and leaves the installed app’s Windows entry alone', () => {
    const electron = '/src/node_modules/electron/dist/electron';
    const linux = fakeApp(false);
    assert.deepEqual(
      applyStartAtLogin(true, { app: linux, platform: 'linux', configHome: home, exec: electron }),
      { ok: true },
    );
    assert.match(
      readFileSync(join(home, 'autostart', AUTOSTART_FILE), 'utf8'),
      /^Exec="\/src\/node_modules\/electron\/dist\/electron" "\/src\/dify monitor"$/m,
    );
    const windows = fakeApp(false);
    applyStartAtLogin(true, {
      app: windows,
      platform: 'win32',
      configHome: home,
      exec: 'C:\\e\\electron.exe',
    });
    assert.deepEqual(windows.calls, [
      {
        openAtLogin: true,
        path: 'C:\\e\\electron.exe',
        args: ['"/src/dify monitor"'],
        name: CHECKOUT_LOGIN_NAME,
      },
    ]);
  });

  it('refuses on macOS from a checkout, which would register Electron.app; the setting goes back off', async () => {
    const mac = fakeApp(false);
    const result = applyStartAtLogin(true, { app: mac, platform: 'darwin', configHome: home, exec: '/x' });
    assert.deepEqual(result, { ok: false, error: MAC_CHECKOUT_REFUSAL });
    assert.deepEqual(mac.calls, []);

    const h = harness();
    const told: string[] = [];
    followStartAtLogin(
      h.service,
      false,
      (enabled) => applyStartAtLogin(enabled, { app: mac, platform: 'darwin', configHome: home, exec: '/x' }),
      (text) => told.push(text),
    );
    await h.service.handle('settings:set', { startAtLogin: true });
    await settle();
    assert.deepEqual(told, [MAC_CHECKOUT_REFUSAL]);
    assert.equal(h.settings.get().startAtLogin, false);
    await h.service.stop();
  });
});
