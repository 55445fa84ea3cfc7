/**
 * The desktop's channel secrets (main/channel-secrets.ts) on the stand-in safeStorage, which
 * behaves as Electron's on Linux, and the CLI as shipped on the same data folder: neither loses
 * nor spoils a channel the other added. The desktop side is the monitor service main/index.ts
 * composes, answering `channels:*` as the Settings page asks.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { openDesktopSecrets, type DesktopSecrets } from '../../main/channel-secrets.ts';
import type { ChannelAddRequest } from '../../src/api.ts';
import { verdictOf } from '../../src/alerts/verdict.ts';
import { startDelivery } from '../../src/delivery/delivery.ts';
import { ownerOnlyFileStore } from '../../src/delivery/secret-store.ts';
import { DEFAULT_CHANNELS, DEFAULT_SETTINGS } from '../../src/settings/schema.ts';
import { memorySettingsStore } from '../../src/settings/store.ts';
import { createMonitorService } from '../../src/service/create-monitor.ts';
import type { MonitorService } from '../../src/service/monitor.ts';
import { openSettingsFile } from '../../src/settings/store.ts';
import { systemClock } from '../../src/util/clock.ts';
import { CLI } from '../helpers/cli.ts';
import { alertOf, channelOf, feedOf, manualClock, until } from '../unit/delivery/fixtures.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { app } from './electron/app.ts';
import { safeStorage } from './electron/safe-storage.ts';
import { world } from './electron/world.ts';

const exec = promisify(execFile);
const base = mkdtempSync(join(tmpdir(), 'dm-desktop-secrets-'));
let n = 0;

const DESKTOP_TOKEN = 'planted-desktop-hook-token-71c4';
const CLI_TOKEN = 'planted-cli-hook-token-2d9e';

/** A new machine for the stand-in: no scene is needed beyond its paths and switches. */
function boot(switches: Record<string, string>): string {
  const dir = join(base, String(n++));
  mkdirSync(dir, { recursive: true });
  const paths = { home: dir, appData: dir, userData: dir, temp: dir, downloads: dir, logs: dir };
  // No window is opened here, so no Chromium is launched for one.
  world.setScene({
    browser: null as unknown as Browser,
    appPath: dir,
    paths,
    name: 'dify-monitor',
    version: '0',
    switches,
  });
  return dir;
}

function cli(dir: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return exec(process.execPath, [CLI, 'channels', ...args, '--settings', join(dir, 'settings.json')], {
    timeout: 30_000,
  });
}

/** The desktop monitor as main/index.ts composes it, on the settings file the CLI writes. */
function desktopService(dir: string, secrets: DesktopSecrets): MonitorService {
  const opened = openSettingsFile(join(dir, 'settings.json'), Date.now());
  return createMonitorService({
    collectors: [],
    clock: systemClock,
    settings: opened.store,
    channels: { dir, secrets: secrets.store, secretsKept: secrets.kept },
  });
}

const webhook = (name: string, url: string): ChannelAddRequest => ({
  name,
  kind: 'webhook',
  secrets: { url },
  minSeverity: 'warning',
  stacks: [],
  rules: [],
});

describe('the desktop’s channel secrets, beside the CLI’s', { timeout: 120_000 }, () => {
  let receiver: WebhookReceiver;
  let origin: string;
  before(async () => {
    receiver = await startWebhookReceiver({ status: 200, body: 'ok' });
    origin = new URL(receiver.url).origin;
  });
  after(async () => {
    await receiver?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('before ready, safeStorage names no backend and encrypts nothing, as Electron’s', async () => {
    boot({});
    assert.equal(safeStorage.getSelectedStorageBackend(), 'unknown');
    assert.equal(await safeStorage.isAsyncEncryptionAvailable(), false);
    await assert.rejects(safeStorage.encryptStringAsync('x'), /cannot be used before app is ready/);
  });

  it('with a keyring: sealed blobs in the data folder, owner-only, and the secret nowhere in clear', async () => {
    const dir = boot({ 'password-store': 'gnome-libsecret' });
    app.launch();
    assert.equal(safeStorage.getSelectedStorageBackend(), 'gnome_libsecret');
    const secrets = await openDesktopSecrets(safeStorage, 'linux', dir);
    assert.equal(secrets.notice, null);
    assert.match(secrets.kept, /system keychain/);
    const url = `${origin}/desk/${DESKTOP_TOKEN}`;
    assert.equal(await secrets.store.save('desk', { url }), null);
    const sealed = join(dir, 'channel-secrets.sealed.json');
    const text = readFileSync(sealed, 'utf8');
    assert.ok(!text.includes(DESKTOP_TOKEN), 'the token is not in the file in clear');
    assert.equal(Buffer.from(JSON.parse(text).channels.desk, 'base64').subarray(0, 3).toString(), 'v11');
    assert.equal(statSync(sealed).mode & 0o777, 0o600);
    assert.deepEqual(await secrets.store.read('desk'), { url });
    // The CLI's own store cannot open it, and says where it is instead of calling it missing.
    assert.match(String(await ownerOnlyFileStore(dir).read('desk')), /only the desktop app can open/);
  });

  it('an alert reaches a channel whose secret only the keychain opens, as main/index.ts delivers', async () => {
    const dir = boot({ 'password-store': 'gnome-libsecret' });
    app.launch();
    const secrets = await openDesktopSecrets(safeStorage, 'linux', dir);
    await secrets.store.save('desk', { url: `${origin}/alert/${DESKTOP_TOKEN}` });
    const list = [channelOf({ name: 'desk' })];
    const settings = memorySettingsStore({
      ...DEFAULT_SETTINGS,
      channels: { ...DEFAULT_CHANNELS, list, groupWaitMs: 0 },
    });
    const delivery = startDelivery({
      dir,
      settings,
      clock: manualClock(),
      warn: () => undefined,
      secrets: secrets.store,
    });
    const feed = feedOf();
    delivery.follow(feed);
    try {
      const alert = alertOf({ stack: 'dify', key: 'prod/dify/worker/1', name: 'dify-worker-1' });
      feed.push(alert);
      const active = { ...alert, key: 'prod/dify/worker/1', etaSeconds: null };
      feed.judge(verdictOf([active], [], Date.now()));
      await until('the receiver got the alert', () => receiver.paths.includes(`/alert/${DESKTOP_TOKEN}`));
      assert.ok(
        !readFileSync(join(dir, 'outbox.json'), 'utf8').includes(DESKTOP_TOKEN),
        'no secret in the outbox',
      );
    } finally {
      await delivery.stop();
    }
  });

  it('without a keyring (basic_text): the owner-only file the CLI reads, and the user is told', async () => {
    const dir = boot({});
    app.launch();
    assert.equal(safeStorage.getSelectedStorageBackend(), 'basic_text');
    assert.equal(safeStorage.isEncryptionAvailable(), false, 'the sync API refuses the built-in password');
    const secrets = await openDesktopSecrets(safeStorage, 'linux', dir);
    assert.match(secrets.notice ?? '', /no keyring .* password built into it/);
    const service = desktopService(dir, secrets);
    try {
      const added = await service.handle('channels:add', webhook('desk', `${origin}/plain/${DESKTOP_TOKEN}`));
      assert.deepEqual(added, { ok: true });
      assert.equal(statSync(join(dir, 'channel-secrets.json')).mode & 0o777, 0o600);
      const tested = await cli(dir, 'test', 'desk');
      assert.match(tested.stdout, /HTTP 200/, 'the CLI sends to a channel the desktop added');
      const listed = await service.handle('channels:list', null);
      assert.match(listed.secretsKept, /readable by this user only/);
    } finally {
      await service.stop();
    }
  });

  it('one data folder: the desktop (keyring) and the CLI each keep the other’s channels working', async () => {
    const dir = boot({ 'password-store': 'gnome-libsecret' });
    app.launch();
    const secrets = await openDesktopSecrets(safeStorage, 'linux', dir);
    const service = desktopService(dir, secrets);
    try {
      const changed = new Promise((resolve) => service.on('settings:changed', resolve));
      await cli(dir, 'add', 'from-cli', '--kind', 'webhook', '--url', `${origin}/cli/${CLI_TOKEN}`);
      await changed;
      const cliTest = await service.handle('channels:test', { name: 'from-cli' });
      assert.equal(cliTest.outcome, 'delivered', 'the desktop reads the CLI’s owner-only file');
      assert.ok(receiver.paths.includes(`/cli/${CLI_TOKEN}`));

      assert.deepEqual(
        await service.handle('channels:add', webhook('from-desk', `${origin}/desk/${DESKTOP_TOKEN}`)),
        { ok: true },
      );
      const listed = await cli(dir, 'list');
      assert.match(listed.stdout, /from-cli/);
      assert.match(listed.stdout, /from-desk/, 'the CLI lists what the desktop added');
      const cliFile = readFileSync(join(dir, 'channel-secrets.json'), 'utf8');
      assert.ok(cliFile.includes(CLI_TOKEN), 'the desktop left the CLI’s secret where it was');
      assert.ok(!cliFile.includes(DESKTOP_TOKEN), 'and put its own in the sealed file only');

      // The CLI replaces the desktop's channel: its newer secret wins on the desktop too.
      await cli(dir, 'add', 'from-desk', '--kind', 'webhook', '--url', `${origin}/replaced`, '--replace');
      const replaced = await service.handle('channels:test', { name: 'from-desk' });
      assert.equal(replaced.outcome, 'delivered');
      assert.ok(receiver.paths.includes('/replaced'), 'the secret the CLI saved last is used');

      // The desktop removes the CLI's channel: gone from the settings and from the CLI's file.
      assert.deepEqual(await service.handle('channels:remove', { name: 'from-cli' }), { ok: true });
      assert.ok(!readFileSync(join(dir, 'channel-secrets.json'), 'utf8').includes(CLI_TOKEN));
      assert.doesNotMatch((await cli(dir, 'list')).stdout, /from-cli/);

      // A channel the desktop sealed: the CLI says who holds it, and its removal takes the blob too.
      await service.handle('channels:add', webhook('sealed', `${origin}/sealed/${DESKTOP_TOKEN}`));
      const refused = await cli(dir, 'test', 'sealed').then(
        () => assert.fail('the CLI cannot send with a secret it cannot open'),
        (error: { stderr: string }) => error.stderr,
      );
      assert.match(refused, /the desktop app saved the secrets of "sealed" .* only the desktop app can open/);
      await cli(dir, 'remove', 'sealed');
      assert.ok(!readFileSync(join(dir, 'channel-secrets.sealed.json'), 'utf8').includes('"sealed"'));
    } finally {
      await service.stop();
    }
  });
});
