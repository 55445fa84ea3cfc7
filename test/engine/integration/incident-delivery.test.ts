import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RECENT_KILL_MS } from '../../../src/alerts/verdict.ts';
import { composeMonitor } from '../../../src/service/compose.ts';
import type { MonitorService } from '../../../src/service/monitor.ts';
import { DEFAULT_CHANNELS, DEFAULT_SETTINGS, type Settings } from '../../../src/settings/schema.ts';
import { memorySettingsStore } from '../../../src/settings/store.ts';
import type { Clock } from '../../../src/util/clock.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.ts';
import { removeAll, startStack, waitForOom } from '../../stack/stack.ts';

const TAG = 'incident-delivery';
const dir = mkdtempSync(join(tmpdir(), 'dm-incident-'));

/**
 * A trend fit after 30 s of data instead of 3 min, so that a 64 MiB leak is predicted before it
 * is killed; group wait and interval short, so that a minute of leak is a few messages.
 */
const SETTINGS: Settings = {
  ...DEFAULT_SETTINGS,
  alerts: {
    ...DEFAULT_SETTINGS.alerts,
    trend: { ...DEFAULT_SETTINGS.alerts.trend, windowMs: 60_000, minCoverage: 0.5, minPoints: 5 },
  },
  channels: { ...DEFAULT_CHANNELS, groupWaitMs: 3000, groupIntervalMs: 1000 },
};

type Message = Record<string, unknown> & { alerts: { rule: string; name: string; message: string }[] };

const until = async (what: string, check: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

describe('a real leak on the engine, to a webhook', { timeout: 240_000 }, () => {
  let service: MonitorService | undefined;
  let hook: WebhookReceiver | undefined;
  after(async () => {
    await service?.stop();
    await hook?.close();
    await removeAll(TAG);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the receiver gets the trend warning, the OOM kill and "resolved", as one incident', async () => {
    hook = await startWebhookReceiver();
    // The verdict keeps a kill for 15 minutes; the test moves the monitor's clock on rather than wait.
    let skew = 0;
    const clock: Clock = {
      now: () => Date.now() + skew,
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    const composed = await composeMonitor({
      settings: memorySettingsStore(SETTINGS),
      hostFlags: [],
      alertLogPath: join(dir, 'alerts.json'),
      clock,
      warn: () => undefined,
      intervalMs: 1000,
      delivery: { dir, webhooks: [hook.url], dashboardUrl: 'https://monitor.example.com/' },
    });
    assert.ok(composed.ok, composed.ok ? '' : composed.error);
    service = composed.service;
    const stack = await startStack({
      layout: 'current',
      project: 'dm-incident',
      tag: TAG,
      workloads: { api: { kind: 'steady', mib: 24 }, worker: { kind: 'leak', mibPerSecond: 1 } },
      memLimits: { worker: '64m' },
    });
    const worker = stack.service('worker').name;
    const received = (): Message[] => (hook?.accepted ?? []) as Message[];
    const has = (m: Message, rule: string): boolean =>
      m.alerts.some((a) => a.rule === rule && a.name === worker);

    await waitForOom(worker, 150_000);
    await until(
      'the OOM kill reached the receiver',
      () => received().some((m) => has(m, 'oom-killed')),
      30_000,
    );
    skew = RECENT_KILL_MS + 60_000;
    await until(
      '"resolved" reached the receiver',
      () => received().some((m) => m['status'] === 'resolved'),
      60_000,
    );

    const messages = received();
    const first = messages[0];
    assert.ok(first !== undefined && has(first, 'memory-trend'), 'the first message is the trend warning');
    assert.equal(first['severity'], 'warning');
    const kill = messages.find((m) => has(m, 'oom-killed'));
    assert.ok(
      kill !== undefined && has(kill, 'memory-trend'),
      'the kill is told with the warning that came before it',
    );
    assert.equal(kill['severity'], 'critical');
    const last = messages.at(-1);
    assert.equal(last?.['status'], 'resolved', 'resolved comes last');
    assert.deepEqual(
      new Set(messages.map((m) => m['incident'])).size,
      1,
      'one incident from warning to resolved',
    );
    assert.deepEqual(
      messages.map((m) => m['seq']),
      messages.map((_m, i) => i + 1),
      'in order, none missing',
    );
    assert.ok(
      messages.length <= 6,
      `a handful of messages for one incident, not one per alert (${messages.length})`,
    );
    assert.equal(kill['stack'], 'dm-incident');
    assert.match(
      String(kill['title']),
      new RegExp(`OOM-killed ${worker} \\(worker\\)`),
      'what happened, to which container',
    );
    assert.match(String(kill['text']), /killed at \d+ MiB of its 64 MiB limit/, 'with the numbers');
    assert.match(String(kill['text']), /Stack dm-incident on /, 'and where');
    assert.equal(kill['dashboardUrl'], 'https://monitor.example.com/');
    assert.deepEqual(hook.invalid, [], 'every body matched docs/webhook-v1.schema.json');
  });
});
