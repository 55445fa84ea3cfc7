import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CHANNELS, deliverTo, secretsFor } from '../../../src/delivery/channels/index.ts';
import type { DeliveryContext } from '../../../src/delivery/channels/module.ts';
import type { StoredSecrets } from '../../../src/delivery/secrets.ts';
import { CHANNEL_KINDS, type ChannelKind } from '../../../src/settings/schema.ts';
import {
  startVendorReceiver,
  VENDORS,
  type Vendor,
  type VendorOptions,
  type VendorReceiver,
} from '../../helpers/receivers.ts';
import { channelOf, messageOf } from './fixtures.ts';

const ctx = (): DeliveryContext => ({ now: Date.now(), timeoutMs: 5000, maxAnswerBytes: 64 * 1024 });

/** What each vendor's robot is set up with, and what the channel is told. */
const SETUP: Readonly<Record<Vendor, { robot: VendorOptions; secrets: StoredSecrets; keyword?: string }>> = {
  webhook: { robot: { secret: 'hook-signing-secret' }, secrets: { secret: 'hook-signing-secret' } },
  slack: { robot: {}, secrets: {} },
  dingtalk: {
    robot: { secret: 'SECdingtalk-signing-secret', keyword: 'Dify告警' },
    secrets: { secret: 'SECdingtalk-signing-secret' },
    keyword: 'Dify告警',
  },
  feishu: {
    robot: { secret: 'feishu-signing-secret', keyword: '告警' },
    secrets: { secret: 'feishu-signing-secret' },
    keyword: '告警',
  },
  wecom: { robot: {}, secrets: {} },
  ntfy: { robot: { token: 'tk_plantedntfytoken' }, secrets: { token: 'tk_plantedntfytoken' } },
};

async function send(kind: ChannelKind, receiver: VendorReceiver, stored: StoredSecrets, keyword?: string) {
  const secrets = secretsFor(kind, { url: receiver.url, ...stored });
  assert.ok(secrets.ok);
  const channel = channelOf({ kind, ...(keyword === undefined ? {} : { keyword }) });
  return deliverTo(kind, messageOf(), channel, secrets.secrets, ctx());
}

describe('every channel kind has its module', () => {
  it('the typed map covers CHANNEL_KINDS, each module under its own kind', () => {
    assert.deepEqual(Object.keys(CHANNELS).sort(), [...CHANNEL_KINDS].sort());
    for (const kind of CHANNEL_KINDS) assert.equal(CHANNELS[kind].kind, kind);
  });

  it('a required secret that is missing is named, an optional one is not needed', () => {
    assert.deepEqual(secretsFor('dingtalk', {}), { ok: false, missing: 'url' });
    assert.deepEqual(secretsFor('dingtalk', { url: 'https://x/' }), {
      ok: true,
      secrets: { url: 'https://x/' },
    });
    assert.deepEqual(secretsFor('email', {}), { ok: true, secrets: {} });
  });
});

for (const vendor of VENDORS) {
  describe(`${vendor}: the request is what the vendor documents, and its answer is read as it means`, () => {
    let good: VendorReceiver;
    before(async () => {
      good = await startVendorReceiver(vendor, SETUP[vendor].robot);
    });
    after(() => good.close());

    it('is accepted: documented path, body and signature; delivered', async () => {
      const attempt = await send(vendor, good, SETUP[vendor].secrets, SETUP[vendor].keyword);
      assert.deepEqual(good.received.at(-1)?.problems, []);
      assert.deepEqual(attempt.outcome, { kind: 'delivered' });
      assert.match(attempt.answer, /^HTTP 200/);
      const raw = good.received.at(-1)?.raw ?? '';
      assert.match(raw, /OOM-killed/, 'the message says what happened');
      assert.match(raw, /2\.0 of 2\.0 GiB/, 'with the numbers');
      assert.match(raw, /monitor\.example\.com/, 'with the dashboard link');
    });

    if (SETUP[vendor].robot.secret !== undefined || SETUP[vendor].robot.token !== undefined) {
      it('a wrong secret is refused by the receiver, and not retried', async () => {
        const wrong = Object.fromEntries(
          Object.entries(SETUP[vendor].secrets).map(([k, v]) => [k, `${v}-wrong`]),
        );
        const attempt = await send(vendor, good, wrong, SETUP[vendor].keyword);
        assert.notDeepEqual(good.received.at(-1)?.problems, []);
        assert.equal(attempt.outcome.kind, 'rejected', JSON.stringify(attempt));
      });
    }
  });
}

describe('a robot that names a keyword', () => {
  it('refuses a message without it (DingTalk errcode 310000); the channel adds it when told', async () => {
    const robot = await startVendorReceiver('dingtalk', { keyword: '监控报警' });
    try {
      const without = await send('dingtalk', robot, {});
      assert.equal(without.outcome.kind, 'rejected');
      assert.match(without.answer, /310000/);
      const withIt = await send('dingtalk', robot, {}, '监控报警');
      assert.deepEqual(withIt.outcome, { kind: 'delivered' });
    } finally {
      await robot.close();
    }
  });
});
