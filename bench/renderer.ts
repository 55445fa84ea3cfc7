/**
 * What the dashboard costs in Chromium: script time per update at 1 Hz with 15 containers (a
 * detail view streaming both charts, the heaviest view), and the JS heap after 30 min of updates
 * pushed at high speed against the heap at start. Prints numbers; judging them is for the reader.
 *
 * The page gets a stand-in `window.difyMonitor` that emits rounds, so only the renderer is measured.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { CDPSession } from 'playwright-core';
import { launchChromium } from '../test/helpers/serve-process.ts';

const CONTAINERS = 15;
const ONE_HZ_UPDATES = 30;
const ACCELERATED_UPDATES = 30 * 60;

execFileSync(process.execPath, ['scripts/build.ts'], { stdio: 'inherit' });
const files: Record<string, { body: Buffer; type: string }> = {
  '/': { body: readFileSync('dist/renderer/index.html'), type: 'text/html' },
  '/app.js': { body: readFileSync('dist/renderer/app.js'), type: 'text/javascript' },
  '/styles.css': { body: readFileSync('dist/renderer/styles.css'), type: 'text/css' },
};

/** Runs in the page before the app: a fake preload API with 15 containers and a push() to emit a round. */
function fakeApi(count: number): void {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let ts = Date.now() - 1000;
  const sample = (i: number, at: number): Record<string, unknown> => ({
    type: 'sample',
    ts: at,
    host: 'local',
    stack: 'docker',
    role: i === 0 ? 'api' : 'worker',
    service: `svc${i}`,
    name: `docker-svc${i}-1`,
    id: `id${i}`,
    image: 'langgenius/dify-api:1.10.1',
    state: 'running',
    health: 'none',
    cpuPercent: 10 + Math.random() * 20,
    cpuOfLimitPercent: 5 + Math.random() * 10,
    memUsageBytes: (100 + i + Math.random() * 50) * 1048576,
    memLimitBytes: 1024 * 1048576,
    memLimitSource: 'container',
    memPercent: 10,
    netRxBytes: 0,
    netTxBytes: 0,
    blockReadBytes: 0,
    blockWriteBytes: 0,
    pids: 4,
    restartCount: 0,
    oomKilled: false,
    exitCode: null,
    key: `local/docker/svc${i}/1`,
  });
  const round = (at: number): unknown[] => Array.from({ length: count }, (_, i) => sample(i, at));
  const settings = {
    version: 1,
    alerts: {
      memory: { warningPercent: 85, criticalPercent: 90, hysteresisPoints: 5 },
      roleBudgetBytes: {},
      cpu: {
        warningPercent: 70,
        criticalPercent: 90,
        hysteresisPoints: 5,
        sustainMs: 60000,
        maxGapMs: 30000,
      },
      stack: { warningPercent: 85, criticalPercent: 90, hysteresisPoints: 5 },
      trend: {},
      restartLoop: { count: 3, windowMs: 600000 },
      cooldownMs: 300000,
      recoveredNotice: false,
      muteUntil: null,
      mutedKeys: [],
      quietHours: null,
    },
    intervals: { fastMs: 1000, trayMs: 5000 },
    notifications: { enabled: true },
    hosts: [],
    startAtLogin: false,
  };
  const host = {
    type: 'host',
    ts,
    host: 'local',
    state: 'up',
    message: 'ok',
    endpoint: 'unix:///x',
    reason: 'bench',
    cpus: 4,
  };
  (window as unknown as Record<string, unknown>)['difyMonitor'] = {
    invoke: async (channel: string, request: { window?: string; metric?: string } | null) => {
      if (channel === 'monitor:snapshot')
        return {
          hosts: [host],
          samples: round(ts),
          alerts: [],
          settings,
          mutedUntil: null,
          verdict: { findings: [] },
        };
      if (channel === 'monitor:history' && request?.window === '24h') {
        // A full day of one-minute buckets, as the history store answers for the 24 h window.
        const points = Array.from({ length: 1440 }, (_, k) => {
          const value = request.metric === 'cpuPercent' ? 10 + (k % 17) : (200 + (k % 97)) * 1048576;
          return { ts: ts - (1440 - k) * 60_000, min: value, avg: value, max: value, count: 60 };
        });
        return { resolution: '1m', widthMs: 60_000, points };
      }
      if (channel === 'monitor:history') return { resolution: 'raw', points: [] };
      return null;
    },
    on: (channel: string, listener: (p: unknown) => void) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  };
  (window as unknown as Record<string, unknown>)['benchPush'] = (stepMs: number) => {
    ts += stepMs;
    for (const l of listeners.get('monitor:round') ?? [])
      l({ host: 'local', ts, samples: round(ts), fresh: 1, running: 1, durationMs: 1 });
  };
}

async function metric(cdp: CDPSession, name: string): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  return metrics.find((m) => m.name === name)?.value ?? NaN;
}

const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.route('http://bench.invalid/**', (route) => {
  const file = files[new URL(route.request().url()).pathname];
  return file === undefined
    ? route.fulfill({ status: 404 })
    : route.fulfill({ body: file.body, contentType: file.type });
});
await page.addInitScript(fakeApi, CONTAINERS);
await page.goto(`http://bench.invalid/#/c/${encodeURIComponent('local/docker/svc0/1')}`);
await page.waitForSelector('#chart-memory');
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');

const push = (stepMs: number): Promise<void> =>
  page.evaluate((s) => (window as unknown as { benchPush(s: number): void }).benchPush(s), stepMs);

const scriptBefore = await metric(cdp, 'ScriptDuration');
const taskBefore = await metric(cdp, 'TaskDuration');
for (let i = 0; i < ONE_HZ_UPDATES; i++) {
  await push(1000);
  await page.waitForTimeout(1000);
}
const perUpdate = ((await metric(cdp, 'ScriptDuration')) - scriptBefore) / ONE_HZ_UPDATES;
const taskPerUpdate = ((await metric(cdp, 'TaskDuration')) - taskBefore) / ONE_HZ_UPDATES;

const heap = async (): Promise<number> => {
  await cdp.send('HeapProfiler.collectGarbage');
  return metric(cdp, 'JSHeapUsedSize');
};
const heapStart = await heap();
const started = Date.now();
let heapFilled = NaN;
for (let i = 0; i < ACCELERATED_UPDATES; i++) {
  await push(1000);
  if (i % 50 === 0) await page.waitForTimeout(20);
  // The 5 min chart window is full from here on: growth after this point would be a leak.
  if (i === 600) heapFilled = await heap();
}
const heapEnd = await heap();
const drawnPoints = (): Promise<number> =>
  page.evaluate(
    () =>
      (
        window as unknown as { difyMonitorCharts(): { plots: { memory: { points: unknown[] } | null } } }
      ).difyMonitorCharts().plots.memory?.points.length ?? 0,
  );
const points = await drawnPoints();

/** Script and main-thread task time per 1 Hz update, over ONE_HZ_UPDATES. */
async function costPerUpdate(): Promise<{ script: number; task: number }> {
  const script = await metric(cdp, 'ScriptDuration');
  const task = await metric(cdp, 'TaskDuration');
  for (let i = 0; i < ONE_HZ_UPDATES; i++) {
    await push(1000);
    await page.waitForTimeout(1000);
  }
  return {
    script: ((await metric(cdp, 'ScriptDuration')) - script) / ONE_HZ_UPDATES,
    task: ((await metric(cdp, 'TaskDuration')) - task) / ONE_HZ_UPDATES,
  };
}
// The same view with full charts: the 5 min window at its 301 points, then the 24 h window at 1,440.
const fiveMinutesFull = await costPerUpdate();
await page.click('.windows button[data-window="24h"]');
while ((await drawnPoints()) < 1440) await page.waitForTimeout(100);
const dayPoints = await drawnPoints();
const day = await costPerUpdate();
const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(2)} MiB`;

console.log(`renderer, detail view streaming, ${CONTAINERS} containers`);
console.log(
  `  per update at 1 Hz: script ${(perUpdate * 1000).toFixed(2)} ms, all main-thread tasks ${(taskPerUpdate * 1000).toFixed(2)} ms (CDP, over ${ONE_HZ_UPDATES} updates)`,
);
console.log(
  `  JS heap after GC: start ${mib(heapStart)}, 10 min ${mib(heapFilled)}, 30 min ${mib(heapEnd)}; 10→30 min ${(((heapEnd - heapFilled) / heapFilled) * 100).toFixed(1)} %; chart holds ${points} points (pushed in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
);
const ms = (seconds: number): string => `${(seconds * 1000).toFixed(2)} ms`;
console.log(
  `  full charts, per update at 1 Hz: 5 min view (${points} points) script ${ms(fiveMinutesFull.script)}, tasks ${ms(fiveMinutesFull.task)}; ` +
    `24 h view (${dayPoints} points) script ${ms(day.script)}, tasks ${ms(day.task)}; 24 h / 5 min tasks ${(day.task / fiveMinutesFull.task).toFixed(2)}×`,
);
await browser.close();
