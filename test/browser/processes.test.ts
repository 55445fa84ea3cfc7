import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildRenderer, launchChromium, startServeIn, type ServeProcess } from '../helpers/serve-process.ts';
import { removeAll, startStack, type StandInStack } from '../stack/stack.ts';

const TAG = 'e2e-processes';
const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'dm-processes-'));

interface Row {
  readonly pid: number;
  readonly what: string;
  readonly rssBytes: number;
}

function rows(page: Page): Promise<Row[]> {
  return page.$$eval('[data-processes] tr[data-pid]', (trs) =>
    trs.map((tr) => ({
      pid: Number(tr.getAttribute('data-pid')),
      what: tr.children[1]?.textContent ?? '',
      rssBytes: Number(tr.querySelector('[data-rss-bytes]')?.getAttribute('data-rss-bytes')),
    })),
  );
}

function procRss(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1]) * 1024;
}

for (const source of ['auto', 'api'] as const) {
  describe(
    `who holds the memory, in the detail view (serve --source ${source})`,
    { timeout: 180_000 },
    () => {
      let serve: ServeProcess | undefined;
      let browser: Browser | undefined;
      let stack: StandInStack;
      let page: Page;

      before(async () => {
        await removeAll(TAG);
        buildRenderer();
        serve = await startServeIn(dir, ['--source', source]);
        stack = await startStack({
          layout: 'current',
          project: `dm-procs-${source}`,
          tag: TAG,
          workloads: { worker: { kind: 'steady', mib: 24 } },
        });
        browser = await launchChromium();
        page = await browser.newPage();
        await page.goto(serve.url);
      });

      after(async () => {
        await browser?.close();
        await serve?.stop();
        await removeAll(TAG);
      });

      it('lists the container’s processes, largest first, and draws the largest on the memory chart', async () => {
        const worker = stack.service('worker');
        const row = page.locator(`tr.row[data-name="${worker.name}"][data-state="running"]`);
        await row.waitFor({ timeout: 30_000 });
        const key = await row.getAttribute('data-key');
        await page.goto(`${serve?.url}#/c/${encodeURIComponent(key ?? '')}`);
        await page.locator('[data-processes] tr[data-pid]').first().waitFor({ timeout: 30_000 });
        const listed = await rows(page);
        const first = listed[0];
        assert.ok(first !== undefined);
        assert.equal(first.what, 'awk');
        assert.ok(first.rssBytes >= 24 * MiB, `${first.rssBytes / MiB} MiB`);
        assert.ok(
          Math.abs(first.rssBytes - procRss(first.pid)) / procRss(first.pid) <= 0.05,
          'RSS as /proc says',
        );
        assert.deepEqual(
          listed.map((r) => r.rssBytes),
          [...listed.map((r) => r.rssBytes)].sort((a, b) => b - a),
        );
        await page.waitForFunction(
          () =>
            Object.values(
              (window.difyMonitorCharts?.()['memory'] ?? {}) as Record<
                string,
                { label?: { content?: string } }
              >,
            ).some((a) => a.label?.content?.startsWith('largest process: awk') === true),
          null,
          { timeout: 20_000 },
        );
        const how = await page.locator('section.processes p.lines').textContent();
        assert.match(how ?? '', source === 'api' ? /engine’s top endpoint/ : /cgroup and \/proc every round/);
      });
    },
  );
}

after(() => rmSync(dir, { recursive: true, force: true }));
