/**
 * One verdict (#13): the tray, the page's badge, the CLI table and /metrics say the same thing of
 * a container whose memory rises past the warning line and falls back into the hysteresis band,
 * where the alert engine still holds the warning. Before, the page judged the raw thresholds
 * itself and called the container OK there while the tray said warning.
 *
 * The monitor is built by `composeMonitor` as every shell builds it, against the real engine; the
 * page is Chromium on the real bridge over it, the tray the real TrayController over it. The table
 * is the real `dify-monitor watch` in its own process, reading the same settings file.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { TrayController } from '../../main/tray.ts';
import type { TrayState } from '../../main/tray-state.ts';
import { startServe, type Serving } from '../../src/serve/run.ts';
import { composeMonitor } from '../../src/service/compose.ts';
import type { MonitorService } from '../../src/service/monitor.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../src/settings/schema.ts';
import { openSettingsFile } from '../../src/settings/store.ts';
import { systemClock } from '../../src/util/clock.ts';
import { CLI } from '../helpers/cli.ts';
import { buildRenderer, launchChromium } from '../helpers/serve-process.ts';
import { removeAll, startStack } from '../stack/stack.ts';
import { commandFor } from '../stack/workloads.ts';

const TAG = 'one-verdict';
const PROJECT = 'dmverdict';
const API = `${PROJECT}-api-1`;
const LIMIT_MIB = 200;
/** Warning at 50 % (100 MiB), cleared only below 30 % (60 MiB); critical out of reach. */
const SETTINGS: Settings = {
  ...DEFAULT_SETTINGS,
  alerts: {
    ...DEFAULT_SETTINGS.alerts,
    memory: { warningPercent: 50, criticalPercent: 99, hysteresisPoints: 20 },
  },
};

type Said = 'warning' | 'ok';

const dir = mkdtempSync(join(tmpdir(), 'dm-verdict-'));
let service: MonitorService;
let serving: Serving;
let browser: Browser;
let page: Page;
let tray: TrayController;
let trayState: TrayState | null = null;
let table = '';
let watch: ChildProcess | null = null;

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}

/** Starts a process in the api container that holds `mib` MiB until killed. */
function hold(mib: number): void {
  docker('exec', '--detach', API, ...commandFor({ kind: 'steady', mib }));
}

/** Ends the holder of `mib` MiB: found from the host, as `docker top` lists the container's processes. */
function release(mib: number): void {
  const holder = docker('top', API, '-eo', 'pid,args')
    .split('\n')
    .find((line) => line.includes(`mib=${mib} `));
  const pid = Number(holder?.trim().split(/\s+/)[0]);
  assert.ok(Number.isInteger(pid) && pid > 0, `no holder of ${mib} MiB in ${API}`);
  process.kill(pid, 'SIGKILL');
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function apiPercent(): number | null {
  const sample = service.current().samples.find((s) => s.name === API);
  if (sample?.memUsageBytes == null) return null;
  return (sample.memUsageBytes / (LIMIT_MIB * 1024 * 1024)) * 100;
}

/** What each shell says of the api container now. */
async function views(): Promise<Record<'tray' | 'page' | 'table' | 'metrics', Said>> {
  const row = page.locator(`tr[data-name="${API}"]`);
  const pageClass = (await row.getAttribute('class')) ?? '';
  const line = table.split('\n').find((l) => l.includes(API)) ?? '';
  const metrics = await (await fetch(`${serving.address}metrics`)).text();
  const active = metrics
    .split('\n')
    .some(
      (l) =>
        l.startsWith('dify_monitor_alert_active{') &&
        l.includes('rule="memory-threshold"') &&
        l.includes(`name="${API}"`) &&
        l.endsWith(' 1'),
    );
  return {
    tray: trayState === 'warning' ? 'warning' : 'ok',
    page: pageClass.includes('warning') ? 'warning' : 'ok',
    table: line.includes('WARNING: Memory high') ? 'warning' : 'ok',
    metrics: active ? 'warning' : 'ok',
  };
}

async function allSay(expected: Said): Promise<boolean> {
  const said = await views();
  return Object.values(said).every((v) => v === expected);
}

describe('one verdict across the tray, the page, the CLI table and /metrics', () => {
  before(async () => {
    buildRenderer();
    await removeAll(TAG);
    await startStack({ tag: TAG, layout: 'current', project: PROJECT, memLimits: { api: `${LIMIT_MIB}m` } });
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(SETTINGS));
    const opened = openSettingsFile(join(dir, 'settings.json'), Date.now());
    const composed = await composeMonitor({
      settings: opened.store,
      hostFlags: ['unix:///var/run/docker.sock'],
      alertLogPath: join(dir, 'alerts.json'),
      clock: systemClock,
      warn: () => undefined,
    });
    assert.ok(composed.ok);
    service = composed.service;
    serving = await startServe(
      {
        port: 0,
        bind: '127.0.0.1',
        rendererDir: join(import.meta.dirname, '../../dist/renderer'),
        service,
        metrics: true,
      },
      () => undefined,
    );
    tray = new TrayController({
      tray: {
        setImage: () => undefined,
        setToolTip: () => undefined,
        on: () => undefined as never,
        popUpContextMenu: () => undefined,
        setContextMenu: () => undefined,
      },
      service,
      icon: (state) => {
        trayState = state;
        return state;
      },
      buildMenu: (template) => template as never,
      actions: {
        openDashboard: () => undefined,
        openContainer: () => undefined,
        muteFor: () => undefined,
        muteUntilTomorrow: () => undefined,
        unmute: () => undefined,
        setPaused: () => undefined,
        openSettings: () => undefined,
        setStartAtLogin: () => undefined,
        quit: () => undefined,
      },
      onLeftClick: () => undefined,
      paused: () => false,
      notificationProblem: () => null,
      now: Date.now,
      attachMenu: false,
      warn: () => undefined,
    });
    watch = spawn(
      process.execPath,
      [
        CLI,
        'watch',
        '--host',
        'unix:///var/run/docker.sock',
        '--settings',
        join(dir, 'settings.json'),
        '--alert-log',
        join(dir, 'watch-alerts.json'),
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let printed = '';
    // Not a terminal: each round's table is printed whole, followed by a blank line.
    watch.stdout?.on('data', (d: Buffer) => {
      printed += d.toString();
      const blocks = printed.split('\n\n');
      printed = blocks.pop() ?? '';
      if (blocks.length > 0) table = blocks.at(-1) ?? table;
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(serving.url);
    await page.waitForSelector(`tr[data-name="${API}"]`);
  });

  after(async () => {
    watch?.kill('SIGTERM');
    tray?.stop();
    await browser?.close();
    await serving?.close();
    await removeAll(TAG);
    rmSync(dir, { recursive: true, force: true });
  });

  it('all say warning above the line, still warning in the band, and OK below it', async () => {
    await until('all four OK at rest', () => allSay('ok'));

    hold(70);
    hold(40);
    await until('the api past 50 %', () => (apiPercent() ?? 0) > 52);
    await until('all four warning', () => allSay('warning'));

    release(40);
    await until('the api back in the band', () => {
      const p = apiPercent();
      return p !== null && p > 32 && p < 47;
    });
    // A few rounds in the band: the engine holds the warning, and so must every view of it.
    const since = Date.now();
    while (Date.now() - since < 4000) {
      const p = apiPercent();
      if (p !== null && p > 32 && p < 47)
        assert.deepEqual(await views(), {
          tray: 'warning',
          page: 'warning',
          table: 'warning',
          metrics: 'warning',
        });
      await new Promise((r) => setTimeout(r, 500));
    }

    release(70);
    await until('all four OK again', () => allSay('ok'));
  });
});
