import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Draft } from '../../../src/delivery/incidents.ts';
import { Outbox, readOutbox } from '../../../src/delivery/outbox.ts';
import { messageOf, T0 } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'dm-outbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the outbox file', () => {
  it('round-trips what waits, the incidents, the numbering and the channels’ state', () => {
    const path = join(dir, 'round.json');
    const outbox = new Outbox({ path, warn: () => undefined }, readOutbox(path, T0).state);
    const m = messageOf();
    const draft: Draft = {
      channel: m.channel,
      incident: m.incident,
      status: m.status,
      severity: m.severity,
      host: m.host,
      stack: m.stack,
      startedAt: m.startedAt,
      endedAt: m.endedAt,
      alerts: m.alerts,
    };
    outbox.enqueue([draft, { ...draft, channel: 'other' }, draft], T0, null);
    outbox.setStatus('ops', { deliveredAt: T0 });
    assert.ok(outbox.save());
    const again = readOutbox(path, T0);
    assert.equal(again.notice, undefined);
    assert.deepEqual(
      again.state.messages.map((m) => `${m.channel} ${m.seq}`),
      ['ops 1', 'other 1', 'ops 2'],
    );
    assert.deepEqual(again.state.channels, { ops: { deliveredAt: T0 } });
    const next = new Outbox({ path, warn: () => undefined }, again.state);
    assert.equal(next.enqueue([draft], T0, null)[0]?.seq, 3, 'numbering goes on after a restart');
  });

  it('one it cannot read is kept aside, never deleted, and the user is told', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"version":1,"messages":[{"half":');
    const read = readOutbox(path, T0);
    assert.deepEqual(read.state.messages, []);
    assert.match(read.notice ?? '', /kept it as .*broken\.json\.corrupt-/);
    assert.equal(existsSync(path), false);
    assert.ok(readdirSync(dir).some((name) => name.startsWith('broken.json.corrupt-')));
  });
});
