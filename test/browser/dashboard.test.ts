import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { runCli } from '../helpers/cli.ts';
import { removeAll, startOther, startStack, waitForOom, type StandInStack } from '../stack/stack.ts';
import { buildRenderer, launchChromium, startServeIn, type ServeProcess } from '../helpers/serve-process.ts';

const TAG = 'e2e-dashboard';
const PROJECT = 'dm-e2e';
const MIB = 1024 * 1024;
const API_LIMIT = 256 * MIB;
const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dm-e2e-'));

interface Row {
  key: string;
  name: string;
  role: string;
  state: string;
  mem: number | null;
  limit: number | null;
  pids: number | null;
}

interface Line {
  yMin?: number;
  xMin?: number;
  label: { content: string };
}

function numberOrNull(text: string | null): number | null {
  return text === null || text === '' ? null : Number(text);
}

async function rows(page: Page): Promise<Row[]> {
  const raw = await page.$$eval('tr.row', (trs) =>
    trs.map((tr) => {
      const d = (tr as HTMLElement).dataset;
      return [d['key'], d['name'], d['role'], d['state'], d['memBytes'], d['memLimit'], d['pids']];
    }),
  );
  return raw.map(([key, name, role, state, mem, limit, pids]) => ({
    key: key ?? '',
    name: name ?? '',
    role: role ?? '',
    state: state ?? '',
    mem: numberOrNull(mem ?? null),
    limit: numberOrNull(limit ?? null),
    pids: numberOrNull(pids ?? null),
  }));
}

async function memoryLines(page: Page): Promise<Record<string, Line>> {
  return page.evaluate(() => (window.difyMonitorCharts?.()['memory'] ?? {}) as Record<string, Line>);
}

async function waitForLines(
  page: Page,
  predicate: (lines: Record<string, Line>) => boolean,
): Promise<Record<string, Line>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const lines = await memoryLines(page);
    if (predicate(lines)) return lines;
    if (Date.now() > deadline) throw new Error(`chart lines never matched: ${JSON.stringify(lines)}`);
    await page.waitForTimeout(250);
  }
}

describe('the dashboard in Chromium against serve and the real engine', { timeout: 240_000 }, () => {
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  let stack: StandInStack;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    await removeAll(TAG);
    buildRenderer();
    serve = await startServeIn(dir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(serve.url);
    stack = await startStack({
      layout: 'current',
      project: PROJECT,
      tag: TAG,
      workloads: { api: { kind: 'steady', mib: 24 }, sandbox: { kind: 'leak', mibPerSecond: 16 } },
      memLimits: { api: '256m', sandbox: '48m' },
    });
    await startOther(TAG);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    await removeAll(TAG);
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows every container of the stack under its role', async () => {
    const expected = stack.containers.map((c) => c.name).sort();
    await page.waitForFunction(
      (names) => names.every((n) => document.querySelector(`tr.row[data-name="${n}"]`) !== null),
      expected,
      { timeout: 30_000 },
    );
    const shown = (await rows(page)).filter((r) => r.name.startsWith(`${PROJECT}-`));
    assert.deepEqual(shown.map((r) => r.name).sort(), expected);
    const roleOf = new Map(shown.map((r) => [r.name, r.role]));
    assert.equal(roleOf.get(`${PROJECT}-db_postgres-1`), 'db');
    assert.equal(roleOf.get(`${PROJECT}-weaviate-1`), 'vector_store');
    assert.equal(roleOf.get(`${PROJECT}-worker_beat-1`), 'worker_beat');
    assert.equal(roleOf.get(`${PROJECT}-init_permissions-1`), 'init');
    for (const r of shown) {
      const group = await page.$eval(
        `tr.row[data-key="${r.key}"]`,
        (tr) => tr.closest('tbody')?.dataset['roleGroup'],
      );
      assert.equal(group, r.role, `${r.name} sits in the ${r.role} group`);
    }
  });

  it('shows the numbers the core samples (watch --once --json), within the accuracy tolerances', async () => {
    // Compare once the api's steady 24 MiB is all allocated, not while it is still growing.
    await page.waitForFunction(
      ({ name, atLeast }) =>
        Number(
          document.querySelector<HTMLElement>(`tr.row[data-name="${name}"]`)?.dataset['memBytes'] || 0,
        ) >= atLeast,
      { name: `${PROJECT}-api-1`, atLeast: 23 * MIB },
      { timeout: 20_000 },
    );
    // Rows appear as soon as the engine reports a container; wait until the page has seen them run.
    await page.waitForFunction(
      ({ prefix, atLeast }) =>
        document.querySelectorAll(`tr.row[data-state="running"][data-name^="${prefix}"]`).length >= atLeast,
      { prefix: `${PROJECT}-`, atLeast: 9 },
      { timeout: 20_000 },
    );
    const [shown, watched] = await Promise.all([rows(page), runCli(['watch', '--once', '--json'], 60_000)]);
    assert.equal(watched.code, 0, watched.stderr);
    const core = new Map(
      watched.lines.filter((l) => l['type'] === 'sample').map((l) => [String(l['name']), l] as const),
    );
    // The leaking sandbox changes by 16 MiB/s and is about to be killed: nothing to compare.
    const running = shown.filter(
      (r) => r.name.startsWith(`${PROJECT}-`) && r.state === 'running' && r.role !== 'sandbox',
    );
    assert.ok(running.length >= 8, `${running.length} running containers compared`);
    for (const r of running) {
      const s = core.get(r.name);
      assert.ok(s !== undefined, `${r.name} is in watch --json`);
      assert.equal(r.limit, s['memLimitBytes'], `${r.name} limit`);
      const mem = Number(s['memUsageBytes']);
      assert.ok(
        r.mem !== null && Math.abs(r.mem - mem) <= Math.max(MIB, 0.02 * mem),
        `${r.name}: page ${r.mem}, core ${mem}`,
      );
      assert.equal(r.pids, s['pids'], `${r.name} pids`);
    }
    assert.equal(shown.find((r) => r.name === `${PROJECT}-api-1`)?.limit, API_LIMIT);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(SHOTS, `overview-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('draws the threshold and limit lines at the configured values', async () => {
    const key = await page.getAttribute(`tr.row[data-name="${PROJECT}-api-1"]`, 'data-key');
    await page.goto(`${serve?.url}#/c/${encodeURIComponent(key ?? '')}`);
    const lines = await waitForLines(page, (l) => l['limit'] !== undefined);
    assert.equal(lines['warning']?.yMin, (API_LIMIT * 85) / 100);
    assert.equal(lines['critical']?.yMin, (API_LIMIT * 90) / 100);
    assert.equal(lines['limit']?.yMin, API_LIMIT);
    assert.match(lines['limit']?.label.content ?? '', /limit 256 MiB/);
    await page.waitForTimeout(3000);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SHOTS, `detail-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('raises a visible alert for the leaking container, and marks its OOM kill on the chart', async () => {
    const sandbox = stack.service('sandbox').name;
    await waitForOom(sandbox, 60_000);
    await page.goto(`${serve?.url}#/alerts`);
    const alert = page.locator(`li.alert[data-rule="oom-killed"]`, { hasText: sandbox });
    await alert.first().waitFor({ timeout: 20_000 });
    assert.match((await alert.first().textContent()) ?? '', /Critical/);
    const key = await alert.first().getAttribute('data-key');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(SHOTS, `alerts-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${serve?.url}#/`);
    const badge = await page.textContent(`tr.row[data-name="${sandbox}"] .badge`);
    assert.match(badge ?? '', /OOM-killed/);
    await page.goto(`${serve?.url}#/c/${encodeURIComponent(key ?? '')}`);
    const lines = await waitForLines(page, (l) =>
      Object.values(l).some((x) => x.label.content === 'OOM kill'),
    );
    const marker = Object.values(lines).find((x) => x.label.content === 'OOM kill');
    assert.ok(marker?.xMin !== undefined && Math.abs(marker.xMin - Date.now()) < 120_000);
  });

  it('moves the line when a threshold changes in Settings, keeps it after a reload, and shows field errors', async () => {
    await page.goto(`${serve?.url}#/settings`);
    const critical = page.locator('input[data-path="/alerts/memory/criticalPercent"]');
    await critical.fill('10');
    await page.click('form.settings button[type="submit"]');
    await page.waitForSelector('[data-error-for="/alerts/memory/criticalPercent"]:not(:empty)');
    assert.match(
      (await page.textContent('[data-error-for="/alerts/memory/criticalPercent"]')) ?? '',
      /must not be below the warning level/,
    );
    await critical.fill('90');
    await page.fill('input[data-path="/alerts/memory/warningPercent"]', '50');
    await page.click('form.settings button[type="submit"]');
    await page.waitForSelector('.form-status:text("Saved.")');
    const key = await (async () => {
      await page.goto(`${serve?.url}#/`);
      return page.getAttribute(`tr.row[data-name="${PROJECT}-api-1"]`, 'data-key');
    })();
    await page.goto(`${serve?.url}#/c/${encodeURIComponent(key ?? '')}`);
    await waitForLines(page, (l) => l['warning']?.yMin === API_LIMIT / 2);
    await page.reload();
    await waitForLines(page, (l) => l['warning']?.yMin === API_LIMIT / 2);
  });

  it('ran without a script error or a CSP violation', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
