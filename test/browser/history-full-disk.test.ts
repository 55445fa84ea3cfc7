import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Snapshot } from '../../src/api.ts';
import { DEFAULT_SETTINGS } from '../../src/settings/schema.ts';
import { buildRenderer, launchChromium, startServeIn, type ServeProcess } from '../helpers/serve-process.ts';
import { removeAll, startStack } from '../stack/stack.ts';

/*
 * A full disk stops history writes, and nothing else. The data folder is a 2 MiB tmpfs, filled up
 * once serve has opened its files; then a leaking container comes up. History writes fail: serve
 * says so on stderr, every host carries the warning (what the dashboard's banner and `watch`
 * show), samples keep coming, and the leak still raises its memory alert.
 */

const TAG = 'history-full';
const PROJECT = 'dm-hfull';
const API = `${PROJECT}-api-1`;
const FULL = /History is not being saved: the disk holding .*history\.sqlite is full/;
const dir = mkdtempSync(join(tmpdir(), 'dm-history-full-'));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  for (const deadline = Date.now() + ms; ;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe(
  'a full disk stops history writes with a warning; monitoring and alerts go on',
  { timeout: 240_000 },
  () => {
    let serve: ServeProcess | undefined;
    let browser: Browser | undefined;
    let mounted = false;
    const snapshot = async (): Promise<Snapshot> => {
      const res = await fetch(`${new URL(serve?.url ?? '').origin}/api/monitor:snapshot`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: 'null',
      });
      return (await res.json()) as Snapshot;
    };

    before(async () => {
      await removeAll(TAG);
      buildRenderer();
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir]);
      mounted = true;
      const settings = { ...DEFAULT_SETTINGS, intervals: { fastMs: 1000, trayMs: 1000 } };
      writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings));
      serve = await startServeIn(dir);
      // dd stops when the file system is full; its "No space left" is the point.
      spawnSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=4k'], { stdio: 'ignore' });
      await startStack({
        layout: 'current',
        project: PROJECT,
        tag: TAG,
        workloads: { api: { kind: 'leak', mibPerSecond: 2 } },
        memLimits: { api: '96m' },
      });
    });

    after(async () => {
      await browser?.close();
      await serve?.stop();
      await removeAll(TAG);
      if (mounted) execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    });

    it('says so on stderr and in every host state, once', async () => {
      const hosts = await waitFor('the warning on the hosts', async () => {
        const states = (await snapshot()).hosts;
        return states.length > 0 && states.every((h) => FULL.test(h.warning ?? '')) ? states : undefined;
      });
      assert.ok(hosts.length >= 1);
      assert.match(serve?.stderr() ?? '', FULL);
      assert.equal((serve?.stderr() ?? '').split('\n').filter((l) => FULL.test(l)).length, 1);
    });

    it('samples keep coming and the leak still raises its memory alert', async () => {
      const first = await waitFor('an api sample', async () =>
        (await snapshot()).samples.find((s) => s.name === API),
      );
      const later = await waitFor('a later api sample', async () => {
        const sample = (await snapshot()).samples.find((s) => s.name === API);
        return sample !== undefined && sample.ts > first.ts + 5000 ? sample : undefined;
      });
      assert.ok(later.memUsageBytes !== null && later.memUsageBytes > (first.memUsageBytes ?? 0));
      const alert = await waitFor('the memory alert', async () =>
        (await snapshot()).alerts.find((a) => a.name === API && a.rule === 'memory-threshold'),
      );
      assert.equal(alert.severity === 'warning' || alert.severity === 'critical', true);
      assert.match((await snapshot()).hosts[0]?.warning ?? '', FULL, 'still said while writes fail');
    });

    it('the dashboard shows the warning in Chromium', async () => {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(serve?.url ?? '');
      const banner = page.locator('[data-host-warning]').first();
      await banner.waitFor({ timeout: 30_000 });
      assert.match((await banner.textContent()) ?? '', FULL);
    });
  },
);
