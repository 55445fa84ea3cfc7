import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { createCollectors } from '../../src/collect/connect.ts';
import { ownerOnlyFileStore } from '../../src/delivery/secret-store.ts';
import { createMonitorService } from '../../src/service/create-monitor.ts';
import { DEFAULT_CHANNELS, DEFAULT_SETTINGS, type ChannelSetting } from '../../src/settings/schema.ts';
import { memorySettingsStore } from '../../src/settings/store.ts';
import { systemClock } from '../../src/util/clock.ts';
import { CLI, runCli } from '../helpers/cli.ts';
import { wireWindow } from '../unit/main/ipc-window.ts';
import { buildRenderer, launchChromium, startServe, type ServeProcess } from '../helpers/serve-process.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { inspectBody, startFakeDaemon, statsBody, type FakeDaemon } from '../helpers/fake-daemon.ts';

/*
 * What test/unit/serve/server.test.ts (token, Host check, CSP header) and test/browser/hostile-bridge.test.ts
 * (a container named <img src=x onerror=…> rendered as text under the CSP) already prove is not
 * repeated here. This adds the process as shipped: `serve` bound off loopback, asked from another
 * address without its token; and a grep for planted secrets in everything we print or save.
 */

const run = promisify(execFile);
const PLANTED = ['planted-secret-key-6f1d', 'planted-db-password-93ab', 'planted-openai-key-sk-77c2'];

/** Every kind of channel secret: the tokens inside webhook URLs, signing secrets, the ntfy token, the SMTP password. */
const CHANNEL_SECRETS = {
  webhookUrlToken: 'planted-webhook-url-token-1c9d',
  webhookSecret: 'planted-webhook-hmac-secret-5b2e',
  slackToken: 'planted-slack-token-8e41',
  dingtalkToken: 'planted-dingtalk-token-4a7e',
  dingtalkSecret: 'SECplanted-dingtalk-secret-0f3b',
  feishuHook: 'planted-feishu-hook-6d2a',
  feishuSecret: 'planted-feishu-secret-93c0',
  wecomKey: 'planted-wecom-key-27f5',
  ntfyTopic: 'planted-ntfy-topic-b81d',
  ntfyToken: 'tk_plantedntfytoken51aa',
  smtpPassword: 'planted-smtp-password-e6a4',
  flagToken: 'planted-flag-webhook-token-d3c8',
};

/**
 * One channel of every kind, all pointed at a receiver that answers 500, so that every secret is
 * used, every delivery fails and is retried, and the failures are told on stderr: the paths a
 * secret could leak by. The e-mail channel's server refuses connections.
 */
function plantChannels(dir: string, base: string): void {
  const c = CHANNEL_SECRETS;
  const secrets: Record<string, Record<string, string>> = {
    hook: { url: `${base}/hooks/${c.webhookUrlToken}`, secret: c.webhookSecret },
    slack: { url: `${base}/services/T0/B0/${c.slackToken}` },
    ding: { url: `${base}/robot/send?access_token=${c.dingtalkToken}`, secret: c.dingtalkSecret },
    feishu: { url: `${base}/open-apis/bot/v2/hook/${c.feishuHook}`, secret: c.feishuSecret },
    wecom: { url: `${base}/cgi-bin/webhook/send?key=${c.wecomKey}` },
    ntfy: { url: `${base}/${c.ntfyTopic}`, token: c.ntfyToken },
    mail: { password: c.smtpPassword },
  };
  const kinds = {
    hook: 'webhook',
    slack: 'slack',
    ding: 'dingtalk',
    feishu: 'feishu',
    wecom: 'wecom',
    ntfy: 'ntfy',
    mail: 'email',
  } as const;
  const list: ChannelSetting[] = Object.entries(kinds).map(([name, kind]) => ({
    name,
    kind,
    enabled: true,
    target: 'shown as channels add would mask it',
    minSeverity: 'warning',
    stacks: [],
    rules: [],
    ...(kind === 'email'
      ? {
          smtp: {
            host: '127.0.0.1',
            port: 1,
            security: 'starttls' as const,
            user: 'alerts',
            from: 'm@example.com',
            to: ['o@example.com'],
          },
        }
      : {}),
  }));
  writeFileSync(join(dir, 'channel-secrets.json'), JSON.stringify({ version: 1, channels: secrets }), {
    mode: 0o600,
  });
  writeFileSync(
    join(dir, 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, channels: { ...DEFAULT_CHANNELS, list, groupWaitMs: 0 } }),
  );
}

function call(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; readMs?: number } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      // The event stream never ends: read it for a while, then hang up.
      if (options.readMs !== undefined)
        setTimeout(() => {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, body });
        }, options.readMs);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** An address of this machine that is not loopback: what another machine on the LAN would dial. */
function lanAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('this machine has no non-loopback IPv4 address to test from');
}

describe('secrets and the network', { timeout: 90_000 }, () => {
  let daemon: FakeDaemon;
  let serve: ServeProcess;
  let receiver: WebhookReceiver;
  let browser: Browser | undefined;

  before(async () => {
    buildRenderer();
    daemon = await startFakeDaemon({
      containers: ['vault'],
      routes: {
        // Dify's api container holds its secrets in its environment; inspect hands them to us.
        'inspect:vault': (_q, res) => {
          const body = inspectBody('vault') as { Config: Record<string, unknown> };
          body.Config['Env'] = [
            `SECRET_KEY=${PLANTED[0]}`,
            `DB_PASSWORD=${PLANTED[1]}`,
            `OPENAI_API_KEY=${PLANTED[2]}`,
            'MODE=api',
          ];
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        },
        // Near its limit, so that alerts are raised and logged about it.
        'stats:vault': (_q, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          const body = statsBody(2) as { memory_stats: Record<string, unknown> };
          body.memory_stats = { usage: 960_000_000, limit: 1_000_000_000, stats: {} };
          res.end(`${JSON.stringify(body)}\n`);
        },
      },
    });
    receiver = await startWebhookReceiver({ status: 500, body: 'internal error' });
    plantChannels(daemon.dir, new URL(receiver.url).origin);
    serve = await startServe([
      '--webhook',
      `${new URL(receiver.url).origin}/flag?token=${CHANNEL_SECRETS.flagToken}`,
      '--bind',
      '0.0.0.0',
      '--all',
      '--host',
      daemon.url,
      '--settings',
      join(daemon.dir, 'settings.json'),
      '--alert-log',
      join(daemon.dir, 'serve-alerts.json'),
      '--metrics',
    ]);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    await receiver?.close();
    await daemon?.close();
  });

  it('serve off loopback refuses every request without its token, from another address', async () => {
    const token = new URL(serve.url).searchParams.get('token');
    assert.ok(token !== null && token.length >= 32, `a token was made and printed: ${serve.url}`);
    const base = `http://${lanAddress()}:${new URL(serve.url).port}`;
    for (const path of ['/', '/api/events']) assert.equal((await call(`${base}${path}`)).status, 401, path);
    const anonymous = await call(`${base}/api/monitor:snapshot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'null',
    });
    assert.equal(anonymous.status, 401);
    const wrong = await call(`${base}/api/monitor:snapshot`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-token', 'content-type': 'application/json' },
      body: 'null',
    });
    assert.equal(wrong.status, 401);
    assert.doesNotMatch(wrong.body, new RegExp(token), 'a refusal never echoes the token');
  });

  it('planted secrets appear in no output: watch --json, alert logs, serve’s API (channels too), events, metrics, exports and the Settings page', async () => {
    const token = new URL(serve.url).searchParams.get('token') ?? '';
    const authorised = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const base = serve.url.replace(/\/\?token=.*$/, '');
    const watch = await runCli(
      [
        'watch',
        '--json',
        '--all',
        '--interval',
        '500ms',
        '--host',
        daemon.url,
        '--alert-log',
        join(daemon.dir, 'watch-alerts.json'),
      ],
      4000,
    );
    assert.ok(
      watch.lines.some((l) => l['type'] === 'alert' && l['name'] === 'vault'),
      'alerts about the container were raised',
    );
    const events = await call(`${base}/api/events`, { headers: authorised, readMs: 3000 });
    const snapshot = await call(`${base}/api/monitor:snapshot`, {
      method: 'POST',
      headers: authorised,
      body: 'null',
    });
    assert.equal(snapshot.status, 200);
    assert.match(snapshot.body, /"name":"vault"/, 'the snapshot is about the planted container');
    const metrics = await call(`${base}/metrics`, { headers: authorised });
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /name="vault"/, 'the metrics are about the planted container');
    const exports: Record<string, string> = {};
    for (const format of ['csv', 'json']) {
      // Not runCli: a JSON export is one pretty-printed document, not JSON lines.
      const exported = await run(
        process.execPath,
        [CLI, 'export', '--since', '5m', '--format', format, '--url', base, '--token', token],
        {
          timeout: 15_000,
        },
      );
      assert.match(exported.stdout, /vault/, `the ${format} export is about the planted container`);
      exports[`export --format ${format} stdout`] = exported.stdout;
      exports[`export --format ${format} stderr`] = exported.stderr;
    }
    // Every channel, the --webhook one included, has tried and failed by now, and said so.
    const deadline = Date.now() + 20_000;
    // ntfy's JSON goes to the server's root; every other channel posts to its own path.
    const paths = ['/hooks/', '/services/', '/robot/send', '/open-apis/', '/cgi-bin/', '/flag'];
    const tried = (): number =>
      paths.filter((p) => receiver.paths.some((path) => path.startsWith(p))).length +
      (receiver.paths.includes('/') ? 1 : 0);
    while (tried() < 7) {
      assert.ok(Date.now() < deadline, `every HTTP channel was tried (got ${receiver.paths.join(', ')})`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const listed = await run(process.execPath, [
      CLI,
      'channels',
      'list',
      '--settings',
      join(daemon.dir, 'settings.json'),
    ]);
    assert.match(listed.stdout, /ding/, 'the channels are listed');
    const invoke = (channel: string, body: unknown) =>
      call(`${base}/api/${channel}`, { method: 'POST', headers: authorised, body: JSON.stringify(body) });
    const channelList = await invoke('channels:list', null);
    assert.match(channelList.body, /"name":"ding"/, 'serve lists the channels');
    assert.match(channelList.body, /"last":"retrying"/, 'with their failures');
    const channelTests = await Promise.all(
      ['hook', 'slack', 'ding', 'feishu', 'wecom', 'ntfy', 'mail'].map((name) =>
        invoke('channels:test', { name }),
      ),
    );
    assert.match(channelTests[0]?.body ?? '', /internal error/, 'a test answers with the receiver’s words');
    // The page as a browser holds it: Settings with every channel listed and one tested.
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(serve.url);
    await page.goto(`${base}/#/settings`);
    await page.waitForSelector('tr.channel[data-channel="mail"]');
    await page.click('tr.channel[data-channel="ding"] button.test-channel');
    await page.waitForSelector('tr.channel[data-channel="ding"] .channel-test-result[data-ok]');
    const dom = await page.evaluate(
      () =>
        document.documentElement.outerHTML +
        [...document.querySelectorAll('input, select')]
          .map((el) => (el as HTMLInputElement).value)
          .join('\n'),
    );
    const outputs: Record<string, string> = {
      'serve channels:list': channelList.body,
      'serve channels:test': channelTests.map((t) => t.body).join('\n'),
      'the Settings page': dom,
      'watch --json stdout': watch.stdout,
      'watch stderr': watch.stderr,
      'watch alert log': readFileSync(join(daemon.dir, 'watch-alerts.json'), 'utf8'),
      'serve snapshot': snapshot.body,
      'serve event stream': events.body,
      'serve alert log': readFileSync(join(daemon.dir, 'serve-alerts.json'), 'utf8'),
      'serve stderr': serve.stderr(),
      'serve metrics': metrics.body,
      ...exports,
      'channels list stdout': listed.stdout,
      'channels list stderr': listed.stderr,
      'settings file': readFileSync(join(daemon.dir, 'settings.json'), 'utf8'),
      'outbox file': readFileSync(join(daemon.dir, 'outbox.json'), 'utf8'),
    };
    for (const [where, text] of Object.entries(outputs)) {
      for (const secret of [...PLANTED, ...Object.values(CHANNEL_SECRETS)])
        assert.ok(!text.includes(secret), `${secret} leaked into ${where}`);
      if (where.startsWith('serve ') || where.startsWith('export '))
        assert.ok(!text.includes(token), `the serve token leaked into ${where}`);
    }
  });
  it('the Electron IPC carries none of them, nor where the keys of saved hosts are kept', async () => {
    const keyFiles = ['/keys/planted-tls-key.pem', '/keys/planted-ca.pem', '/keys/planted-id_ed25519'];
    const saved = JSON.parse(
      readFileSync(join(daemon.dir, 'settings.json'), 'utf8'),
    ) as typeof DEFAULT_SETTINGS;
    const settings = memorySettingsStore({
      ...DEFAULT_SETTINGS,
      channels: saved.channels ?? DEFAULT_CHANNELS,
      hosts: [
        {
          name: 'vpn',
          url: 'tcp://10.255.0.1:2376',
          tls: { caPath: keyFiles[1], certPath: '/keys/cert.pem', keyPath: keyFiles[0] },
        },
        { name: 'box', url: 'ssh://dev@10.255.0.2', identityFile: keyFiles[2] },
      ],
    });
    const made = await createCollectors(
      [daemon.url],
      [],
      { intervalMs: 500, includeOthers: true, source: 'api', requestTimeoutMs: 5000 },
      () => undefined,
    );
    assert.ok(made.ok);
    const notified: unknown[] = [];
    const service = createMonitorService({
      collectors: made.collectors,
      clock: systemClock,
      settings,
      channels: {
        dir: daemon.dir,
        secrets: ownerOnlyFileStore(daemon.dir),
        secretsKept: 'in the planted file',
      },
      notifier: {
        available: true,
        check: async () => true,
        notify: async (n) => {
          notified.push(n);
          return { ok: true };
        },
      },
    });
    const wired = wireWindow(service);
    try {
      const deadline = Date.now() + 20_000;
      while (!wired.window.sent.some(([channel]) => channel === 'monitor:alert')) {
        assert.ok(Date.now() < deadline, 'an alert about the planted container reached the window');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const snapshot = JSON.stringify(await wired.invoke('monitor:snapshot', null));
      assert.match(snapshot, /"name":"vault"/);
      const key = /"key":"([^"]+vault[^"]*)"/.exec(snapshot)?.[1] ?? '';
      const answers = [
        snapshot,
        JSON.stringify(await wired.invoke('monitor:history', { key, metric: 'memUsageBytes', window: '5m' })),
        JSON.stringify(await wired.invoke('hosts:list', null)),
        JSON.stringify(await wired.invoke('channels:list', null)),
        JSON.stringify(await wired.invoke('channels:test', { name: 'hook' })),
        JSON.stringify(wired.window.sent),
        JSON.stringify(notified),
      ].join('\n');
      assert.match(answers, /"name":"vpn"/, 'the saved hosts are listed');
      assert.match(answers, /"name":"ding"/, 'the channels are listed');
      for (const secret of [...PLANTED, ...keyFiles, ...Object.values(CHANNEL_SECRETS)])
        assert.ok(!answers.includes(secret), `${secret} reached the window`);
    } finally {
      wired.stop();
      await service.stop();
    }
  });
});
