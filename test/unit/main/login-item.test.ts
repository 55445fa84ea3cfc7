import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Settings as LoginSettings } from 'electron';
import { applyStartAtLogin, AUTOSTART_FILE } from '../../../main/login-item.ts';

const home = mkdtempSync(join(tmpdir(), 'dm-login-'));
after(() => rmSync(home, { recursive: true, force: true }));

describe('start at login', () => {
  it('registers a login item on macOS and Windows', () => {
    const calls: LoginSettings[] = [];
    const app = { setLoginItemSettings: (s: LoginSettings) => calls.push(s) };
    applyStartAtLogin(true, { app, platform: 'darwin', configHome: home, exec: '/x' });
    applyStartAtLogin(false, { app, platform: 'win32', configHome: home, exec: '/x' });
    assert.deepEqual(calls, [{ openAtLogin: true }, { openAtLogin: false }]);
  });

  it('writes and removes an XDG autostart entry on Linux, quoting the command', () => {
    const app = { setLoginItemSettings: () => assert.fail('not on Linux') };
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
  });
});
