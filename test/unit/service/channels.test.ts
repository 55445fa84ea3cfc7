/**
 * `channels:*` as a page calls them, through checkRequest and the monitor service, against a
 * loopback receiver: the answers carry the masked target and the receiver's words, never a secret.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  checkRequest,
  type ChannelAddRequest,
  type InvokeChannel,
  type InvokeChannels,
} from '../../../src/api.ts';
import { ownerOnlyFileStore } from '../../../src/delivery/secret-store.ts';
import { createMonitorService } from '../../../src/service/create-monitor.ts';
import type { MonitorService } from '../../../src/service/monitor.ts';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.ts';
import { memorySettingsStore } from '../../../src/settings/store.ts';
import { fakeClock } from '../../helpers/fake-collector.ts';

const dir = mkdtempSync(join(tmpdir(), 'dm-channels-api-'));
const TOKEN = 'planted-api-token-9a0f';

describe('channels over the typed API', () => {
  let server: Server;
  let origin: string;
  let service: MonitorService;
  const paths: string[] = [];
  const settings = memorySettingsStore(DEFAULT_SETTINGS);

  /** As a page's request arrives: shape-checked first. */
  async function call<C extends InvokeChannel>(
    channel: C,
    request: unknown,
  ): Promise<InvokeChannels[C]['response']> {
    const checked = checkRequest(channel, request);
    if (!checked.ok) throw new Error(checked.error);
    return service.handle(channel, checked.value);
  }

  const hook = (name: string, url: string): ChannelAddRequest => ({
    name,
    kind: 'webhook',
    secrets: { url },
    minSeverity: 'critical',
    stacks: ['docker'],
    rules: ['oom-killed'],
  });

  before(async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(418, 'Im a teapot').end('short and stout'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    service = createMonitorService({
      collectors: [],
      clock: fakeClock(),
      settings,
      channels: { dir, secrets: ownerOnlyFileStore(dir), secretsKept: 'here' },
    });
  });

  after(async () => {
    await service.stop();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('checkRequest refuses what is not a channel request, naming what is wrong', () => {
    const bad: [InvokeChannel, unknown, RegExp][] = [
      [
        'channels:add',
        { ...hook('a', 'x'), secrets: { apiKey: 'x' } },
        /secrets take url, secret, token, password, not apiKey/,
      ],
      ['channels:add', { ...hook('a b', 'x') }, /name must be letters/],
      ['channels:add', { ...hook('a', 'x'), rules: ['nope'] }, /rules must be a list of/],
      ['channels:add', { ...hook('a', 'x'), secrets: { url: 'x'.repeat(5000) } }, /each secret is a text/],
      ['channels:test', { name: '../etc' }, /expects \{ name \} of a channel/],
      ['channels:list', { any: 1 }, /takes no payload/],
    ];
    for (const [channel, request, message] of bad) {
      const checked = checkRequest(channel, request);
      assert.equal(checked.ok, false);
      assert.match(checked.ok ? '' : checked.error, message);
    }
  });

  it('adds a channel: the list shows its masked target and filter, never the URL', async () => {
    assert.deepEqual(await call('channels:add', hook('ops', `${origin}/hooks/${TOKEN}`)), { ok: true });
    const list = await call('channels:list', null);
    assert.deepEqual(list.channels, [
      {
        name: 'ops',
        kind: 'webhook',
        enabled: true,
        target: `${origin}/…${TOKEN.slice(-4)}`,
        minSeverity: 'critical',
        stacks: ['docker'],
        rules: ['oom-killed'],
        status: { last: 'never', at: null, why: null, waiting: 0, dropped: 0 },
      },
    ]);
    assert.equal(list.secretsKept, 'here');
    assert.ok(!JSON.stringify(await call('monitor:snapshot', null)).includes(TOKEN));
    assert.ok(readFileSync(join(dir, 'channel-secrets.json'), 'utf8').includes(TOKEN));
  });

  it('refuses a second channel of one name, a bad URL and a kind it does not know, saving nothing', async () => {
    assert.match(
      JSON.stringify(await call('channels:add', hook('ops', `${origin}/other`))),
      /already saved; remove it first/,
    );
    assert.match(
      JSON.stringify(await call('channels:add', hook('x', 'ftp://h/'))),
      /must start with https:\/\/ or http:\/\//,
    );
    assert.match(
      JSON.stringify(await call('channels:add', { ...hook('x', `${origin}/`), kind: 'pager' })),
      /Kind is one of/,
    );
    assert.match(
      JSON.stringify(await call('channels:add', { ...hook('x', ''), secrets: {} })),
      /a webhook channel needs URL/,
      'named as the page names the field, not as the CLI flag',
    );
    assert.deepEqual(
      (await call('channels:list', null)).channels.map((c) => c.name),
      ['ops'],
    );
  });

  it('tests it: the receiver’s exact answer and what became of the message', async () => {
    const result = await call('channels:test', { name: 'ops' });
    assert.equal(result.outcome, 'rejected');
    assert.equal(result.answer, 'HTTP 418 Im a teapot\nshort and stout');
    assert.match(result.why ?? '', /HTTP 418/);
    assert.deepEqual(paths, [`/hooks/${TOKEN}`]);
    assert.equal((await call('channels:test', { name: 'nobody' })).outcome, 'not-sent');
  });

  it('settings:set changes how messages are grouped but not the channel list', async () => {
    const refused = await call('settings:set', { channels: { ...DEFAULT_SETTINGS.channels, list: [] } });
    assert.equal(refused.ok, false);
    assert.match(JSON.stringify(refused), /\/channels\/list/);
    assert.equal(settings.get().channels?.list.length, 1);
    const grouped = await call('settings:set', {
      channels: { ...settings.get().channels, groupWaitMs: 60_000 },
    });
    assert.equal(grouped.ok, true, JSON.stringify(grouped));
    assert.equal(settings.get().channels?.groupWaitMs, 60_000);
  });

  it('removes it and its secrets', async () => {
    assert.deepEqual(await call('channels:remove', { name: 'ops' }), { ok: true });
    assert.deepEqual((await call('channels:list', null)).channels, []);
    assert.ok(!readFileSync(join(dir, 'channel-secrets.json'), 'utf8').includes(TOKEN));
    assert.equal((await call('channels:remove', { name: 'ops' })).ok, false);
  });
});
