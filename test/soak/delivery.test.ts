import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_CHANNELS, DEFAULT_SETTINGS } from '../../src/settings/schema.ts';
import { apiWatchArgs, startCli, type LiveCli } from '../helpers/cli.ts';
import { startFakeDaemon, statsBody, type FakeDaemon } from '../helpers/fake-daemon.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

/*
 * The shipped CLI (`watch --webhook`) against receivers that are down, killed under, or hostile.
 * The engine is a scripted one, so that the test decides when each container's memory crosses
 * its limit: each container is outside any Dify stack, so each is its own incident.
 */

const LIMIT = 1_000_000_000;
const HIGH = 960_000_000;
const LOW = 100_000_000;
const CONTAINERS = ['alpha', 'bravo', 'charlie'] as const;
type Name = (typeof CONTAINERS)[number];

/** A stats stream whose memory follows `usage`, four bodies a second. */
function statsFollowing(usage: Map<string, number>, name: Name) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'application/json' });
    let n = 1;
    const write = (): void => {
      if (res.destroyed) return;
      const body = statsBody(n++) as { memory_stats: Record<string, unknown> };
      body.memory_stats = { usage: usage.get(name) ?? LOW, limit: LIMIT, stats: {} };
      res.write(`${JSON.stringify(body)}\n`);
      setTimeout(write, 250);
    };
    write();
  };
}

const until = async (what: string, check: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('alerts to a webhook from the shipped CLI, through the outbox', { timeout: 600_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function setup(): Promise<{ daemon: FakeDaemon; usage: Map<string, number>; settings: string }> {
    const usage = new Map<string, number>();
    const routes = Object.fromEntries(
      CONTAINERS.map((name) => [`stats:${name}`, statsFollowing(usage, name)]),
    );
    const daemon = await startFakeDaemon({ containers: CONTAINERS, routes });
    cleanups.push(() => daemon.close());
    const settings = join(daemon.dir, 'settings.json');
    // No group wait: each incident's first message is due the moment its alert is raised.
    writeFileSync(
      settings,
      JSON.stringify({ ...DEFAULT_SETTINGS, channels: { ...DEFAULT_CHANNELS, groupWaitMs: 0 } }),
    );
    return { daemon, usage, settings };
  }

  function watch(daemon: FakeDaemon, settings: string, hooks: readonly WebhookReceiver[]): LiveCli {
    const cli = startCli([
      ...apiWatchArgs({ hosts: [daemon.url], alertLog: join(daemon.dir, 'alerts.json') }),
      '--settings',
      settings,
      ...hooks.flatMap((h) => ['--webhook', h.url]),
    ]);
    // A child this test killed with SIGKILL has closed already; stop() would wait for it forever.
    cleanups.push(() =>
      cli.child.exitCode === null && cli.child.signalCode === null ? cli.stop() : Promise.resolve(),
    );
    return cli;
  }

  async function receiver(): Promise<WebhookReceiver> {
    const hook = await startWebhookReceiver();
    cleanups.push(() => hook.close());
    return hook;
  }

  const alerted = (name: Name) => (l: Record<string, unknown>) =>
    l['type'] === 'alert' && l['name'] === name && l['rule'] === 'memory-threshold';

  const summary = (m: Record<string, unknown>): string =>
    `${String((m['alerts'] as { name: string }[])[0]?.name)} ${String(m['status'])}`;

  function outboxOf(daemon: FakeDaemon): { messages: { id: string }[] } {
    return JSON.parse(readFileSync(join(daemon.dir, 'outbox.json'), 'utf8')) as {
      messages: { id: string }[];
    };
  }

  it('a receiver down for 60 s, then up: every message arrives once, in order', async () => {
    const { daemon, usage, settings } = await setup();
    const hook = await receiver();
    await hook.down();
    const cli = watch(daemon, settings, [hook]);
    await cli.waitFor((l) => l['type'] === 'host' && l['state'] === 'up', 20_000);
    const downSince = Date.now();
    for (const name of ['alpha', 'bravo', 'charlie'] as const) {
      usage.set(name, HIGH);
      await cli.waitFor(alerted(name), 20_000);
    }
    usage.set('alpha', LOW);
    await until('the resolved message is queued', () => outboxOf(daemon).messages.length === 4, 30_000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, downSince + 60_000 - Date.now())));
    await hook.up();
    await until('every message arrived', () => hook.accepted.length >= 4, 360_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.deepEqual(hook.accepted.map(summary), [
      'alpha firing',
      'bravo firing',
      'charlie firing',
      'alpha resolved',
    ]);
    assert.deepEqual(
      hook.accepted.map((m) => m['seq']),
      [1, 2, 3, 4],
      'in the order they were made',
    );
    assert.equal(new Set(hook.accepted.map((m) => m['id'])).size, 4, 'each once');
    assert.equal(
      hook.accepted[3]?.['incident'],
      hook.accepted[0]?.['incident'],
      'resolved names its incident',
    );
    assert.deepEqual(hook.invalid, [], 'every body matched docs/webhook-v1.schema.json');
    assert.match(cli.stderr(), /cannot deliver \(no answer: .*ECONNREFUSED/);
    assert.match(cli.stderr(), /delivered again after \d+ failed tries/);
  });

  it('the same with a kill -9 of the monitor while the receiver is down, and a restart', async () => {
    const { daemon, usage, settings } = await setup();
    const hook = await receiver();
    await hook.down();
    const first = watch(daemon, settings, [hook]);
    await first.waitFor((l) => l['type'] === 'host' && l['state'] === 'up', 20_000);
    for (const name of ['alpha', 'bravo'] as const) {
      usage.set(name, HIGH);
      await first.waitFor(alerted(name), 20_000);
    }
    await until('both messages are on disk', () => outboxOf(daemon).messages.length === 2, 20_000);
    const queued = outboxOf(daemon).messages.map((m) => m.id);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('close', resolve));

    const second = watch(daemon, settings, [hook]);
    await second.waitFor((l) => l['type'] === 'host' && l['state'] === 'up', 20_000);
    // The restarted engine raises the same alerts again: they join the incidents already said.
    await second.waitFor(alerted('bravo'), 20_000);
    await hook.up();
    await until('both arrived', () => hook.accepted.length >= 2, 360_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.deepEqual(hook.accepted.map(summary), ['alpha firing', 'bravo firing']);
    assert.deepEqual(
      hook.accepted.map((m) => m['id']),
      queued,
      'the messages the killed monitor had queued, once each',
    );

    // Delivered, then killed again: the restart sends nothing twice.
    second.child.kill('SIGKILL');
    await new Promise((resolve) => second.child.once('close', resolve));
    const third = watch(daemon, settings, [hook]);
    await third.waitFor(alerted('bravo'), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(hook.requests.length, 2, 'no message was sent again');
  });

  it('a receiver that hangs, drips its answer or answers 10 MB costs bounded time and memory, and holds up no other', async () => {
    const { daemon, usage, settings } = await setup();
    const hang = await receiver();
    hang.behaviour = 'hang';
    const drip = await receiver();
    drip.behaviour = 'drip';
    const huge = await receiver();
    huge.behaviour = 'huge';
    const good = await receiver();
    const cli = watch(daemon, settings, [hang, drip, huge, good]);
    await cli.waitFor((l) => l['type'] === 'host' && l['state'] === 'up', 20_000);
    usage.set('alpha', HIGH);
    await until('the good receiver got the message', () => good.accepted.length === 1, 30_000);
    assert.equal(hang.open(), 1, 'while the hanging receiver still holds its connection');
    assert.equal(drip.open(), 1, 'and the dripping one too');
    await until(
      'the huge answer was cut off',
      () => huge.hugeWritten.length === 1 && huge.open() === 0,
      30_000,
    );
    assert.ok(
      (huge.hugeWritten[0] ?? 0) < 10 * 1024 * 1024,
      `only ${huge.hugeWritten[0]} of 10 MiB were written`,
    );
    await until(
      'the monitor gave up on the hanging and the dripping receivers',
      () => hang.open() === 0 && drip.open() === 0,
      60_000,
    );
    assert.match(cli.stderr(), /no complete answer within 15 s/);
    assert.equal(cli.child.exitCode, null, 'the monitor runs on');
    assert.equal(good.requests.length, 1);
  });
});
