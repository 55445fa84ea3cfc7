import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import type { ActiveAlert, Alert } from '../../../src/alerts/types.ts';
import { verdictOf } from '../../../src/alerts/verdict.ts';
import { flagChannel, startDelivery, type AlertDelivery } from '../../../src/delivery/delivery.ts';
import { outboxPathIn, readOutbox } from '../../../src/delivery/outbox.ts';
import { saveChannelSecrets, secretsPathIn } from '../../../src/delivery/secrets.ts';
import { DEFAULT_CHANNELS, DEFAULT_SETTINGS, type Settings } from '../../../src/settings/schema.ts';
import { memorySettingsStore } from '../../../src/settings/store.ts';
import { setLanguage } from '../../../src/i18n/index.ts';
import { englishLeft, UNIT_AND_PRODUCT_WORDS } from '../../helpers/chinese.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.ts';
import { alertOf, channelOf, feedOf, manualClock, T0, until } from './fixtures.ts';

const dirs: string[] = [];
const running: AlertDelivery[] = [];
const receivers: WebhookReceiver[] = [];

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dm-delivery-'));
  dirs.push(dir);
  return dir;
}

/** No group wait: each alert's incident is due at once, so each test reads as the sends it makes. */
function settingsWith(list = DEFAULT_CHANNELS.list, over: Partial<Settings['alerts']> = {}): Settings {
  return {
    ...DEFAULT_SETTINGS,
    alerts: { ...DEFAULT_SETTINGS.alerts, ...over },
    channels: { ...DEFAULT_CHANNELS, list, groupWaitMs: 0 },
  };
}

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  receivers.push(r);
  return r;
}

function start(
  dir: string,
  hook: WebhookReceiver,
  options: { settings?: Settings; maxMessages?: number } = {},
) {
  const clock = manualClock();
  const warnings: string[] = [];
  const settings = memorySettingsStore(options.settings ?? settingsWith());
  const delivery = startDelivery({
    dir,
    settings,
    clock,
    warn: (text) => warnings.push(text),
    webhooks: [hook.url],
    limits: {
      timeoutMs: 2000,
      ...(options.maxMessages === undefined ? {} : { maxMessages: options.maxMessages }),
    },
  });
  running.push(delivery);
  const feed = feedOf();
  delivery.follow(feed);
  return { clock, warnings, feed, delivery, settings };
}

function activeOf(a: Alert): ActiveAlert {
  return {
    rule: a.rule,
    severity: a.severity,
    host: a.host,
    stack: a.stack,
    name: a.name,
    key: a.key ?? a.name,
    etaSeconds: null,
  };
}

/** An alert about its own stack, raised and holding. */
function fire(feed: ReturnType<typeof feedOf>, stack: string, holding: Alert[]): Alert {
  const alert = alertOf({ stack, key: `prod/${stack}/worker/1`, name: `${stack}-worker-1` });
  holding.push(alert);
  feed.push(alert);
  feed.judge(verdictOf(holding.map(activeOf), [], T0));
  return alert;
}

const onDisk = (dir: string) => readOutbox(outboxPathIn(dir), T0).state;

afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
});

after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('delivery through the outbox', () => {
  it('writes each message to disk before its first attempt', async () => {
    const dir = folder();
    const hook = await receiver();
    const seenOnDisk: boolean[] = [];
    hook.behaviour = { status: 200 };
    const { feed } = start(dir, hook);
    const original = hook.requests.push.bind(hook.requests);
    hook.requests.push = (...bodies) => {
      for (const b of bodies) seenOnDisk.push(onDisk(dir).messages.some((m) => m.id === b['id']));
      return original(...bodies);
    };
    fire(feed, 'dify', []);
    await until('the receiver got the message', () => hook.accepted.length === 1);
    assert.deepEqual(seenOnDisk, [true], 'the outbox held it while it was being sent');
    await until('the outbox is empty', () => onDisk(dir).messages.length === 0);
  });

  it('a 5xx is tried again with backoff; delivered once it answers, and the user is told both', async () => {
    const dir = folder();
    const hook = await receiver();
    hook.next.push({ status: 503 }, { status: 502 });
    const { feed, clock, warnings } = start(dir, hook);
    fire(feed, 'dify', []);
    await until('the first try', () => hook.requests.length === 1 && clock.pending().includes(2000));
    clock.advance(2000);
    await until('the second try', () => hook.requests.length === 2 && clock.pending().includes(4000));
    clock.advance(4000);
    await until('delivered', () => hook.accepted.length === 1);
    assert.equal(new Set(hook.requests.map((r) => r['id'])).size, 1, 'the same message each time');
    assert.match(warnings.join('\n'), /cannot deliver \(HTTP 503/);
    assert.match(warnings.join('\n'), /delivered again after 2 failed tries/);
    await until(
      'the status is on disk',
      () => onDisk(dir).channels[flagChannel(hook.url).name]?.deliveredAt !== undefined,
    );
  });

  it('in Simplified Chinese the user is told of the retry and the delivery in Chinese, and the message is Chinese', async (t) => {
    setLanguage('zh-CN');
    t.after(() => setLanguage('en'));
    const dir = folder();
    const hook = await receiver();
    hook.next.push({ status: 503 });
    const { feed, clock, warnings } = start(dir, hook);
    fire(feed, 'dify', []);
    await until('the first try', () => hook.requests.length === 1 && clock.pending().includes(2000));
    clock.advance(2000);
    await until('delivered', () => hook.accepted.length === 1);
    const channel = flagChannel(hook.url).name;
    assert.match(
      warnings[0] ?? '',
      /^渠道“.+”：无法送达（HTTP 503.*）；2 秒后重试，之后逐步延长间隔。发件箱中有 1 条消息等待发送。$/,
    );
    assert.equal(warnings[1], `渠道“${channel}”：失败 1 次后已重新送达。`);
    const told = warnings.map((w) => w.replace(/（HTTP 503[^）]*）/, ''));
    assert.deepEqual(englishLeft(told.join('\n'), [channel], UNIT_AND_PRODUCT_WORDS), [], told.join('\n'));
    assert.match(String(hook.accepted[0]?.['title']), /^🟠 dify：内存持续上涨 dify-worker-1（worker）$/);
  });

  it('429 waits for its Retry-After', async () => {
    const dir = folder();
    const hook = await receiver();
    hook.next.push({ status: 429, headers: { 'retry-after': '7' } });
    const { feed, clock } = start(dir, hook);
    fire(feed, 'dify', []);
    await until('the 429', () => hook.requests.length === 1 && clock.pending().includes(7000));
    clock.advance(6999);
    assert.equal(hook.requests.length, 1);
    clock.advance(1);
    await until('delivered after Retry-After', () => hook.accepted.length === 1);
  });

  it('a 4xx other than 429 is not retried: the channel shows the error, and the next message goes', async () => {
    const dir = folder();
    const hook = await receiver();
    hook.next.push({ status: 404, body: 'no_service' });
    const { feed, warnings } = start(dir, hook);
    const holding: Alert[] = [];
    fire(feed, 'dify', holding);
    await until('refused', () => warnings.some((w) => /refused/.test(w)));
    const status = onDisk(dir).channels[flagChannel(hook.url).name];
    assert.equal(status?.error?.retrying, false);
    assert.match(status?.error?.why ?? '', /HTTP 404.*no_service/);
    fire(feed, 'dify-staging', holding);
    await until('the next message', () => hook.accepted.length === 1);
    assert.equal(hook.requests.length, 2, 'the refused message was not sent again');
    assert.equal(hook.accepted[0]?.['stack'], 'dify-staging');
  });

  it('a receiver that is down: every message waits, then arrives once and in order', async () => {
    const dir = folder();
    const hook = await receiver();
    await hook.down();
    const { feed, clock } = start(dir, hook);
    const holding: Alert[] = [];
    for (const stack of ['a', 'b', 'c']) fire(feed, stack, holding);
    await until('the first refused connection', () => clock.pending().includes(2000));
    assert.equal(onDisk(dir).messages.length, 3);
    await hook.up();
    clock.advance(2000);
    await until('all three', () => hook.accepted.length === 3);
    assert.deepEqual(
      hook.accepted.map((m) => m['stack']),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(
      hook.accepted.map((m) => m['seq']),
      [1, 2, 3],
    );
    assert.equal(hook.requests.length, 3, 'each once');
    assert.deepEqual(hook.invalid, []);
  });

  it('kept across a crash: a new process sends what the last one left, once', async () => {
    const dir = folder();
    const hook = await receiver();
    hook.behaviour = 'hang';
    const first = start(dir, hook);
    fire(first.feed, 'dify', []);
    await until('the first attempt hangs', () => hook.requests.length === 1);
    // A kill -9: the process is gone without stopping anything; only the disk remains.
    running.splice(running.indexOf(first.delivery), 1);
    writeFileSync(join(dir, 'outbox.lock'), '999999999\n');
    hook.behaviour = { status: 200 };
    start(dir, hook);
    await until('the restarted one delivered', () => hook.accepted.length === 1);
    assert.equal(
      hook.accepted[0]?.['id'],
      hook.requests[0]?.['id'],
      'the message the receiver never answered',
    );
    await first.delivery.stop();
  });

  it('bounded: when full, the oldest resolved message goes first, and the user is told', async () => {
    const dir = folder();
    const hook = await receiver();
    await hook.down();
    const { feed, warnings } = start(dir, hook, { maxMessages: 3 });
    const holding: Alert[] = [];
    fire(feed, 'a', holding);
    fire(feed, 'b', holding);
    holding.shift();
    feed.judge(verdictOf(holding.map(activeOf), [], T0));
    const resolvedOfA = onDisk(dir).messages.at(-1);
    assert.equal(resolvedOfA?.status, 'resolved');
    fire(feed, 'c', holding);
    const waiting = onDisk(dir).messages;
    assert.deepEqual(
      waiting.map((m) => `${m.stack} ${m.status}`),
      ['a firing', 'b firing', 'c firing'],
    );
    assert.match(
      warnings.join('\n'),
      /outbox is full \(3 messages waiting\): dropped the oldest resolved message/,
    );
    assert.equal(onDisk(dir).channels[flagChannel(hook.url).name]?.dropped, 1);
  });

  it('mutes and quiet hours: a muted alert sends nothing', async () => {
    const dir = folder();
    const hook = await receiver();
    const { feed } = start(dir, hook, { settings: settingsWith([], { muteUntil: T0 + 3_600_000 }) });
    feed.push({ ...alertOf(), muted: true });
    feed.judge(verdictOf([activeOf(alertOf())], [], T0));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(hook.requests, []);
  });

  it('a channel removed from the settings takes its waiting messages with it, and says so', async () => {
    const dir = folder();
    const hook = await receiver();
    await hook.down();
    assert.equal(saveChannelSecrets(secretsPathIn(dir), 'saved', { url: hook.url }), null);
    const { feed, settings, warnings } = start(dir, hook, {
      settings: settingsWith([channelOf({ name: 'saved' })]),
    });
    fire(feed, 'dify', []);
    assert.equal(onDisk(dir).messages.filter((m) => m.channel === 'saved').length, 1);
    settings.set(settingsWith([]));
    feed.changed();
    assert.equal(onDisk(dir).messages.filter((m) => m.channel === 'saved').length, 0);
    assert.match(warnings.join('\n'), /Dropped 1 waiting message\(s\) for channel "saved"/);
  });

  it('another live process that holds the folder’s outbox sends; this one leaves it to it', async () => {
    const dir = folder();
    const hook = await receiver();
    writeFileSync(join(dir, 'outbox.lock'), `${process.ppid}\n`);
    const { feed, warnings } = start(dir, hook);
    fire(feed, 'dify', []);
    assert.match(warnings.join('\n'), new RegExp(`Another Dify Monitor \\(pid ${process.ppid}\\)`));
    assert.equal(existsSync(outboxPathIn(dir)), false);
  });

  it('without a channel nothing is opened or written', async () => {
    const dir = folder();
    const clock = manualClock();
    const delivery = startDelivery({
      dir,
      settings: memorySettingsStore(settingsWith()),
      clock,
      warn: () => undefined,
    });
    running.push(delivery);
    const feed = feedOf();
    delivery.follow(feed);
    fire(feed, 'dify', []);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('no secret ever reaches the outbox file', async () => {
    const dir = folder();
    const hook = await receiver();
    await hook.down();
    const { feed } = start(dir, hook);
    fire(feed, 'dify', []);
    const text = readFileSync(outboxPathIn(dir), 'utf8');
    assert.ok(text.includes('"status":"firing"'));
    assert.ok(!text.includes('planted-webhook-token'));
  });
});
