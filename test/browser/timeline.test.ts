/**
 * The timeline from real parts: a second dockerd (so the engine can be restarted without touching
 * anyone else's containers), `serve` watching it, Chromium on serve's page. A real OOM kill, a
 * recreate with a new image tag, an engine restart and a SIGSTOP of serve each make an entry at
 * the time it happened; the OOM entry opens the container's chart with that moment marked; the
 * entries are still there after serve restarts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TimelineEntry } from '../../src/history/timeline-entry.ts';
import { BEAT_MS, SLEEP_GAP_MS } from '../../src/service/timeline.ts';
import { copyImage, startExtraDockerd, type ExtraDockerd } from '../helpers/dockerd.ts';
import { buildRenderer, launchChromium, startServeIn, type ServeProcess } from '../helpers/serve-process.ts';
import { commandFor } from '../stack/workloads.ts';

const OLD = 'langgenius/dify-api:1.10.1';
const NEW = 'langgenius/dify-api:1.16.1';
const PROJECT = 'dm-tl';
const dir = mkdtempSync(join(tmpdir(), 'dm-timeline-'));

/** A container as Compose names and labels it, so discovery puts it in the `dm-tl` stack. */
async function runService(
  engine: ExtraDockerd,
  service: string,
  image: string,
  extra: readonly string[],
  command: readonly string[],
): Promise<string> {
  const labels = {
    'com.docker.compose.project': PROJECT,
    'com.docker.compose.service': service,
    'com.docker.compose.container-number': '1',
    'com.docker.compose.oneoff': 'False',
  };
  return engine.docker(
    'run',
    '--detach',
    '--name',
    `${PROJECT}-${service}-1`,
    '--network',
    'none',
    ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    ...extra,
    image,
    ...command,
  );
}

describe('the timeline of a real engine, in Chromium', { timeout: 420_000 }, () => {
  let engine: ExtraDockerd;
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;

  const invoke = async <T>(channel: string, request: unknown): Promise<T> => {
    const res = await fetch(`${serve?.url}api/${channel}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
    return (await res.json()) as T;
  };
  const entries = async (): Promise<TimelineEntry[]> =>
    (await invoke<{ entries: TimelineEntry[] }>('timeline:list', { from: 0, to: Date.now() + 60_000 }))
      .entries;
  /** Polls the served timeline until an entry matches. */
  async function entry(what: string, match: (e: TimelineEntry) => boolean, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await entries()).find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} entry in ${JSON.stringify(await entries())}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  before(async () => {
    buildRenderer();
    engine = await startExtraDockerd('timeline');
    await copyImage(OLD, engine);
    await copyImage(NEW, engine);
    serve = await startServeIn(dir, ['--host', engine.url]);
  });

  after(async () => {
    await browser?.close();
    serve?.child.kill('SIGCONT');
    await serve?.stop();
    await engine?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  let oom: TimelineEntry;
  let apiKey: string;

  it("an OOM kill is an entry at the engine's time of the kill, with its kind", async (t) => {
    await runService(engine, 'api', OLD, [], ['sleep', '2147483647']);
    const since = Math.floor(Date.now() / 1000);
    await runService(
      engine,
      'worker',
      OLD,
      ['--env', 'MODE=worker', '--memory', '48m', '--memory-swap', '48m'],
      commandFor({ kind: 'leak', mibPerSecond: 8 }),
    );
    oom = await entry('OOM', (e) => e.kind === 'oom' && e.name === `${PROJECT}-worker-1`, 90_000);
    const killedAt = (
      await engine.docker(
        'events',
        '--since',
        String(since),
        '--until',
        String(Math.ceil(Date.now() / 1000)),
        '--filter',
        'event=oom',
        '--filter',
        'event=die',
        '--format',
        '{{.TimeNano}}',
      )
    )
      .split('\n')
      .map((n) => Number(n) / 1e6);
    assert.ok(killedAt.length >= 1, 'the engine told of the kill');
    assert.ok(
      killedAt.some((t) => Math.abs(t - oom.ts) < 1000),
      `entry at ${oom.ts}, engine's kill at ${killedAt.join(', ')}`,
    );
    t.diagnostic(
      `oom entry ${oom.ts}; engine oom/die at ${killedAt.map((k) => (k - oom.ts).toFixed(0)).join(', ')} ms from it`,
    );
    assert.equal(oom.rule, 'oom-killed');
    assert.equal(oom.severity, 'critical');
    assert.equal(oom.stack, PROJECT);
    assert.match(oom.text, /memory|OOM/i);
    const snapshot = await invoke<{ samples: { name: string; key: string }[] }>('monitor:snapshot', null);
    apiKey = snapshot.samples.find((s) => s.name === `${PROJECT}-api-1`)?.key ?? '';
    assert.notEqual(apiKey, '');
  });

  it('a recreate with a new image tag is a deploy entry of the same history key', async (t) => {
    const before = Date.now();
    await engine.docker('rm', '--force', `${PROJECT}-api-1`);
    await runService(engine, 'api', NEW, [], ['sleep', '2147483647']);
    const deploy = await entry('deploy', (e) => e.kind === 'deploy' && e.key === apiKey);
    assert.ok(deploy.ts >= before, `deploy at ${deploy.ts}, recreate began at ${before}`);
    t.diagnostic(`deploy entry ${deploy.ts - before} ms after the recreate began: ${deploy.text}`);
    assert.ok(deploy.ts <= Date.now());
    assert.match(deploy.text, /1\.10\.1 → langgenius\/dify-api:1\.16\.1/);
  });

  it('an engine restart is a down and an up entry, each at its time', async (t) => {
    const stoppedAt = Date.now();
    engine.kill('SIGTERM');
    const down = await entry('engine-down', (e) => e.kind === 'engine-down' && e.ts >= stoppedAt);
    assert.equal(down.severity, 'critical');
    const startedAt = Date.now();
    await engine.start();
    const up = await entry('engine-up', (e) => e.kind === 'engine-up' && e.ts >= startedAt, 90_000);
    t.diagnostic(
      `engine-down ${down.ts - stoppedAt} ms after SIGTERM; engine-up ${up.ts - startedAt} ms after the restart began`,
    );
    assert.ok(up.ts > down.ts);
    assert.equal(up.host, down.host);
  });

  it('a SIGSTOP of serve is a sleep from when it stopped to when it went on', async (t) => {
    const stoppedAt = Date.now();
    serve?.child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, SLEEP_GAP_MS + 10_000));
    const contAt = Date.now();
    serve?.child.kill('SIGCONT');
    const sleep = await entry('app-sleep', (e) => e.kind === 'app-sleep' && e.ts >= stoppedAt - 2 * BEAT_MS);
    t.diagnostic(
      `sleep from ${sleep.ts - stoppedAt} ms of the SIGSTOP to ${(sleep.untilTs ?? 0) - contAt} ms of the SIGCONT: ${sleep.text}`,
    );
    assert.ok(sleep.ts <= stoppedAt, `sleep from ${sleep.ts - stoppedAt} ms after the SIGSTOP`);
    assert.ok(
      sleep.untilTs !== null && sleep.untilTs >= contAt,
      `until ${sleep.untilTs} vs SIGCONT ${contAt}`,
    );
    assert.equal(sleep.host, null);
  });

  it("clicking the OOM entry opens the container's chart at that moment, the entry marked", async () => {
    browser = await launchChromium();
    const page: Page = await browser.newPage();
    await page.goto(`${serve?.url}#/timeline`);
    const item = page.locator(`li.timeline-entry[data-kind="oom"][data-ts="${oom.ts}"] a`);
    await item.waitFor({ timeout: 20_000 });
    await page.selectOption('select[name="severity"]', 'critical');
    assert.equal(
      await page.locator('li.timeline-entry[data-kind="deploy"]').count(),
      0,
      'a deploy is info: filtered out',
    );
    await item.click();
    await page.waitForFunction(
      () =>
        (window.difyMonitorCharts?.()['memory'] as Record<string, unknown> | null)?.['timelineEntry'] !==
        undefined,
      null,
      { timeout: 20_000 },
    );
    const seen = await page.evaluate(() => {
      const charts = window.difyMonitorCharts?.() ?? {};
      const marker = (charts['memory'] as Record<string, { xMin: number }>)['timelineEntry'];
      const plot = (charts['plots'] as { memory: { xMin: number; xMax: number; points: { x: number }[] } })
        .memory;
      return {
        hash: location.hash,
        marker: marker?.xMin,
        xMin: plot.xMin,
        xMax: plot.xMax,
        points: plot.points.length,
      };
    });
    assert.equal(seen.hash, `#/c/${encodeURIComponent(oom.key ?? '')}?at=${oom.ts}`);
    assert.equal(seen.marker, oom.ts);
    assert.ok(seen.xMin <= oom.ts && oom.ts <= seen.xMax, JSON.stringify(seen));
    assert.ok(seen.points > 0, 'the chart holds the samples around the kill');
  });

  it('the entries outlive a restart of serve', async () => {
    await serve?.stop();
    serve = await startServeIn(dir, ['--host', engine.url]);
    const after = await entries();
    assert.ok(after.some((e) => e.kind === 'oom' && e.ts === oom.ts));
    assert.ok(after.some((e) => e.kind === 'deploy' && e.key === apiKey));
    assert.equal(after.filter((e) => e.kind === 'app-start').length, 2);
  });
});
