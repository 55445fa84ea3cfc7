import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { dataLocations, type PathContext } from '../../../src/settings/paths.ts';
import { relocateData } from '../../../src/settings/relocate.ts';
import { openSettingsFile } from '../../../src/settings/store.ts';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.ts';
import { CLI } from '../../helpers/cli.ts';

const base = mkdtempSync(join(tmpdir(), 'dm-relocate-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const NOW = 1_770_000_000_000;
const HOUR_S = 3600;
const T_S = 1_760_000_000;

function home(platform: NodeJS.Platform): PathContext {
  const dir = join(base, String(n++));
  mkdirSync(dir);
  return { platform, env: { HOME: dir }, homedir: dir };
}

/** Writes a file with a given mtime, so that which one is newer is decided by the test. */
function put(path: string, content: string | Buffer, mtimeS: number): Buffer {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  utimesSync(path, mtimeS, mtimeS);
  return readFileSync(path);
}

function settingsText(hosts: object[], indent: string | number): string {
  return `${JSON.stringify({ ...DEFAULT_SETTINGS, hosts }, null, indent)}\n`;
}

/** Every file under a folder, with its bytes: what a second start must leave as it is. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(path, readFileSync(path).toString('base64'));
    }
  }
  return files;
}

describe('relocateData: the first start after the upgrade', () => {
  it('macOS with both old places populated: the newer settings live, the other kept beside, both backed up where they were', () => {
    const context = home('darwin');
    const at = dataLocations(context);
    const [desktopDir, cliDir] = at.oldDirs as [string, string];
    assert.match(desktopDir, /Application Support\/Dify Monitor$/);
    assert.match(cliDir, /\.config\/dify-monitor$/);
    const desktop = put(
      join(desktopDir, 'settings.json'),
      settingsText([{ name: 'a', url: 'tcp://a:2375' }], '\t'),
      T_S,
    );
    const cli = put(
      join(cliDir, 'settings.json'),
      settingsText([{ name: 'b', url: 'ssh://me@b' }], 2),
      T_S + HOUR_S,
    );
    const desktopLog = put(join(desktopDir, 'alerts.json'), '{"version":1,"alerts":[]}\n', T_S + 2 * HOUR_S);
    const cliLog = put(at.oldAlertLogs[0] as string, '{"version":1,"alerts":[{"x":1}]}\n', T_S);
    const token = put(join(desktopDir, 'exporter.token'), Buffer.from([0xff, 0x00, 0x41, 0x0a]), T_S);

    const { notice } = relocateData(at, NOW);

    assert.ok(readFileSync(at.settings).equals(cli), 'the newer file (the CLI’s) is live, byte for byte');
    assert.ok(readFileSync(`${at.settings}.older-${NOW}`).equals(desktop), 'the older one is kept beside it');
    assert.ok(readFileSync(join(cliDir, `settings.json.migrated-${NOW}`)).equals(cli));
    assert.ok(readFileSync(join(desktopDir, `settings.json.migrated-${NOW}`)).equals(desktop));
    assert.equal(existsSync(join(cliDir, 'settings.json')), false);
    assert.equal(existsSync(join(desktopDir, 'settings.json')), false);
    assert.equal(statSync(at.settings).mtimeMs, (T_S + HOUR_S) * 1000, 'its mtime travels with it');

    assert.ok(readFileSync(at.alertLog).equals(desktopLog), 'the newer alert log is live');
    assert.ok(readFileSync(`${at.alertLog}.older-${NOW}`).equals(cliLog));
    assert.ok(readFileSync(`${at.oldAlertLogs[0]}.migrated-${NOW}`).equals(cliLog));
    assert.ok(readFileSync(join(at.dir, 'exporter.token')).equals(token), 'not text, still the same bytes');

    assert.ok(notice?.includes(at.settings), notice ?? 'no notice');
    assert.ok(notice?.includes(`${at.settings}.older-${NOW}`), notice ?? '');
    assert.ok(notice?.includes(join(desktopDir, `settings.json.migrated-${NOW}`)), notice ?? '');
    const opened = openSettingsFile(at.settings, NOW);
    assert.equal(opened.notice, undefined);
    assert.deepEqual(
      opened.store.get().hosts.map((h) => h.name),
      ['b'],
    );

    const before = snapshot(context.homedir);
    assert.deepEqual(relocateData(at, NOW + 1), { notice: null }, 'the second start does nothing');
    assert.deepEqual(snapshot(context.homedir), before);
  });

  it('moves the TLS copies and points the live settings at them; every other byte is the old file’s', () => {
    const context = home('linux');
    const at = dataLocations(context);
    const oldDir = at.oldDirs[0] as string;
    assert.match(oldDir, /\.config\/Dify Monitor$/);
    const oldCa = join(oldDir, 'hosts', 'build', 'ca.pem');
    const ca = put(oldCa, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', T_S);
    const host = { name: 'build', url: 'tcp://10.0.0.5:2376', tls: { caPath: oldCa } };
    const original = put(join(oldDir, 'settings.json'), settingsText([host], '\t'), T_S);

    const { notice } = relocateData(at, NOW);

    const newCa = join(at.dir, 'hosts', 'build', 'ca.pem');
    assert.ok(readFileSync(newCa).equals(ca));
    assert.equal(
      readFileSync(at.settings, 'utf8'),
      original.toString('utf8').replace(JSON.stringify(oldCa), JSON.stringify(newCa)),
    );
    assert.ok(readFileSync(join(oldDir, `settings.json.migrated-${NOW}`)).equals(original));
    assert.ok(readFileSync(join(oldDir, `hosts.migrated-${NOW}`, 'build', 'ca.pem')).equals(ca));
    assert.equal(existsSync(join(oldDir, 'hosts')), false);
    assert.ok(notice?.includes(newCa.slice(0, -'/ca.pem'.length)), notice ?? '');
    assert.equal(openSettingsFile(at.settings, NOW).store.get().hosts[0]?.tls?.caPath, newCa);
    assert.deepEqual(relocateData(at, NOW + 1), { notice: null });
  });

  it('keeps the file already in the new place when it is the newest, and the old one beside it', () => {
    const context = home('linux');
    const at = dataLocations(context);
    const current = put(at.settings, settingsText([{ name: 'now', url: 'tcp://n:2375' }], 2), T_S + HOUR_S);
    const old = put(join(at.oldDirs[0] as string, 'settings.json'), settingsText([], '\t'), T_S);
    relocateData(at, NOW);
    assert.ok(readFileSync(at.settings).equals(current));
    assert.ok(readFileSync(`${at.settings}.older-${NOW}`).equals(old));
    assert.ok(readFileSync(join(at.oldDirs[0] as string, `settings.json.migrated-${NOW}`)).equals(old));
  });

  it('a Linux user whose files are already in place: nothing to tell', () => {
    const at = dataLocations(home('linux'));
    put(at.settings, settingsText([], 2), T_S);
    put(at.alertLog, '{"version":1,"alerts":[]}\n', T_S);
    assert.deepEqual(relocateData(at, NOW), { notice: null });
    assert.deepEqual(readdirSync(at.dir).sort(), ['alerts.json', 'settings.json']);
  });

  it('says what it could not move and leaves that file where it was, without a crash', () => {
    const at = dataLocations(home('linux'));
    const old = put(join(at.oldDirs[0] as string, 'settings.json'), settingsText([], 2), T_S);
    put(at.dir, 'a file where the folder should be', T_S);
    const { notice } = relocateData(at, NOW);
    assert.match(notice ?? '', /the settings could not be moved \(.*\); the old file is left where it was/);
    assert.ok(readFileSync(join(at.oldDirs[0] as string, 'settings.json')).equals(old));
  });

  it('the CLI moves them on its first run with the default --settings, says so on stderr, and then finds them', async () => {
    const context = home('linux');
    const at = dataLocations(context);
    const old = put(
      join(at.oldDirs[0] as string, 'settings.json'),
      settingsText([{ name: 'staging', url: 'ssh://deploy@staging.example' }], '\t'),
      T_S,
    );
    const env = { PATH: process.env['PATH'] ?? '', HOME: context.homedir };
    const list = () =>
      promisify(execFile)(process.execPath, [CLI, 'hosts', 'list'], { env, timeout: 30_000 });
    const first = await list();
    assert.match(first.stderr, new RegExp(`now keeps its settings, saved hosts and alert log in ${at.dir}`));
    assert.match(first.stdout, /staging/);
    assert.ok(readFileSync(at.settings).equals(old));
    const second = await list();
    assert.equal(second.stderr, '', 'nothing to move the second time');
    assert.match(second.stdout, /staging/);
  });
});
