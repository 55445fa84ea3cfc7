/**
 * Channels in Settings, in Chromium against `serve` as shipped (with a token, as off loopback)
 * and a real HTTP receiver: add a webhook, test it and read the receiver's answer on the page,
 * see the message arrive, see only the masked URL anywhere in the page, remove it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildRenderer, launchChromium, startServe, type ServeProcess } from '../helpers/serve-process.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const dir = mkdtempSync(join(tmpdir(), 'dm-e2e-channels-'));
const settingsPath = join(dir, 'settings.json');
const TOKEN = 'planted-browser-hook-token-5e7a';
const SIGNING = 'planted-browser-signing-secret-c41b';
const SERVE_TOKEN = 'browser-test-serve-token-0123456789abcdef';
const ANSWER = 'accepted by the test receiver, id r-8842';

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Everything the page holds: its markup, and every field's value (which the markup does not show). */
function pageText(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      document.documentElement.outerHTML +
      [...document.querySelectorAll('input, select, textarea')]
        .map((el) => (el as HTMLInputElement).value)
        .join('\n'),
  );
}

describe('channels in Settings, in Chromium against serve and a real receiver', { timeout: 180_000 }, () => {
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  let receiver: WebhookReceiver;
  let page: Page;
  let base: string;
  let hookUrl: string;
  const consoleErrors: string[] = [];

  before(async () => {
    receiver = await startWebhookReceiver({ status: 200, body: ANSWER });
    hookUrl = `${new URL(receiver.url).origin}/hooks/${TOKEN}`;
    buildRenderer();
    const tokenFile = join(dir, 'serve.token');
    writeFileSync(tokenFile, `${SERVE_TOKEN}\n`, { mode: 0o600 });
    serve = await startServe([
      '--settings',
      settingsPath,
      '--alert-log',
      join(dir, 'alerts.json'),
      '--token-file',
      tokenFile,
    ]);
    base = new URL(serve.url).origin;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    // The token in the address, which the server trades for a cookie.
    await page.goto(`${base}/?token=${SERVE_TOKEN}`);
    await page.goto(`${base}/#/settings`);
    await page.waitForSelector('section.channels p.empty');
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says where the secrets are kept, and asks a webhook only for its URL and signing secret', async () => {
    assert.match((await page.textContent('section.channels .channel-kept')) ?? '', /channel-secrets\.json/);
    assert.equal(await page.isVisible('#channel-url'), true);
    assert.equal(await page.isVisible('#channel-secret'), true);
    assert.equal(await page.isVisible('#channel-smtpHost'), false);
    await page.selectOption('#channel-kind', 'email');
    assert.equal(await page.isVisible('#channel-smtpHost'), true);
    assert.equal(await page.isVisible('#channel-url'), false);
    await page.selectOption('#channel-kind', 'webhook');
  });

  it('adds a webhook; the list shows only the masked URL and the fields are emptied', async () => {
    await page.fill('#channel-name', 'ops');
    await page.fill('#channel-url', hookUrl);
    await page.fill('#channel-secret', SIGNING);
    await page.click('.channel-form button[type="submit"]');
    await page.waitForSelector('tr.channel[data-channel="ops"]');
    const masked = `${new URL(receiver.url).origin}/…${TOKEN.slice(-4)}`;
    assert.equal(await page.textContent('tr.channel[data-channel="ops"] .channel-target'), masked);
    assert.match((await page.textContent('tr.channel[data-channel="ops"]')) ?? '', /webhook.*warning\+/);
    assert.match((await page.textContent('.channels-status')) ?? '', /Saved "ops"/);
    const text = await pageText(page);
    assert.ok(!text.includes(TOKEN), 'the URL’s token is nowhere in the page');
    assert.ok(!text.includes(SIGNING), 'nor the signing secret');
    const settings = readFileSync(settingsPath, 'utf8');
    assert.ok(
      settings.includes(masked) && !settings.includes(TOKEN),
      'the settings hold the masked URL only',
    );
    assert.ok(readFileSync(join(dir, 'channel-secrets.json'), 'utf8').includes(TOKEN));
  });

  it('tests it: the receiver gets the message, the page shows its exact answer', async () => {
    await page.click('tr.channel[data-channel="ops"] button.test-channel');
    await page.waitForSelector('tr.channel[data-channel="ops"] .channel-test-result[data-ok]');
    assert.equal(
      await page.getAttribute('tr.channel[data-channel="ops"] .channel-test-result', 'data-ok'),
      'true',
    );
    assert.match(
      (await page.textContent('tr.channel[data-channel="ops"] .channel-test-result')) ?? '',
      /^Delivered/,
    );
    assert.equal(
      await page.textContent('tr.channel[data-channel="ops"] .channel-answer'),
      `HTTP 200 OK\n${ANSWER}`,
    );
    assert.equal(receiver.accepted.length, 1, 'one message arrived');
    assert.equal(receiver.accepted[0]?.['status'], 'test');
    assert.equal(receiver.paths[0], `/hooks/${TOKEN}`, 'at the URL typed, token and all');
    assert.deepEqual(receiver.invalid, [], 'in the documented schema');
    const text = await pageText(page);
    assert.ok(!text.includes(TOKEN) && !text.includes(SIGNING), 'no secret came back with the answer');
  });

  it('refuses every channel call without the token, as the other settings calls', async () => {
    const add = {
      name: 'sneaky',
      kind: 'webhook',
      secrets: { url: hookUrl },
      minSeverity: 'warning',
      stacks: [],
      rules: [],
    };
    assert.equal(await post(`${base}/api/channels:add`, add), 401);
    assert.equal(await post(`${base}/api/channels:remove`, { name: 'ops' }), 401);
    assert.equal(await post(`${base}/api/channels:test`, { name: 'ops' }), 401);
    assert.equal(await post(`${base}/api/channels:list`, null), 401);
    assert.equal(await post(`${base}/api/settings:set`, { channels: { list: [] } }), 401);
    assert.equal(receiver.accepted.length, 1, 'nothing was sent for them');
  });

  it('a page cannot change the channel list through settings:set', async () => {
    const answer = await page.evaluate(
      async ([url]) => {
        const res = await fetch(url ?? '', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ channels: { list: [] } }),
        });
        return res.json();
      },
      [`${base}/api/settings:set`],
    );
    assert.equal((answer as { ok: boolean }).ok, false);
    assert.ok(readFileSync(settingsPath, 'utf8').includes('"ops"'), 'the channel is still saved');
  });

  it('removes it with two clicks, secrets and all', async () => {
    await page.click('tr.channel[data-channel="ops"] button.remove-channel');
    assert.match(
      (await page.textContent('tr.channel[data-channel="ops"] button.remove-channel')) ?? '',
      /Remove ops\?/,
    );
    await page.click('tr.channel[data-channel="ops"] button.remove-channel');
    await page.waitForSelector('section.channels p.empty');
    assert.ok(!readFileSync(settingsPath, 'utf8').includes('"ops"'));
    assert.ok(!readFileSync(join(dir, 'channel-secrets.json'), 'utf8').includes(TOKEN));
    assert.deepEqual(consoleErrors, []);
  });
});
