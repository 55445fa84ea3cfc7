import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { awayReport } from '../../../src/alerts/away-report.ts';
import { entry } from '../../../src/alerts/timeline.ts';
import { startDelivery, type AlertFeed } from '../../../src/delivery/delivery.ts';
import { DEFAULT_CHANNELS, DEFAULT_SETTINGS } from '../../../src/settings/schema.ts';
import { memorySettingsStore } from '../../../src/settings/store.ts';
import { Emitter } from '../../../src/util/emitter.ts';
import { startWebhookReceiver } from '../../helpers/webhook-receiver.ts';
import { manualClock, T0, until } from './fixtures.ts';

test('the morning report reaches a channel as one message through the outbox', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dm-report-'));
  const hook = await startWebhookReceiver();
  hook.behaviour = { status: 200 };
  const events = new Emitter<Record<string, unknown>>();
  const feed = {
    on: (channel: string, listener: (payload: never) => void) =>
      events.on(channel, listener as (p: unknown) => void),
    current: () => ({ verdict: { findings: [] } }),
  } as unknown as AlertFeed;
  const delivery = startDelivery({
    dir,
    settings: memorySettingsStore({ ...DEFAULT_SETTINGS, channels: { ...DEFAULT_CHANNELS, groupWaitMs: 0 } }),
    clock: manualClock(),
    warn: (text) => assert.fail(text),
    webhooks: [hook.url],
    limits: { timeoutMs: 2000 },
  });
  t.after(async () => {
    await delivery.stop();
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  });
  delivery.follow(feed);
  const report = awayReport({
    from: T0,
    to: T0 + 7 * 3_600_000,
    entries: [
      entry({
        ts: T0 + 3_600_000,
        kind: 'oom',
        severity: 'critical',
        host: 'local',
        key: 'local/docker/api/1',
        name: 'docker-api-1',
        text: 'killed',
      }),
    ],
    memoryBefore: new Map(),
    memoryAfter: new Map(),
    clockTime: () => '03:12',
  });
  assert.ok(report !== null);
  events.emit('monitor:report', report);
  await until('the report at the receiver', () => hook.requests.length === 1);
  const body = hook.requests[0] ?? {};
  assert.equal(body['status'], 'report');
  assert.equal(body['title'], '🌙 While you were away (7 h)');
  assert.match(String(body['text']), /^docker-api-1 OOM-killed at 03:12$/m);
  assert.deepEqual(body['alerts'], []);
});
