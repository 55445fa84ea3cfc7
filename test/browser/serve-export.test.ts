import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { HISTORY_METRICS, type HistoryMetric, type HistoryResponse, type Snapshot } from '../../src/api.ts';
import { parseCsv } from '../../src/export/csv.ts';
import { containerExport, type ExportContainer, type ExportPoint } from '../../src/export/history.ts';
import { parseJson } from '../../src/export/json.ts';
import type { Sample } from '../../src/model.ts';
import { buildRenderer, launchChromium, startServe, type ServeProcess } from '../helpers/serve-process.ts';
import { runCli } from '../helpers/cli.ts';
import { removeAll, startStack, type StandInStack } from '../stack/stack.ts';

const TAG = 'export-serve';
const PROJECT = 'dm-export';
const dir = mkdtempSync(join(tmpdir(), 'dm-export-'));

describe(
  'exporting history from a running serve: the CLI and the dashboard in Chromium',
  { timeout: 300_000 },
  () => {
    let serve: ServeProcess | undefined;
    let browser: Browser | undefined;
    let stack: StandInStack;
    let base: string;
    let page: Page;

    const invoke = async <T>(channel: string, request: unknown): Promise<T> => {
      const res = await fetch(`${base}/api/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request),
      });
      return (await res.json()) as T;
    };
    const latest = async (name: string): Promise<Sample> =>
      (await invoke<Snapshot>('monitor:snapshot', null)).samples.find((s) => s.name === name) as Sample;

    /** The history the server holds now for one container, as an export of the same window. */
    const historyNow = async (sample: Sample, window: '5m' | '1h'): Promise<ExportContainer> => {
      const answers = await Promise.all(
        HISTORY_METRICS.map((metric) =>
          invoke<HistoryResponse>('monitor:history', { key: sample.key, metric, window }),
        ),
      );
      const responses = Object.fromEntries(HISTORY_METRICS.map((m, i) => [m, answers[i]])) as Record<
        HistoryMetric,
        HistoryResponse
      >;
      return containerExport(sample, responses, -Infinity);
    };

    /**
     * An export taken a moment earlier equals the history over the span both cover: the window has
     * moved on since, so the later read may miss the oldest points and have newer ones.
     */
    const assertMatchesHistory = (exported: ExportContainer, now: ExportContainer): void => {
      const { points, ...meta } = exported;
      const { points: nowPoints, ...nowMeta } = now;
      assert.deepEqual({ ...meta, image: meta.image }, nowMeta);
      assert.ok(points.length >= 5, `${points.length} points exported for ${meta.name}`);
      const first = Math.max(points[0]?.ts ?? 0, nowPoints[0]?.ts ?? 0);
      const last = Math.min(points.at(-1)?.ts ?? 0, nowPoints.at(-1)?.ts ?? 0);
      const inSpan = (p: ExportPoint): boolean => p.ts >= first && p.ts <= last;
      const shared = points.filter(inSpan);
      assert.ok(
        shared.length >= points.length * 0.7,
        `${shared.length} of ${points.length} points still held`,
      );
      assert.deepEqual(shared, nowPoints.filter(inSpan));
    };

    before(async () => {
      await removeAll(TAG);
      buildRenderer();
      serve = await startServe(['--settings', join(dir, 's.json'), '--alert-log', join(dir, 'a.json')]);
      base = new URL(serve.url).origin;
      stack = await startStack({
        layout: 'current',
        project: PROJECT,
        tag: TAG,
        workloads: { api: { kind: 'steady', mib: 16 }, worker: { kind: 'bursty' } },
        memLimits: { api: '128m' },
      });
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      await page.goto(serve.url);
      // The open page makes serve sample every second; give the history a minute of it.
      await page.waitForSelector(`tr.row[data-name="${PROJECT}-api-1"]`, { timeout: 60_000 });
      await page.waitForTimeout(30_000);
    });

    after(async () => {
      await browser?.close();
      await serve?.stop();
      await removeAll(TAG);
      rmSync(dir, { recursive: true, force: true });
    });

    it('export --stack --format csv writes the history of every container of the stack', async () => {
      const file = join(dir, 'stack.csv');
      const run = await runCli([
        'export',
        '--since',
        '2m',
        '--format',
        'csv',
        '--stack',
        PROJECT,
        '--url',
        serve?.url ?? '',
        '--output',
        file,
      ]);
      assert.equal(run.code, 0, run.stderr);
      const containers = parseCsv(readFileSync(file, 'utf8'));
      const running = stack.containers.filter((c) => c.service !== 'init_permissions').map((c) => c.name);
      for (const name of running)
        assert.ok(
          containers.some((c) => c.name === name),
          `${name} is in the export`,
        );
      for (const c of containers) {
        assert.equal(c.stack, PROJECT);
        assertMatchesHistory(c, await historyNow(await latest(c.name), '5m'));
      }
      const api = containers.find((c) => c.name === `${PROJECT}-api-1`) as ExportContainer;
      const span = (api.points.at(-1)?.ts ?? 0) - (api.points[0]?.ts ?? 0);
      assert.ok(span <= 120_000 && span > 20_000, `--since 2m spans ${span} ms`);
    });

    it('export --container prints CSV to stdout, and --format json writes JSON', async () => {
      const name = `${PROJECT}-worker-1`;
      const printed = await runCli([
        'export',
        '--since',
        '1m',
        '--container',
        name,
        '--url',
        serve?.url ?? '',
      ]);
      assert.equal(printed.code, 0, printed.stderr);
      const fromStdout = parseCsv(printed.stdout);
      assert.deepEqual(
        fromStdout.map((c) => c.name),
        [name],
      );
      assertMatchesHistory(fromStdout[0] as ExportContainer, await historyNow(await latest(name), '5m'));

      const file = join(dir, 'worker.json');
      const run = await runCli([
        'export',
        '--since',
        '5m',
        '--format',
        'json',
        '--container',
        name,
        '--url',
        serve?.url ?? '',
        '--output',
        file,
      ]);
      assert.equal(run.code, 0, run.stderr);
      const value = parseJson(readFileSync(file, 'utf8'));
      assert.deepEqual(
        value.containers.map((c) => c.name),
        [name],
      );
      assertMatchesHistory(
        value.containers[0] as ExportContainer,
        await historyNow(await latest(name), '5m'),
      );
    });

    it('export says what is wrong instead of failing obscurely', async () => {
      const missing = await runCli(['export', '--container', 'no-such-container', '--url', serve?.url ?? '']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no container "no-such-container"/);
      const tooLong = await runCli(['export', '--since', '2d', '--url', serve?.url ?? '']);
      assert.equal(tooLong.code, 1);
      assert.match(tooLong.stderr, /24 h at most/);
      const nobody = await runCli(['export', '--url', 'http://127.0.0.1:9']);
      assert.equal(nobody.code, 2);
      assert.match(nobody.stderr, /no dify-monitor serve answered at http:\/\/127\.0\.0\.1:9/);
    });

    it('the detail view downloads CSV and JSON that match the history, and a real PNG of a chart', async () => {
      const sample = await latest(`${PROJECT}-api-1`);
      await page.goto(`${serve?.url ?? ''}#/c/${encodeURIComponent(sample.key)}`);
      await page.waitForSelector('[data-export="container-csv"]');
      await page.waitForFunction(
        () => (window.difyMonitorCharts?.()['memory'] as object | undefined) !== undefined,
      );

      const download = async (action: string): Promise<{ name: string; body: Buffer }> => {
        const [file] = await Promise.all([
          page.waitForEvent('download'),
          page.click(`[data-export="${action}"]`),
        ]);
        const path = await file.path();
        return { name: file.suggestedFilename(), body: readFileSync(path) };
      };

      const csv = await download('container-csv');
      assert.match(csv.name, new RegExp(`^dify-monitor-${PROJECT}-api-1-5m-.*\\.csv$`));
      const fromCsv = parseCsv(csv.body.toString('utf8'));
      assert.equal(fromCsv.length, 1);
      assertMatchesHistory(fromCsv[0] as ExportContainer, await historyNow(sample, '5m'));

      const json = await download('container-json');
      assert.match(json.name, /\.json$/);
      const fromJson = parseJson(json.body.toString('utf8'));
      assertMatchesHistory(fromJson.containers[0] as ExportContainer, await historyNow(sample, '5m'));

      const stackCsv = parseCsv((await download('stack-csv')).body.toString('utf8'));
      assert.ok(stackCsv.length >= 8, `${stackCsv.length} containers in the stack export`);
      assert.ok(stackCsv.every((c) => c.stack === PROJECT && c.host === sample.host));

      const png = await download('memory-png');
      assert.match(png.name, /-memory-5m\.png$/);
      assert.deepEqual(
        [...png.body.subarray(0, 8)],
        [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
        'PNG signature',
      );
      assert.equal(png.body.toString('latin1', 12, 16), 'IHDR');
      const canvas = await page.$eval('#chart-memory', (c) => [
        (c as HTMLCanvasElement).width,
        (c as HTMLCanvasElement).height,
      ]);
      assert.deepEqual(
        [png.body.readUInt32BE(16), png.body.readUInt32BE(20)],
        canvas,
        'the image is the chart canvas',
      );
      assert.ok(png.body.length > 2000, `${png.body.length} bytes: a drawn chart, not a blank`);
      const cpu = await download('cpu-png');
      assert.equal(cpu.body.toString('latin1', 1, 4), 'PNG');
    });
  },
);
