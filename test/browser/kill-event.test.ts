import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildRenderer, launchChromium, startServeIn, type ServeProcess } from '../helpers/serve-process.ts';
import { removeAll, startStack, type StandInStack } from '../stack/stack.ts';

const TAG = 'e2e-kill-event';
const PROJECT = 'dm-kill';
const dir = mkdtempSync(join(tmpdir(), 'dm-kill-'));

interface Marker {
  xMin?: number;
  label: { content: string };
}

/** The labels of the markers on the memory chart of the container the page shows. */
function memoryMarkers(page: Page): Promise<Marker[]> {
  return page.evaluate(() =>
    Object.values((window.difyMonitorCharts?.()['memory'] ?? {}) as Record<string, Marker>).filter(
      (a) => a.xMin !== undefined,
    ),
  );
}

describe('a kill event on the page, from the real engine through serve', { timeout: 180_000 }, () => {
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  let stack: StandInStack;
  let page: Page;

  before(async () => {
    await removeAll(TAG);
    buildRenderer();
    serve = await startServeIn(dir);
    stack = await startStack({ layout: 'current', project: PROJECT, tag: TAG });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(serve.url);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    await removeAll(TAG);
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks a signal sent with docker kill on the container chart, and the container keeps running', async () => {
    const api = stack.service('api');
    const row = page.locator(`tr.row[data-name="${api.name}"][data-state="running"]`);
    await row.waitFor({ timeout: 30_000 });
    const key = await row.getAttribute('data-key');
    await page.goto(`${serve?.url}#/c/${encodeURIComponent(key ?? '')}`);
    await page.waitForFunction(() => window.difyMonitorCharts?.()['memory'] !== null, null, {
      timeout: 20_000,
    });
    // sleep, the stand-in's only process, has no handler for HUP: the engine reports the kill and
    // the kernel drops the signal, so the container runs on.
    execFileSync('docker', ['kill', '--signal', 'HUP', api.id]);

    await page.waitForFunction(
      () =>
        Object.values(
          (window.difyMonitorCharts?.()['memory'] ?? {}) as Record<string, { label: { content: string } }>,
        ).some((a) => a.label.content === 'signal'),
      null,
      { timeout: 20_000 },
    );
    const markers = await memoryMarkers(page);
    assert.ok(
      markers.some((m) => m.label.content === 'signal'),
      JSON.stringify(markers),
    );
    assert.ok(!markers.some((m) => m.label.content === 'OOM kill'), JSON.stringify(markers));
    const state = execFileSync('docker', ['inspect', '--format', '{{.State.Status}}', api.id], {
      encoding: 'utf8',
    }).trim();
    assert.equal(state, 'running');
  });
});
