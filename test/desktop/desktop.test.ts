/**
 * The tray app end to end: the real main/index.ts booted under Node with the stand-in electron
 * module (test/desktop/electron/, departures in STAND-IN.md), its window a real Chromium page,
 * against the real Docker engine and a real D-Bus session with a notification server.
 */
import { bootDesktop, ROOT, until, type DesktopApp } from './harness.ts';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import type { Snapshot } from '../../src/api.ts';
import { desktop, Menu, powerMonitor } from './electron/index.ts';
import { drawMenu } from './menu-picture.ts';
import { linePixelsAt, plotOf, type ChartName, type PlotView } from '../helpers/chart-pixels.ts';
import { ensureNotifySession, monitorNotifications, type NotifyMonitor } from '../helpers/dbus.ts';
import { buildRenderer, launchChromium } from '../helpers/serve-process.ts';
import { startExtraDockerd, type ExtraDockerd } from '../helpers/dockerd.ts';
import { startStack, type StandInStack } from '../stack/stack.ts';

const exec = promisify(execFile);
const TAG = 'desktop-harness';
const CONTEXT = 'later';
const SHOTS = join(ROOT, 'docs/screenshots');
const TEST_IMAGES = join(ROOT, 'scripts/test-images.sh');

/** A Docker context, as `docker context create` writes it, naming an engine at `host`. */
function writeContext(dockerConfig: string, name: string, host: string): void {
  const dir = join(dockerConfig, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  mkdirSync(dir, { recursive: true });
  const meta = { Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } };
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
}

/** An engine's socket served at another path: dockerd "starts" when this starts listening. */
function startSocketProxy(path: string, engine: string): Promise<{ server: Server; open: Set<Socket> }> {
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(engine);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) => server.listen(path, () => resolve({ server, open })));
}

const iconOf = (path: string): string => path.split('/').at(-1) ?? '';

/** Long enough to be a sleep on a chart's 5-minute window, not a late round. */
const SLEEP_MS = 60_000;
/** How many samples from the edge of a hole a line is looked for. */
const PROBE_STEPS = 5;

/** What the page gets from main over the bridge: the monitor as the window shows it. */
function snapshot(page: Page): Promise<Snapshot> {
  // Awaited in the page: the bridge stand-in answers with a thenable, not a Promise (STAND-IN.md).
  return page.evaluate(async () => {
    if (window.difyMonitor === undefined) throw new Error('the preload exposed no difyMonitor');
    return await window.difyMonitor.invoke('monitor:snapshot', null);
  });
}

type Drawn = { readonly x: number; readonly y: number };

/** The drawn points inside the chart's x range, once at least `count` of them pass `where`. */
function drawnPoints(
  page: Page,
  chart: ChartName,
  count: number,
  where: (p: Drawn) => boolean = () => true,
): Promise<{ plot: PlotView; points: Drawn[] }> {
  return until(
    `${count} points on the ${chart} chart`,
    async () => {
      const plot = await plotOf(page, chart);
      if (plot === null) return undefined;
      const points = plot.points.filter(
        (p): p is Drawn => p.y !== null && p.x >= plot.xMin && p.x <= plot.xMax,
      );
      return points.filter(where).length >= count ? { plot, points } : undefined;
    },
    30_000,
  );
}

/** The middle of the segment from `a` to `b`: where a line between them has pixels. */
const between = (a: Drawn, b: Drawn): number => (a.x + b.x) / 2;

/** What is open now and was not before: active resources (sockets, timers, processes) by kind. */
function beyond(before: readonly string[], now: readonly string[]): string[] {
  const left = [...now];
  for (const kind of before) {
    const i = left.indexOf(kind);
    if (i >= 0) left.splice(i, 1);
  }
  return left.sort();
}

describe('the tray app, booted for real against the engine and D-Bus', { timeout: 300_000 }, () => {
  let browser: Browser;
  let notifications: NotifyMonitor;
  let app: DesktopApp;
  let proxy: { server: Server; open: Set<Socket> } | null = null;
  // An engine of its own: the shared one runs other tests' stacks, whose alerts would be ours.
  let engine: ExtraDockerd;
  let baseline: string[] = [];
  let stack: StandInStack;
  let worker = '';

  before(async () => {
    await ensureNotifySession();
    notifications = await monitorNotifications();
    engine = await startExtraDockerd(`desktop-${process.pid}`);
    await exec(TEST_IMAGES, [], { env: { ...process.env, DOCKER_HOST: engine.url } });
    buildRenderer();
    browser = await launchChromium();
    // Opened once per process, never closed, by whoever is first: stderr's pipe on its first
    // write (the app's log), stdin when node:process is first imported as ESM (its facade reads
    // every getter; electron-store imports it).
    process.stderr.write('');
    await import('node:process');
    baseline = process.getActiveResourcesInfo();
  });

  after(async () => {
    proxy?.server.close();
    for (const socket of proxy?.open ?? []) socket.destroy();
    await engine?.remove();
    notifications?.stop();
    await browser?.close();
  });

  it('starts with no engine up yet: the tray says so, and the app menu has no reload or DevTools', async () => {
    app = await bootDesktop({ browser, env: { DOCKER_CONTEXT: CONTEXT } });
    assert.equal(iconOf(app.tray().image.path), 'disconnected.png');
    assert.equal(app.tray().tooltip, 'Dify · Docker unreachable');
    const labels = app.menu().items.map((i) => i.label);
    assert.ok(labels.includes('local: unreachable'), String(labels));
    // Electron's default menu (View > Reload, Toggle DevTools; Window > Close) is replaced by none.
    assert.equal(Menu.getApplicationMenu(), null);
    assert.equal(app.window().options.frame, false, 'X11 gets the popover');
  });

  it('finds the engine once its context appears, and turns ok once dockerd answers, within the backoff', async () => {
    const socket = join(app.dir, 'docker.sock');
    writeContext(app.dockerConfig, CONTEXT, `unix://${socket}`);
    await until('the engine found, not reachable yet', () =>
      app.menu().items.some((i) => i.label === `${CONTEXT}: unreachable`) ? true : undefined,
    );
    assert.equal(iconOf(app.tray().image.path), 'disconnected.png');
    proxy = await startSocketProxy(socket, engine.socket);
    await until('the tray ok', () => (iconOf(app.tray().image.path) === 'ok.png' ? true : undefined), 30_000);
    assert.match(app.tray().tooltip, /^Dify · \d+ containers? · .*OK$|^Dify · 0 containers · OK$/);
    assert.deepEqual(app.errors(), []);
  });

  it('closing the window (Cmd+W, Alt+F4), then a tray click, brings it back with no exception', async () => {
    const window = app.window();
    app.menu().click('Open dashboard');
    assert.equal(window.isVisible(), true);
    window.close();
    assert.equal(window.isDestroyed(), false, 'hidden, not destroyed');
    assert.equal(window.isVisible(), false);
    app.tray().click();
    assert.equal(window.isVisible(), true);
    window.close();
    app.menu().click('Open dashboard');
    assert.equal(window.isVisible(), true);
    assert.deepEqual(app.errors(), []);
  });

  it('a leak turns the tray warning, then critical, with the tooltip; both notifications are on D-Bus', async () => {
    const window = app.window();
    window.show();
    stack = await startStack({
      layout: 'current',
      project: 'dm-desktop',
      tag: TAG,
      docker: engine.docker,
      workloads: { worker: { kind: 'leak', mibPerSecond: 1 } },
      memLimits: { worker: '64m' },
    });
    worker = stack.service('worker').name;
    await until(
      'the tray warning',
      () => (app.tray().images.some((p) => iconOf(p) === 'warning.png') ? true : undefined),
      120_000,
    ).catch((error: Error) => {
      const menu = app
        .menu()
        .items.map((i) => i.label)
        .join(' | ');
      const seen = `${app.tray().images.map(iconOf).join(' → ')}; "${app.tray().tooltip}"; ${menu}`;
      throw new Error(`${error.message}; the tray showed ${seen}`);
    });
    assert.match(app.tray().tooltip, /1 warning/);
    const page = await app.page();
    assert.deepEqual(page.viewportSize(), { width: 440, height: 620 }, 'the popover’s real size');
    const fit = await until('the containers listed', () =>
      page.evaluate(() => {
        const box = document.querySelector(`table.containers tr.row`)?.closest('table')?.parentElement;
        return box === null || box === undefined
          ? undefined
          : { scroll: box.scrollWidth, client: box.clientWidth };
      }),
    );
    assert.ok(fit.scroll <= fit.client, `the table is cut: ${fit.scroll} px wide in ${fit.client} px`);
    await page.screenshot({ path: join(SHOTS, 'desktop-popover.png') });
    // From here Electron's notifications fail: the next one goes out through notify-send.
    desktop.notificationFailure = 'Notifications are not allowed for this application';
    await until(
      'the tray critical',
      () => (iconOf(app.tray().image.path) === 'critical.png' ? true : undefined),
      60_000,
    );
    assert.match(app.tray().tooltip, /1 critical/);
    const images = app.tray().images.map(iconOf);
    assert.ok(images.indexOf('warning.png') < images.indexOf('critical.png'), String(images));

    const calls = await until('both notifications on D-Bus', () => {
      const about = notifications.calls().filter((c) => c.summary.includes(worker));
      return about.length >= 2 ? about : undefined;
    });
    assert.match(calls[0]?.summary ?? '', /^Memory high/);
    assert.match(calls[1]?.summary ?? '', /^OOM risk/);
    assert.equal(calls[1]?.urgency, 2, 'critical');
    assert.deepEqual(
      desktop.notifications.filter((n) => n.title.includes(worker)).map((n) => n.title.split(':')[0]),
      ['Memory high'],
      'the first went through Electron’s Notification, the failed one again through node-notifier',
    );
    const problem = await until('the menu says notifications fail', () =>
      app.menu().items.find((i) => i.label === 'Notifications are failing'),
    );
    await drawMenu(browser, app.menu().items, join(SHOTS, 'desktop-tray-menu.png'));
    assert.match(
      (problem.submenu as { label: string }[]).map((i) => i.label).join(' '),
      /Electron's notification failed: Notifications are not allowed for this application; shown through notify-send instead/,
    );
    assert.deepEqual(app.errors(), []);
  });

  it('clicking the notification opens the popover on that container, and the chart is drawn (canvas pixels)', async () => {
    const window = app.window();
    const page = await app.page();
    const key = await until(
      'the worker in the snapshot',
      async () => (await snapshot(page)).samples.find((s) => s.name === worker)?.key,
    );
    window.hide();
    const shown = desktop.notifications.find((n) => n.title.includes(worker));
    assert.ok(shown !== undefined, 'the warning was shown through Electron’s Notification');
    shown.click();
    await until('the window shown', () => (window.isVisible() ? true : undefined));
    await page.waitForSelector(`[data-detail-key="${key}"]`, { timeout: 15_000 });
    assert.equal(new URL(page.url()).hash, `#/c/${encodeURIComponent(key)}`);
    assert.equal(new URL(window.webContents.getURL()).protocol, 'app:');
    for (const chart of ['memory', 'cpu'] as const) {
      const { plot, points } = await drawnPoints(page, chart, 5);
      const middle = Math.floor(points.length / 2);
      const [a, b] = [points[middle - 1], points[middle]];
      assert.ok(a !== undefined && b !== undefined);
      assert.ok((await linePixelsAt(page, chart, plot, between(a, b))) > 0, `${chart}: no line drawn`);
    }
    assert.deepEqual(app.errors(), []);
  });

  it(`a suspend of ${SLEEP_MS / 1000} s and a resume bring no stale alerts, and the charts show a gap`, async () => {
    const page = await app.page();
    // The worker dies at its limit seconds after the critical: its OOM kill is told before the
    // sleep. Whether a round saw it ended before the suspend or only the first after the wake did,
    // that is the kill told already (test/unit/alerts/kills.test.ts, "a kill told just before…").
    await until(
      'the worker’s OOM kill alerted',
      async () =>
        (await snapshot(page)).alerts.some((a) => a.name === worker && a.rule === 'oom-killed') || undefined,
      60_000,
    );
    const api = stack.service('api').name;
    const key = (await snapshot(page)).samples.find((s) => s.name === api)?.key;
    assert.ok(key !== undefined, `${api} is watched`);
    await page.evaluate((hash) => (location.hash = hash), `#/c/${encodeURIComponent(key)}`);
    await page.waitForSelector(`[data-detail-key="${key}"]`, { timeout: 15_000 });
    await drawnPoints(page, 'memory', 5);
    const notifiedBefore = notifications.calls().length;

    const asleepAt = Date.now();
    powerMonitor.emit('suspend');
    await new Promise((resolve) => setTimeout(resolve, SLEEP_MS));
    const awakeAt = Date.now();
    powerMonitor.emit('resume');

    for (const chart of ['memory', 'cpu'] as const) {
      // Enough on both sides that a probe stays on the line while the window's axis slides on.
      const { plot, points } = await drawnPoints(page, chart, 2 * PROBE_STEPS, (p) => p.x >= awakeAt);
      const last = points.findLastIndex((p) => p.x < awakeAt);
      const lastBefore = points[last];
      const firstAfter = points[last + 1];
      const [a, b] = [points[last - PROBE_STEPS], points[last - PROBE_STEPS + 1]];
      const [c, d] = [points[last + PROBE_STEPS], points[last + PROBE_STEPS + 1]];
      assert.ok(
        lastBefore !== undefined && firstAfter !== undefined && a && b && c && d,
        `${chart}: ${PROBE_STEPS} points on both sides of the sleep`,
      );
      assert.ok(lastBefore.x <= asleepAt + 2000, `${chart}: collected while asleep, at ${lastBefore.x}`);
      assert.ok(
        plot.points.some((p) => p.y === null && p.x > lastBefore.x && p.x < firstAfter.x),
        `${chart}: a break across the sleep`,
      );
      if (chart === 'cpu') continue; // an idle container's CPU line lies on the axis, under the grid
      for (const share of [0.1, 0.3, 0.5, 0.7, 0.9]) {
        const ts: number = lastBefore.x + share * (firstAfter.x - lastBefore.x);
        assert.equal(
          await linePixelsAt(page, chart, plot, ts),
          0,
          `${chart}: line drawn at ${share} of the sleep`,
        );
      }
      assert.ok(
        (await linePixelsAt(page, chart, plot, between(a, b))) > 0,
        `${chart}: no line before the sleep`,
      );
      assert.ok(
        (await linePixelsAt(page, chart, plot, between(c, d))) > 0,
        `${chart}: no line after the wake`,
      );
    }
    const { alerts } = await snapshot(page);
    assert.deepEqual(
      alerts.filter((a) => a.ts >= asleepAt).map((a) => `${a.rule} ${a.name}: ${a.message}`),
      [],
      'no alert raised for the time asleep',
    );
    assert.deepEqual(notifications.calls().slice(notifiedBefore), [], 'no notification after the wake');
    assert.notEqual(iconOf(app.tray().image.path), 'disconnected.png');
    assert.deepEqual(app.errors(), []);
  });

  it('quitting waits for every collector to stop, and leaves no open handles behind', async () => {
    const exit = await app.quit();
    assert.deepEqual(exit, { code: 0, how: 'quit' });
    proxy?.server.close();
    await until(
      'the app’s connections to the engine closed',
      () => (proxy?.open.size === 0 ? true : undefined),
      5000,
    );
    const extra = await until(
      'nothing open that was not open before the app',
      () => {
        const left = beyond(baseline, process.getActiveResourcesInfo());
        return left.length === 0 ? left : undefined;
      },
      5000,
    ).catch(() => beyond(baseline, process.getActiveResourcesInfo()));
    assert.deepEqual(extra, []);
    assert.deepEqual(desktop.errors, []);
  });
});
