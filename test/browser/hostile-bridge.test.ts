import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { buildRenderer, launchChromium, startServeIn, type ServeProcess } from '../helpers/serve-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'dm-e2e-hostile-'));
const XSS = '<img src=x onerror="window.__owned=1">';

function sse(events: readonly [string, string][]): string {
  return events.map(([channel, data]) => `event: ${channel}\ndata: ${data}\n\n`).join('');
}

/** A round as the bridge sends it, with one sample whose fields the test spoils. */
const sample = (fields: Record<string, unknown>): string =>
  JSON.stringify({
    host: 'local',
    ts: Date.now(),
    samples: [
      {
        type: 'sample',
        ts: Date.now(),
        host: 'local',
        stack: 'docker',
        role: 'api',
        service: 'api',
        name: 'docker-api-1',
        id: 'f'.repeat(64),
        image: 'langgenius/dify-api:1.10.1',
        state: 'running',
        health: 'none',
        cpuPercent: 1,
        cpuOfLimitPercent: 0.5,
        memUsageBytes: 1024,
        memLimitBytes: 2048,
        memLimitSource: 'container',
        memPercent: 50,
        netRxBytes: null,
        netTxBytes: null,
        blockReadBytes: null,
        blockWriteBytes: null,
        pids: 1,
        restartCount: 0,
        oomKilled: false,
        exitCode: null,
        key: 'local/docker/api/1',
        ...fields,
      },
    ],
    fresh: 1,
    running: 1,
    durationMs: 1,
  });

describe('a hostile or broken bridge cannot break the page', { timeout: 120_000 }, () => {
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;

  before(async () => {
    buildRenderer();
    serve = await startServeIn(dir);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ignores oversized, malformed and mistyped events, renders names as text, and keeps working', async () => {
    assert.ok(browser && serve);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.route('**/api/events', (route) =>
      route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        body: sse([
          ['monitor:round', 'x'.repeat(5 * 1024 * 1024)],
          ['monitor:round', '{"host": "local", "samples": '],
          ['monitor:round', 'null'],
          ['monitor:round', '{"host": 42, "samples": "many"}'],
          ['monitor:round', sample({ memUsageBytes: 'lots', cpuPercent: { valueOf: 1 }, state: 'on fire' })],
          ['monitor:host', '[1,2,3]'],
          ['monitor:alert', '{"type":"alert","message":{"toString":1},"severity":"apocalyptic"}'],
          ['settings:changed', '{"version": 99}'],
          ['monitor:round', sample({ name: XSS, key: 'local/docker/api/2' })],
          ['monitor:round', sample({ name: 'docker-api-1' })],
        ]),
      }),
    );
    await page.goto(serve.url);
    await page.waitForSelector('tr.row[data-name="docker-api-1"]', { timeout: 20_000 });
    assert.deepEqual(errors, [], 'no uncaught error in the page');
    assert.equal(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned), undefined);
    assert.equal(await page.$$eval('img[src="x"]', (imgs) => imgs.length), 0, 'a name is text, never markup');
    const memory = await page.$eval(
      'tr.row[data-name="docker-api-1"]',
      (tr) => (tr as HTMLElement).dataset['memBytes'],
    );
    assert.equal(memory, '1024', 'the valid event after the garbage was shown');
    await page.close();
  });

  it('says so when the bridge answers garbage to the first snapshot', async () => {
    assert.ok(browser && serve);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.route('**/api/monitor:snapshot', (route) =>
      route.fulfill({ status: 200, body: '{"hosts": "no"' }),
    );
    await page.goto(serve.url);
    await page.waitForFunction(
      () =>
        document.body.innerText.includes(
          'monitor:snapshot: the server answered 200 with something that is not JSON',
        ),
      null,
      {
        timeout: 15_000,
      },
    );
    assert.deepEqual(errors, []);
    await page.close();
  });
});
