import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { startExtraDockerd, type ExtraDockerd } from '../helpers/dockerd.ts';
import { freePort } from '../helpers/free-port.ts';
import { buildRenderer, launchChromium, startServe, type ServeProcess } from '../helpers/serve-process.ts';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'dm-e2e-hosts-'));
const settingsPath = join(dir, 'settings.json');

function savedHosts(): unknown {
  return (JSON.parse(readFileSync(settingsPath, 'utf8')) as { hosts: unknown }).hosts;
}

describe('engines in Settings, in Chromium against serve and a second dockerd', { timeout: 240_000 }, () => {
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  let dockerd: ExtraDockerd;
  let port: number;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    port = await freePort();
    dockerd = await startExtraDockerd('e2e-hosts', port);
    buildRenderer();
    serve = await startServe(['--settings', settingsPath, '--alert-log', join(dir, 'alerts.json')]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(`${serve.url}#/settings`);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    await dockerd?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a socket path as you type, and names the CLI for it', async () => {
    await page.fill('#host-url', 'unix:///var/run/docker.sock');
    assert.match(
      (await page.textContent('#host-url-error')) ?? '',
      /unix:\/\/ sockets are local files; add it with `dify-monitor hosts add`/,
    );
    assert.match(
      (await page.textContent('section.hosts')) ?? '',
      /TLS certificates, SSH key files and sockets/,
    );
  });

  it('tests a new tcp:// engine: the version it runs, with the plain-TCP warning', async () => {
    const version = (
      await exec('docker', ['-H', dockerd.url, 'version', '--format', '{{.Server.Version}}'])
    ).stdout.trim();
    await page.fill('#host-name', 'lab');
    await page.fill('#host-url', `tcp://127.0.0.1:${port}`);
    assert.equal(await page.isVisible('.host-form .host-warning'), true);
    assert.match(
      (await page.textContent('.host-form .host-warning')) ?? '',
      /unauthenticated and unencrypted/,
    );
    await page.click('button.test-new');
    await page.waitForSelector('.host-form .test-result[data-ok]');
    const said = (await page.textContent('.host-form .test-result')) ?? '';
    assert.ok(said.startsWith(`Docker ${version} (API `), said);
    assert.match(said, / on .+, \d+ CPUs, [\d.]+ [KMGT]iB memory$/);
    assert.equal(await page.getAttribute('.host-form .test-result', 'data-ok'), 'true');
  });

  it('tells the exact error for an engine that is not there', async () => {
    await page.fill('#host-url', `tcp://127.0.0.1:${await freePort()}`);
    await page.click('button.test-new');
    await page.waitForSelector('.host-form .test-result[data-ok="false"]');
    assert.match(
      (await page.textContent('.host-form .test-result')) ?? '',
      /^down: .*(refused|ECONNREFUSED)/i,
    );
    await page.fill('#host-url', `tcp://127.0.0.1:${port}`);
  });

  it('saves it, and the monitor starts watching it at once: the row shows it up', async () => {
    await page.click('.host-form button[type="submit"]');
    await page.waitForSelector('tr.host[data-host="lab"][data-state="up"]', { timeout: 30_000 });
    assert.deepEqual(savedHosts(), [{ name: 'lab', url: `tcp://127.0.0.1:${port}` }]);
    assert.match((await page.textContent('tr.host[data-host="lab"]')) ?? '', /plain TCP.*unauthenticated/);
    await page.goto(`${serve?.url}#/`);
    await page.goto(`${serve?.url}#/settings`);
    await page.waitForSelector('tr.host[data-host="lab"][data-state="up"]');
  });

  it('tests the saved engine by name', async () => {
    await page.click('tr.host[data-host="lab"] button.test-saved');
    await page.waitForSelector('tr.host[data-host="lab"] .test-result[data-ok="true"]');
    assert.match((await page.textContent('tr.host[data-host="lab"] .test-result')) ?? '', /^Docker /);
  });

  it('renames it, and shows a field error for a bad address without losing it', async () => {
    await page.click('tr.host[data-host="lab"] button.edit-host');
    await page.fill('#host-url', 'ssh://root@host;reboot');
    await page.click('.host-form button[type="submit"]');
    await page.waitForSelector('#host-url-error:has-text("characters")');
    assert.deepEqual(savedHosts(), [{ name: 'lab', url: `tcp://127.0.0.1:${port}` }]);
    await page.fill('#host-name', 'lab-renamed');
    await page.fill('#host-url', `tcp://127.0.0.1:${port}`);
    await page.click('.host-form button[type="submit"]');
    await page.waitForSelector('tr.host[data-host="lab-renamed"][data-state="up"]', { timeout: 30_000 });
    assert.equal(await page.locator('tr.host[data-host="lab"]').count(), 0);
    assert.deepEqual(savedHosts(), [{ name: 'lab-renamed', url: `tcp://127.0.0.1:${port}` }]);
  });

  it('removes it with two clicks', async () => {
    const remove = page.locator('tr.host[data-host="lab-renamed"] button.remove-host');
    await remove.click();
    assert.equal(
      await page.locator('tr.host[data-host="lab-renamed"]').count(),
      1,
      'one click removes nothing',
    );
    await remove.click();
    await page.waitForSelector('tr.host[data-host="lab-renamed"]', { state: 'detached' });
    assert.deepEqual(savedHosts(), []);
    const snapshot = (await page.evaluate(async () => {
      const res = await fetch('/api/monitor:snapshot', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
      });
      return res.json();
    })) as { hosts: { host: string }[] };
    assert.deepEqual(
      snapshot.hosts.map((h) => h.host).filter((h) => h !== 'local'),
      [],
    );
  });

  it('ran without a script error or a CSP violation', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
