import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { HistoryResponse, Snapshot } from '../../src/api.ts';
import { parseJson } from '../../src/export/json.ts';
import { HISTORY_BATCH_MS } from '../../src/service/disk-history.ts';
import { DEFAULT_SETTINGS } from '../../src/settings/schema.ts';
import { linePixelsAt, plotOf, type PlotView } from '../helpers/chart-pixels.ts';
import { runCli } from '../helpers/cli.ts';
import { buildRenderer, launchChromium, startServeIn, type ServeProcess } from '../helpers/serve-process.ts';
import { removeAll, startStack } from '../stack/stack.ts';

/*
 * History outlives a kill -9. `serve` samples the stand-in stack every second for RUN_MS (three
 * whole history batches and part of a fourth), is killed with SIGKILL, stays down for DOWN_MS and
 * is started again on the same data folder. Then `export --since 10m` holds every sample from
 * before the kill up to the last batch written, nothing while it was down, and the new ones; and
 * the 5 min chart Chromium draws has the old line, a hole, and the new line.
 *
 * The issue asks for a 2 min run; with batches every HISTORY_BATCH_MS (10 s) a 35 s run already
 * has the kill land after several batches and in the middle of one, which is what the 2 min were for.
 */

const TAG = 'history-restart';
const PROJECT = 'dm-hrestart';
const API = `${PROJECT}-api-1`;
const RUN_MS = 35_000;
const DOWN_MS = 25_000;
const dir = mkdtempSync(join(tmpdir(), 'dm-history-restart-'));

const invoke = async <T>(serve: ServeProcess, channel: string, request: unknown): Promise<T> => {
  const res = await fetch(`${new URL(serve.url).origin}/api/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  return (await res.json()) as T;
};

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  for (const deadline = Date.now() + ms; ;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const apiSample = async (serve: ServeProcess) =>
  (await invoke<Snapshot>(serve, 'monitor:snapshot', null)).samples.find((s) => s.name === API);

describe('history on disk across a kill -9 of serve', { timeout: 300_000 }, () => {
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  let key = '';
  let killedAt = 0;
  let restartedAt = 0;
  /** What the first serve answered for the api container just before the kill: ts → memory. */
  const before_kill = new Map<number, number | null>();

  before(async () => {
    await removeAll(TAG);
    buildRenderer();
    const settings = { ...DEFAULT_SETTINGS, intervals: { fastMs: 1000, trayMs: 1000 } };
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings));
    await startStack({
      layout: 'current',
      project: PROJECT,
      tag: TAG,
      workloads: { api: { kind: 'steady', mib: 24 } },
      memLimits: { api: '128m' },
    });
    serve = await startServeIn(dir);
    const first = serve;
    key = (await waitFor('the api container', () => apiSample(first))).key;
    await new Promise((r) => setTimeout(r, RUN_MS));
    const held = await invoke<HistoryResponse>(first, 'monitor:history', {
      key,
      metric: 'memUsageBytes',
      window: '5m',
    });
    for (const p of held.points) before_kill.set(p.ts, 'value' in p ? p.value : null);
    killedAt = Date.now();
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('close', r));
    await new Promise((r) => setTimeout(r, DOWN_MS));
    restartedAt = Date.now();
    serve = await startServeIn(dir);
    const second = serve;
    await waitFor('samples after the restart', async () => {
      const sample = await apiSample(second);
      return sample !== undefined && sample.ts > restartedAt + 3000 ? sample : undefined;
    });
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    await removeAll(TAG);
    rmSync(dir, { recursive: true, force: true });
  });

  it('export --since 10m holds the samples from before the kill up to the last batch, then a gap', async () => {
    const run = await runCli([
      'export',
      '--since',
      '10m',
      '--format',
      'json',
      '--container',
      API,
      '--url',
      serve?.url ?? '',
      '--output',
      join(dir, 'export.json'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    const [api] = parseJson(readFileSync(join(dir, 'export.json'), 'utf8')).containers;
    assert.ok(api !== undefined);
    assert.equal(api.resolution, 'raw');
    const old = api.points.filter((p) => p.ts < killedAt);
    const fresh = api.points.filter((p) => p.ts >= restartedAt);
    assert.equal(old.length + fresh.length, api.points.length, 'nothing while serve was down');
    assert.ok(old.length >= 20, `${old.length} samples from before the kill`);
    assert.ok(fresh.length >= 3, `${fresh.length} samples after the restart`);
    const lastKept = old.at(-1)?.ts ?? 0;
    assert.ok(
      killedAt - lastKept <= HISTORY_BATCH_MS + 5000,
      `the last ${killedAt - lastKept} ms before the kill are lost: at most one batch`,
    );
    const expected = [...before_kill].filter(([ts]) => ts <= lastKept);
    assert.deepEqual(
      old.map((p) => [p.ts, p.memUsageBytes]),
      expected,
      'every sample up to the last batch, as the first serve held it',
    );
  });

  it('the 5 min chart in Chromium shows the samples from before the kill, a hole, and the new ones', async () => {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${serve?.url ?? ''}#/c/${encodeURIComponent(key)}`);
    await page.waitForSelector(`[data-detail-key="${key}"]`, { timeout: 30_000 });
    await page.click('.windows button[data-window="5m"]');
    const plot = await waitFor<PlotView>('the memory chart with the old samples', async () => {
      const view = await plotOf(page, 'memory');
      return view !== null && view.points.some((p) => p.x < killedAt && p.y !== null) ? view : undefined;
    });
    await page.waitForTimeout(300);
    const drawn = (await plotOf(page, 'memory')) ?? plot;
    assert.ok(
      drawn.points.some((p) => p.y === null && p.x > killedAt - HISTORY_BATCH_MS - 5000 && p.x < restartedAt),
      'a break between the last sample kept and the first after the restart',
    );
    const oldTs = [...before_kill.keys()].sort((a, b) => a - b);
    const early = oldTs[Math.floor(oldTs.length / 3)] ?? 0;
    assert.ok((await linePixelsAt(page, 'memory', drawn, early)) > 0, 'the line before the kill is drawn');
    const middle = killedAt + DOWN_MS / 2;
    assert.equal(await linePixelsAt(page, 'memory', drawn, middle), 0, 'no line while serve was down');
  });
});
