/**
 * The tray app in Simplified Chinese (#17): the real main/index.ts, booted with `--lang=zh-CN` so
 * that app.getLocale() says zh-CN, labels its tray menu and writes its tooltip in Chinese; the
 * `language` setting, changed from the page, turns them English without a restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { englishLeft, hasChinese, UNIT_AND_PRODUCT_WORDS } from '../helpers/chinese.ts';
import { ensureNotifySession } from '../helpers/dbus.ts';
import { buildRenderer, launchChromium } from '../helpers/serve-process.ts';
import { bootDesktop, until, type DesktopApp } from './harness.ts';

/** A Docker context that does not exist: the engine is found as `local`, and does not answer. */
const CONTEXT = 'none-here';

describe('the tray app in Simplified Chinese', { timeout: 120_000 }, () => {
  let browser: Browser;
  let app: DesktopApp;

  before(async () => {
    await ensureNotifySession();
    buildRenderer();
    browser = await launchChromium();
  });

  after(async () => {
    await app?.quit();
    await browser?.close();
  });

  it('menu and tooltip are Chinese from app.getLocale(), and English once the setting says so', async () => {
    app = await bootDesktop({
      browser,
      env: {
        DOCKER_CONTEXT: CONTEXT,
        LANG: 'C',
        LC_ALL: undefined,
        LC_MESSAGES: undefined,
        LANGUAGE: undefined,
      },
      switches: { lang: 'zh-CN' },
    });
    const tooltip = await until('the tooltip', () => app.tray().tooltip || undefined);
    assert.ok(hasChinese(tooltip), tooltip);
    assert.deepEqual(englishLeft(tooltip, [], UNIT_AND_PRODUCT_WORDS), [], tooltip);
    const labels = app.menu().items.flatMap((i) => (i.label === undefined ? [] : [i.label]));
    assert.ok(labels.includes('打开仪表盘'), String(labels));
    assert.ok(labels.includes('退出 Dify Monitor'), String(labels));
    for (const label of labels) {
      assert.ok(hasChinese(label), label);
      assert.deepEqual(englishLeft(label, ['local', CONTEXT], UNIT_AND_PRODUCT_WORDS), [], label);
    }

    const page = await app.page();
    await page.evaluate(async () => {
      if (window.difyMonitor === undefined) throw new Error('the preload exposed no difyMonitor');
      await window.difyMonitor.invoke('settings:set', { language: 'en' });
    });
    await until('the English menu', () =>
      app.menu().items.some((i) => i.label === 'Open dashboard') ? true : undefined,
    );
    assert.ok(!hasChinese(app.tray().tooltip), app.tray().tooltip);
    assert.deepEqual(app.errors(), []);
  });
});
