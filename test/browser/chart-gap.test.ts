import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page, Route } from 'playwright-core';
import type { HistoryRequest } from '../../src/api.ts';
import { makeSample } from '../helpers/samples.ts';
import { linePixelsAt, plotOf, type ChartName, type PlotView } from '../helpers/chart-pixels.ts';
import { buildRenderer, launchChromium, startServeIn, type ServeProcess } from '../helpers/serve-process.ts';

/*
 * A laptop that slept leaves a hole in the history. The detail charts must show that hole as a
 * hole in what Chromium draws, in every window, also the 24 h one where a night's sleep shows up
 * among 1,440 points (where Chart.js's decimation, when it was on, drew across it).
 */

const dir = mkdtempSync(join(tmpdir(), 'dm-e2e-gap-'));
const KEY = 'local/docker/api/1';
const MIB = 1024 * 1024;
const NOW = Date.now();

interface Hole {
  readonly from: number;
  readonly to: number;
}

/** What the bridge answers per window: a slowly wandering level, nothing inside the hole. */
const HISTORY = {
  '5m': { stepMs: 250, hole: { from: NOW - 200_000, to: NOW - 140_000 } },
  '1h': { stepMs: 10_000, hole: { from: NOW - 40 * 60_000, to: NOW - 25 * 60_000 } },
  '24h': { stepMs: 60_000, hole: { from: NOW - 14 * 3_600_000, to: NOW - 11 * 3_600_000 } },
} as const satisfies Record<HistoryRequest['window'], { stepMs: number; hole: Hole }>;
const SPAN = { '5m': 5 * 60_000, '1h': 3_600_000, '24h': 24 * 3_600_000 } as const;

function memory(ts: number): number {
  return 300 * MIB + 40 * MIB * Math.sin(ts / 97_000) + 5 * MIB * Math.sin(ts / 3_100);
}

/**
 * An idle container: a fraction of a percent with a spike now and then, and exactly 0 around the
 * hole, as `docker stats` shows a container that did nothing while the lid closed. A real 0 beside
 * the break is what a decimation that reads null as 0 keeps instead of the break.
 */
function cpu(ts: number, hole: Hole, stepMs: number): number {
  const nearHole = ts >= hole.from - 3 * stepMs && ts < hole.to + 3 * stepMs;
  if (nearHole) return 0;
  return Math.floor(ts / stepMs) % 50 === 0 ? 6 : 0.05 + 0.3 * Math.abs(Math.sin(ts / 7_000));
}

function historyAnswer(request: HistoryRequest): unknown {
  const { stepMs, hole } = HISTORY[request.window];
  const points: { ts: number; value: number }[] = [];
  for (let ts = NOW - SPAN[request.window] + stepMs; ts <= NOW; ts += stepMs) {
    if (ts >= hole.from && ts < hole.to) continue;
    points.push({ ts, value: request.metric === 'memUsageBytes' ? memory(ts) : cpu(ts, hole, stepMs) });
  }
  if (request.window === '5m') return { resolution: 'raw', points };
  return {
    resolution: request.window === '1h' ? '10s' : '1m',
    widthMs: stepMs,
    points: points.map((p) => ({ ts: p.ts, min: p.value, avg: p.value, max: p.value, count: 1 })),
  };
}

const round = JSON.stringify({
  host: 'local',
  ts: NOW,
  samples: [
    makeSample({
      ts: NOW,
      id: 'a'.repeat(64),
      cpuPercent: 0.2,
      memUsageBytes: memory(NOW),
      memLimitBytes: 1024 * MIB,
      memLimitSource: 'container',
      memPercent: (memory(NOW) / (1024 * MIB)) * 100,
      key: KEY,
    }),
  ],
  fresh: 1,
  running: 1,
  durationMs: 1,
});

async function answerHistory(route: Route): Promise<void> {
  const request = route.request().postDataJSON() as HistoryRequest;
  await route.fulfill({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(historyAnswer(request)),
  });
}

async function drawn(page: Page, chart: ChartName, window: HistoryRequest['window']): Promise<PlotView> {
  const { stepMs } = HISTORY[window];
  const expected = Math.floor(SPAN[window] / stepMs) - 1;
  for (const deadline = Date.now() + 15_000; ;) {
    const plot = await plotOf(page, chart);
    // Drawn once the history is in and the axis spans the window.
    if (plot !== null && plot.points.length > expected / 2 && plot.xMax - plot.xMin > SPAN[window] / 2) {
      await page.waitForTimeout(200);
      return (await plotOf(page, chart)) ?? plot;
    }
    if (Date.now() > deadline) throw new Error(`the ${window} chart never filled: ${JSON.stringify(plot)}`);
    await page.waitForTimeout(100);
  }
}

describe('a hole in the history is a hole in the chart Chromium draws', { timeout: 120_000 }, () => {
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    buildRenderer();
    serve = await startServeIn(dir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.route('**/api/events', (route) =>
      route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        body: `event: monitor:round\ndata: ${round}\n\n`,
      }),
    );
    await page.route('**/api/monitor:history', answerHistory);
    await page.goto(`${serve.url}#/c/${encodeURIComponent(KEY)}`);
    await page.waitForSelector(`[data-detail-key="${KEY}"]`, { timeout: 20_000 });
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const window of ['5m', '1h', '24h'] as const) {
    it(`${window}: no line across the hole, a line on both sides of it`, async () => {
      await page.click(`.windows button[data-window="${window}"]`);
      const { hole, stepMs } = HISTORY[window];
      const width = hole.to - hole.from;
      for (const chart of ['memory', 'cpu'] as const) {
        const plot = await drawn(page, chart, window);
        const what = `${window} ${chart}`;
        assert.ok(
          plot.points.some((p) => p.y === null && p.x > hole.from - stepMs && p.x < hole.to),
          `${what}: a break inside the hole among ${plot.points.length} points`,
        );
        for (const share of [0.1, 0.3, 0.5, 0.7, 0.9]) {
          const ts = hole.from + share * width;
          assert.equal(
            await linePixelsAt(page, chart, plot, ts),
            0,
            `${what}: line drawn at ${share} of the hole`,
          );
        }
        for (const ts of [hole.from - width / 2, hole.to + width / 2]) {
          assert.ok(
            (await linePixelsAt(page, chart, plot, ts)) > 0,
            `${what}: no line where samples exist (${new Date(ts).toISOString()})`,
          );
        }
      }
    });
  }

  it('drew without a page error', () => {
    assert.deepEqual(errors, []);
  });
});
