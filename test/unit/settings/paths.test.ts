import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataLocations, defaultAlertLogPath, defaultSettingsPath } from '../../../src/settings/paths.ts';

describe('dataLocations: one folder per OS for the CLI, serve and the desktop app', () => {
  it('Linux: $XDG_CONFIG_HOME/dify-monitor, else ~/.config/dify-monitor; the old places are the other app name and XDG state', () => {
    const plain = dataLocations({ platform: 'linux', env: {}, homedir: '/home/u' });
    assert.equal(plain.dir, '/home/u/.config/dify-monitor');
    assert.equal(plain.settings, '/home/u/.config/dify-monitor/settings.json');
    assert.equal(plain.alertLog, '/home/u/.config/dify-monitor/alerts.json');
    assert.deepEqual(plain.oldDirs, ['/home/u/.config/Dify Monitor']);
    assert.deepEqual(plain.oldAlertLogs, ['/home/u/.local/state/dify-monitor/alerts.json']);

    const xdg = dataLocations({
      platform: 'linux',
      env: { XDG_CONFIG_HOME: '/x/config', XDG_STATE_HOME: '/x/state' },
      homedir: '/home/u',
    });
    assert.equal(xdg.settings, '/x/config/dify-monitor/settings.json');
    assert.deepEqual(xdg.oldDirs, [
      '/x/config/Dify Monitor',
      '/home/u/.config/dify-monitor',
      '/home/u/.config/Dify Monitor',
    ]);
    assert.deepEqual(xdg.oldAlertLogs, [
      '/x/state/dify-monitor/alerts.json',
      '/home/u/.local/state/dify-monitor/alerts.json',
    ]);
  });

  it('macOS: ~/Library/Application Support/dify-monitor; the CLI’s old ~/.config folder is one of the old places', () => {
    const mac = dataLocations({ platform: 'darwin', env: { HOME: '/Users/u' }, homedir: '/Users/u' });
    assert.equal(mac.settings, '/Users/u/Library/Application Support/dify-monitor/settings.json');
    assert.equal(mac.alertLog, '/Users/u/Library/Application Support/dify-monitor/alerts.json');
    assert.deepEqual(mac.oldDirs, [
      '/Users/u/Library/Application Support/Dify Monitor',
      '/Users/u/.config/dify-monitor',
    ]);
    assert.deepEqual(mac.oldAlertLogs, ['/Users/u/.local/state/dify-monitor/alerts.json']);
  });

  it('Windows: %APPDATA%\\dify-monitor, with Windows separators whatever OS computes it', () => {
    const win = dataLocations({
      platform: 'win32',
      env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' },
      homedir: 'C:\\Users\\u',
    });
    assert.equal(win.settings, 'C:\\Users\\u\\AppData\\Roaming\\dify-monitor\\settings.json');
    assert.equal(win.alertLog, 'C:\\Users\\u\\AppData\\Roaming\\dify-monitor\\alerts.json');
    assert.deepEqual(win.oldDirs, [
      'C:\\Users\\u\\AppData\\Roaming\\Dify Monitor',
      'C:\\Users\\u\\.config\\dify-monitor',
    ]);
    assert.deepEqual(win.oldAlertLogs, ['C:\\Users\\u\\.local\\state\\dify-monitor\\alerts.json']);
    const noAppData = dataLocations({ platform: 'win32', env: {}, homedir: 'C:\\Users\\u' });
    assert.equal(noAppData.dir, 'C:\\Users\\u\\AppData\\Roaming\\dify-monitor');
  });

  it('never lists the new folder as an old one, whatever case the user typed it in (macOS, Windows)', () => {
    const win = dataLocations({
      platform: 'win32',
      env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming', XDG_CONFIG_HOME: 'c:\\users\\U\\appdata\\roaming' },
      homedir: 'C:\\Users\\u',
    });
    assert.deepEqual(win.oldDirs, ['C:\\Users\\u\\AppData\\Roaming\\Dify Monitor']);
  });

  it('is what the CLI offers as its defaults', () => {
    const context = { platform: 'linux', env: { XDG_CONFIG_HOME: '/c' }, homedir: '/h' } as const;
    assert.equal(defaultSettingsPath(context), '/c/dify-monitor/settings.json');
    assert.equal(defaultAlertLogPath(context), '/c/dify-monitor/alerts.json');
  });
});
