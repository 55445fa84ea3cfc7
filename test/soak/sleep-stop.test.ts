import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_SETTINGS } from '../../src/settings/schema.ts';
import { saveSettingsFile } from '../../src/settings/store.ts';
import { linePixelsAt, plotOf, type PlotView } from '../helpers/chart-pixels.ts';
import { buildRenderer, launchChromium, startServeIn, type ServeProcess } from '../helpers/serve-process.ts';
import { ensureNotifySession, monitorNotifications, type NotifyMonitor } from '../helpers/dbus.ts';
import { removeAll, startStack } from '../stack/stack.ts';
import { commandFor } from '../stack/workloads.ts';

/*
 * A laptop's sleep, for real: `serve --notify` is stopped with SIGSTOP for two minutes while the
 * engine goes on, and the worker's memory steps up meanwhile. Once it runs again: the page keeps
 * its connection and shows a hole, not a line across the sleep; the step is not taken for a leak;
 * the api, above its warning level the whole time, is not notified again; nothing queued during
 * the sleep comes out as a burst of notifications.
 */

const exec = promisify(execFile);
const TAG = 'sleep-stop';
const PROJECT = 'dm-sleep';
const MIB = 1024 * 1024;
const SLEEP_MS = Number(process.env['DM_SLEEP_SECONDS'] ?? 120) * 1000;
const AFTER_WAKE_MS = 60_000;
const SHOT = fileURLToPath(new URL('../../docs/screenshots/sleep-gap-light.png', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dm-sleep-'));

function notifiedAbout(monitor: NotifyMonitor, name: string, from = 0): number {
  return monitor
    .calls()
    .slice(from)
    .filter((c) => `${c.summary} ${c.body}`.includes(name)).length;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The last drawn point before the sleep and the first after it, and whether a break lies between. */
function around(plot: PlotView, stoppedAt: number, wokeAt: number) {
  const before = plot.points.filter((p) => p.y !== null && p.x <= stoppedAt).at(-1);
  const afterWake = plot.points.find((p) => p.y !== null && p.x >= wokeAt);
  const broken = plot.points.some(
    (p) =>
      p.y === null && before !== undefined && afterWake !== undefined && p.x > before.x && p.x < afterWake.x,
  );
  return { before, afterWake, broken };
}

describe('a real sleep: serve stopped for two minutes, then woken', { timeout: SLEEP_MS + 300_000 }, () => {
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  let monitor: NotifyMonitor | undefined;
  let page: Page;
  let stoppedAt = 0;
  let wokeAt = 0;
  let notifiedBeforeSleep = 0;
  let firstSampleAfterWakeMs = 0;
  const worker = `${PROJECT}-worker-1`;
  const api = `${PROJECT}-api-1`;
  const errors: string[] = [];

  before(async () => {
    await removeAll(TAG);
    await ensureNotifySession();
    monitor = await monitorNotifications();
    saveSettingsFile(join(dir, 'settings.json'), DEFAULT_SETTINGS);
    await startStack({
      layout: 'current',
      project: PROJECT,
      tag: TAG,
      // About 87 % of its limit: above the 85 % warning, below the 90 % critical level.
      workloads: { api: { kind: 'steady', mib: 222 }, worker: { kind: 'steady', mib: 24 } },
      memLimits: { api: '256m', worker: '256m' },
    });
    buildRenderer();
    serve = await startServeIn(dir, ['--notify']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(serve.url);
    const key = await waitFor(
      `${worker} in the overview`,
      async () =>
        (await page.getAttribute(`tr.row[data-name="${worker}"]`, 'data-key').catch(() => null)) ?? undefined,
      30_000,
    );
    await page.goto(`${serve.url}#/c/${encodeURIComponent(key)}`);
  });

  after(async () => {
    if (serve !== undefined && wokeAt === 0 && stoppedAt !== 0) serve.child.kill('SIGCONT');
    monitor?.stop();
    await browser?.close();
    await serve?.stop();
    await removeAll(TAG);
    rmSync(dir, { recursive: true, force: true });
  });

  it('before the sleep: the api is notified once, the worker drawn', async () => {
    assert.ok(monitor !== undefined);
    const notify = monitor;
    await waitFor(
      'the api warning notification',
      async () => (notifiedAbout(notify, api) > 0 ? true : undefined),
      60_000,
    );
    await waitFor(
      '20 worker points',
      async () => ((await plotOf(page, 'memory'))?.points.length ?? 0) >= 20 || undefined,
      60_000,
    );
    assert.equal(notifiedAbout(notify, worker), 0, 'the worker is nowhere near a level');
    notifiedBeforeSleep = notify.calls().length;
  });

  it(`sleeps ${SLEEP_MS / 1000} s while the worker's memory steps up, and comes back on its own`, async () => {
    assert.ok(serve?.child.pid !== undefined);
    stoppedAt = Date.now();
    process.kill(serve.child.pid, 'SIGSTOP');
    await exec('docker', ['exec', '--detach', worker, ...commandFor({ kind: 'steady', mib: 100 })]);
    await new Promise((resolve) => setTimeout(resolve, SLEEP_MS));
    wokeAt = Date.now();
    process.kill(serve.child.pid, 'SIGCONT');
    const first = await waitFor(
      'a worker point after the wake',
      async () => {
        const plot = await plotOf(page, 'memory');
        return plot === null ? undefined : around(plot, stoppedAt, wokeAt).afterWake;
      },
      30_000,
    );
    firstSampleAfterWakeMs = Date.now() - wokeAt;
    process.stdout.write(`# first worker point in the page ${firstSampleAfterWakeMs} ms after SIGCONT\n`);
    assert.ok(first.y !== null && first.y >= 100 * MIB, `the step is seen: ${first.y}`);
    await new Promise((resolve) => setTimeout(resolve, AFTER_WAKE_MS));
    assert.equal(serve.child.exitCode, null, 'serve still runs');
  });

  it('shows a hole across the sleep in the live chart and in the history after a reload', async () => {
    for (const source of ['live', 'history'] as const) {
      if (source === 'history') {
        await page.reload();
        await waitFor(
          'the history drawn',
          async () => {
            const plot = await plotOf(page, 'memory');
            return plot !== null && around(plot, stoppedAt, wokeAt).afterWake !== undefined
              ? true
              : undefined;
          },
          30_000,
        );
        await page.waitForTimeout(500);
      }
      const plot = await plotOf(page, 'memory');
      assert.ok(plot !== null);
      const { before, afterWake, broken } = around(plot, stoppedAt, wokeAt);
      assert.ok(before !== undefined && afterWake !== undefined, `${source}: points on both sides`);
      assert.ok(broken, `${source}: a break between ${before.x} and ${afterWake.x}`);
      const hole = afterWake.x - before.x;
      for (const share of [0.2, 0.5, 0.8]) {
        assert.equal(
          await linePixelsAt(page, 'memory', plot, before.x + share * hole),
          0,
          `${source}: a line drawn at ${share} of the sleep`,
        );
      }
      assert.ok((await linePixelsAt(page, 'memory', plot, before.x - 5_000)) > 0, `${source}: line before`);
      assert.ok(
        (await linePixelsAt(page, 'memory', plot, afterWake.x + 20_000)) > 0,
        `${source}: line after`,
      );
    }
    await page.screenshot({ path: SHOT });
  });

  it('raised no trend alert and sent no burst of notifications after the wake', async () => {
    assert.ok(monitor !== undefined && serve !== undefined);
    const afterWake = monitor.calls().slice(notifiedBeforeSleep);
    assert.deepEqual(
      afterWake.map((c) => `${c.summary}: ${c.body}`),
      [],
      'nothing notified after the wake: the api is inside its cooldown, the worker at no level',
    );
    await page.goto(`${serve.url}#/alerts`);
    await page.waitForSelector('li.alert', { timeout: 15_000 });
    assert.equal(await page.locator('li.alert[data-rule="memory-trend"]').count(), 0, 'no trend alert');
    assert.ok((await page.locator('li.alert', { hasText: api }).count()) >= 1, 'the api warning is listed');
    assert.deepEqual(errors, []);
  });
});
