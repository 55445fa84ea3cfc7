import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLES } from '../../src/model.ts';
import { englishLeft, hasChinese, UNIT_AND_PRODUCT_WORDS } from '../helpers/chinese.ts';
import { buildRenderer, launchChromium, startServeIn, type ServeProcess } from '../helpers/serve-process.ts';
import { removeAll, startStack, waitForOom, type StandInStack } from '../stack/stack.ts';

const TAG = 'e2e-zh-cn';
const PROJECT = 'dm-zh';
const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dm-zh-'));

/**
 * Latin words the Chinese page may show besides the names it finds: units, protocols, file
 * formats and the words of commands and addresses it quotes (`dify-monitor hosts add`,
 * `tcp://…`), each of which a user types as it is.
 */
const ALLOWED = [
  ...UNIT_AND_PRODUCT_WORDS,
  'PID',
  'PIDs',
  'RSS',
  'pid',
  'cgroup',
  'proc',
  'top',
  'CSV',
  'JSON',
  'PNG',
  'API',
  'SSH',
  'TCP',
  'SMTP',
  'URL',
  'Webhook',
  'Slack',
  'ntfy',
  'STARTTLS',
  'starttls',
  'tls',
  'English',
  'Podman',
  'dify-monitor',
  'hosts',
  'add',
  'test',
  'tls-ca',
  'tcp',
  'ssh',
  'known_hosts',
  'DOCKER_HOST',
];

/** What a view shows to a reader: its text, its labels and tooltips, its options and its chart lines. */
async function words(page: Page): Promise<string> {
  return page.evaluate(() => {
    const attributes = [...document.querySelectorAll('[aria-label], [title], [placeholder]')].flatMap((el) =>
      ['aria-label', 'title', 'placeholder'].map((name) => el.getAttribute(name) ?? ''),
    );
    const options = [...document.querySelectorAll('option')].map((o) => o.textContent ?? '');
    const charts = window.difyMonitorCharts?.() ?? {};
    const lines = [charts['memory'], charts['cpu']].flatMap((annotations) =>
      Object.values((annotations ?? {}) as Record<string, { label?: { content?: string } }>).map(
        (a) => a.label?.content ?? '',
      ),
    );
    return [document.body.innerText, ...attributes, ...options, ...lines].join('\n');
  });
}

/** Names the page shows that are nobody's words: containers, stacks, hosts, images, processes. */
async function namesIn(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const data = [
      ...document.querySelectorAll<HTMLElement>('[data-name], [data-stack], [data-host], [data-key]'),
    ].flatMap((el) => [
      el.dataset['name'],
      el.dataset['stack'],
      el.dataset['host'],
      ...(el.dataset['key'] ?? '').split('/'),
    ]);
    const shown = [
      ...document.querySelectorAll('li.alert strong, tr[data-pid] td, select[name="key"] option'),
    ].map((el) => el.textContent ?? '');
    // Commands and example addresses are typed as they are.
    const commands = [...document.querySelectorAll('tr[data-pid] td[title]')].map(
      (el) => el.getAttribute('title') ?? '',
    );
    const addresses = [...document.querySelectorAll('[placeholder^="https://"]')].map(
      (el) => el.getAttribute('placeholder') ?? '',
    );
    return [...data, ...shown, ...commands, ...addresses].filter(
      (n): n is string => n !== undefined && n.length > 1,
    );
  });
}

describe(
  'the dashboard in Simplified Chinese, in Chromium with the zh-CN locale',
  { timeout: 300_000 },
  () => {
    let serve: ServeProcess | undefined;
    let browser: Browser | undefined;
    let stack: StandInStack;
    let zh: BrowserContext;
    let en: BrowserContext;
    let apiKey = '';

    /** Each view once its content is there: overview, a container, alerts, timeline, settings. */
    const views = (): readonly { name: string; hash: string; ready: string }[] => [
      { name: 'overview', hash: '#/', ready: `tr.row[data-name="${PROJECT}-api-1"]` },
      { name: 'detail', hash: `#/c/${encodeURIComponent(apiKey)}`, ready: 'tr[data-pid]' },
      { name: 'alerts', hash: '#/alerts', ready: 'li.alert[data-rule="oom-killed"]' },
      { name: 'timeline', hash: '#/timeline', ready: 'li.timeline-entry' },
      { name: 'settings', hash: '#/settings', ready: '.channels .empty, .channel-list' },
    ];

    async function open(context: BrowserContext, hash: string, ready: string): Promise<Page> {
      const page = await context.newPage();
      await page.goto(`${serve?.url}${hash}`);
      await page.locator(ready).first().waitFor({ timeout: 30_000 });
      // The detail view draws its lines once the history has come; one more round settles them.
      await page.waitForTimeout(1500);
      return page;
    }

    before(async () => {
      await removeAll(TAG);
      buildRenderer();
      serve = await startServeIn(dir);
      stack = await startStack({
        layout: 'current',
        project: PROJECT,
        tag: TAG,
        workloads: { api: { kind: 'steady', mib: 24 }, sandbox: { kind: 'leak', mibPerSecond: 16 } },
        memLimits: { api: '256m', sandbox: '48m' },
      });
      browser = await launchChromium();
      const viewport = { width: 1280, height: 900 };
      zh = await browser.newContext({ locale: 'zh-CN', viewport });
      en = await browser.newContext({ locale: 'en-US', viewport });
      await waitForOom(stack.service('sandbox').name, 60_000);
      const page = await open(zh, '#/', `tr.row[data-name="${PROJECT}-api-1"]`);
      apiKey = (await page.getAttribute(`tr.row[data-name="${PROJECT}-api-1"]`, 'data-key')) ?? '';
      await page.close();
    });

    after(async () => {
      await browser?.close();
      await serve?.stop();
      await removeAll(TAG);
      rmSync(dir, { recursive: true, force: true });
    });

    it('says everything in Chinese: no English word is left but names and units', async () => {
      // Roles are Dify's service names; the group headings show them in capitals.
      const names = [
        ...ROLES,
        ...ROLES.map((role) => role.toUpperCase()),
        ...stack.containers.flatMap((c) => [c.name, c.image]),
        PROJECT,
        'Dify Monitor',
        // The file serve keeps channel secrets in, named in Settings.
        'channel-secrets.json',
      ];
      for (const view of views()) {
        const page = await open(zh, view.hash, view.ready);
        assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
        const text = await words(page);
        assert.ok(hasChinese(text), `${view.name} is in Chinese`);
        // A host or stack named on one view (the overview's cards) is a name on the next too.
        names.push(...(await namesIn(page)));
        const left = englishLeft(text, names, ALLOWED);
        assert.deepEqual([...new Set(left)], [], `${view.name} has English left:\n${text}`);
        if (view.name === 'overview') await page.screenshot({ path: join(SHOTS, 'dashboard-zh-CN.png') });
        if (view.name === 'detail') await page.screenshot({ path: join(SHOTS, 'detail-zh-CN.png') });
        await page.close();
      }
    });

    it('answers an engine address as it is typed in Chinese, the plain TCP warning too', async () => {
      const page = await open(zh, '#/settings', 'form.host-form');
      for (const [typed, shown] of [
        ['ftp://example', '#host-url-error'],
        ['tcp://10.0.0.5', '#host-url-error'],
        ['tcp://10.0.0.5:2375', '.host-warning'],
      ] as const) {
        await page.fill('#host-url', typed);
        const text = (await page.textContent(shown)) ?? '';
        assert.ok(hasChinese(text), `${typed}: ${text}`);
        assert.deepEqual(englishLeft(text, ['example'], ALLOWED), [], `${typed}: ${text}`);
      }
      await page.close();
    });

    it('gives the reasons a setting is refused in Chinese', async () => {
      const page = await open(zh, '#/settings', 'form.settings');
      // Ajv's reasons first; the schema's own rules across fields run once every field is valid.
      const rounds = [
        {
          '#f-alerts-memory-warningPercent': 'abc',
          '#f-alerts-cpu-warningPercent': '150',
          '#f-intervals-trayMs': '0.5',
        },
        {
          '#f-alerts-memory-warningPercent': '85',
          '#f-alerts-cpu-warningPercent': '70',
          '#f-alerts-stack-criticalPercent': '10',
          '#f-intervals-fastMs': '3',
          '#f-intervals-trayMs': '2',
        },
      ];
      for (const values of rounds) {
        for (const [field, value] of Object.entries(values)) await page.fill(field, value);
        await page.click('form.settings button[type="submit"]');
        await page.locator('.form-status', { hasText: '未保存' }).waitFor({ timeout: 10_000 });
        const reasons = await page.$$eval('form.settings .field-error', (els) =>
          els.map((el) => el.textContent ?? '').filter((text) => text !== ''),
        );
        assert.ok(reasons.length >= 2, reasons.join(' | '));
        const text = [...reasons, (await page.textContent('.form-status')) ?? ''].join('\n');
        assert.ok(reasons.every(hasChinese), text);
        assert.deepEqual(englishLeft(text, [], ALLOWED), [], text);
        await page.evaluate(() => {
          const status = document.querySelector('.form-status');
          if (status !== null) status.textContent = '';
        });
      }
      await page.close();
    });

    it('stays in English for an English browser', async () => {
      for (const view of views()) {
        const page = await open(en, view.hash, view.ready);
        assert.equal(await page.getAttribute('html', 'lang'), 'en');
        const text = await words(page);
        assert.ok(!hasChinese(text.replaceAll('简体中文', '')), `${view.name} has no Chinese:\n${text}`);
        assert.match(text, /Overview[\s\S]*Alerts[\s\S]*Timeline[\s\S]*Settings/);
        await page.close();
      }
    });

    it('follows the Language setting over the browser, and back to the browser with automatic', async () => {
      const page = await open(en, '#/settings', 'form.settings');
      await page.selectOption('#f-language', 'zh-CN');
      await page.click('form.settings button[type="submit"]');
      await page.locator('[data-nav="overview"]', { hasText: '总览' }).waitFor({ timeout: 10_000 });
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      assert.equal(await page.textContent('form.settings h2'), '设置');
      const other = await open(en, '#/alerts', 'li.alert');
      assert.equal(
        await other.textContent('.alerts h2'),
        '告警',
        'a page opened later reads the saved setting',
      );
      await page.selectOption('#f-language', 'auto');
      await page.click('form.settings button[type="submit"]');
      await page.locator('[data-nav="overview"]', { hasText: 'Overview' }).waitFor({ timeout: 10_000 });
      await other.locator('.alerts h2', { hasText: 'Alerts' }).waitFor({ timeout: 10_000 });
      await page.close();
      await other.close();
    });
  },
);
