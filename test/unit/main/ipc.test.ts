import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IpcMainInvokeEvent, IpcRendererEvent, WebContents } from 'electron';
import { APP_URL } from '../../../main/app-protocol.ts';
import { forwardEvents, registerIpc, type IpcMainLike } from '../../../main/ipc.ts';
import { createPreloadApi, type IpcRendererLike } from '../../../main/preload-api.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../../../src/api.ts';
import { harness, hostState } from './fakes.ts';
import { FakeIpcMain, fakeContents } from './ipc-window.ts';

function setup() {
  const h = harness();
  const ipc = new FakeIpcMain();
  const ours = fakeContents();
  const warnings: string[] = [];
  const stop = registerIpc({
    ipcMain: ipc as unknown as IpcMainLike,
    service: h.service,
    window: () => ours as unknown as WebContents,
    warn: (text) => warnings.push(text),
  });
  const invoke = (
    channel: string,
    request: unknown,
    sender = ours,
    frame: { url: string } | null = ours.mainFrame,
  ) => {
    const handler = ipc.handlers.get(channel);
    assert.ok(handler, `no handler for ${channel}`);
    return handler({ sender, senderFrame: frame } as unknown as IpcMainInvokeEvent, request);
  };
  return { h, ipc, ours, invoke, warnings, stop };
}

describe('IPC', () => {
  it('handles every invoke channel of the contract, and removes them again', () => {
    const { ipc, stop, h } = setup();
    assert.deepEqual([...ipc.handlers.keys()].sort(), [...INVOKE_CHANNELS].sort());
    stop();
    assert.equal(ipc.handlers.size, 0);
    void h.service.stop();
  });

  it('answers our window through the real monitor', async () => {
    const { invoke, h } = setup();
    h.collector.host(hostState('local', 'up'));
    const snap = (await invoke('monitor:snapshot', null)) as { hosts: { state: string }[] };
    assert.equal(snap.hosts[0]?.state, 'up');
    await invoke('monitor:visible', { visible: true });
    assert.equal(h.collector.lastMode, 'fast');
    const set = (await invoke('settings:set', { notifications: { enabled: false } })) as { ok: boolean };
    assert.equal(set.ok, true);
    assert.equal(h.settings.get().notifications.enabled, false);
    await h.service.stop();
  });

  it('rejects bad payloads with a message, and the monitor carries on', async () => {
    const { invoke, h, warnings } = setup();
    const bad: [string, unknown, RegExp][] = [
      ['monitor:snapshot', { evil: true }, /takes no payload/],
      ['monitor:history', { key: 'a b', metric: 'cpuPercent', window: '5m' }, /key/],
      ['monitor:history', { key: 'k', metric: 'rm -rf', window: '5m' }, /metric/],
      ['monitor:history', { key: 'k', metric: 'cpuPercent', window: '1y' }, /window/],
      ['monitor:visible', 'yes', /visible: boolean/],
      ['settings:set', [1, 2], /object/],
      ['alerts:mute', { scope: 'all', forMs: -1 }, /forMs/],
      ['alerts:mute', { scope: 'everything' }, /scope/],
      ['alerts:mute', null, /mute request/],
      ['hosts:test', { url: 'unix:///var/run/docker.sock' }, /unix:\/\/ sockets are local files/],
      ['hosts:test', { url: 'ssh://root@host;reboot' }, /characters/],
      ['hosts:test', { name: 'lab', identityFile: '/etc/shadow' }, /expects \{ name \}/],
      ['hosts:list', { all: true }, /takes no payload/],
    ];
    for (const [channel, payload, message] of bad) {
      await assert.rejects(invoke(channel, payload), message, `${channel} ${JSON.stringify(payload)}`);
    }
    assert.equal(warnings.length, bad.length);
    const invalid = (await invoke('settings:set', { intervals: { fastMs: 'fast' } })) as { ok: boolean };
    assert.equal(invalid.ok, false, 'values are judged by the settings schema, with field errors');
    const snap = (await invoke('monitor:snapshot', null)) as { settings: unknown };
    assert.ok(snap.settings);
    await h.service.stop();
  });

  it('rejects foreign senders: another window, a sub-frame, a page on another origin', async () => {
    const { invoke, ours, h, warnings } = setup();
    const other = fakeContents();
    await assert.rejects(
      invoke('monitor:snapshot', null, other, other.mainFrame),
      /not the Dify Monitor window/,
    );
    await assert.rejects(
      invoke('monitor:snapshot', null, ours, { url: APP_URL }),
      /not the Dify Monitor window/,
    );
    await assert.rejects(invoke('monitor:snapshot', null, ours, null), /not the Dify Monitor window/);
    await assert.rejects(invoke('settings:set', { startAtLogin: true }, other, other.mainFrame));
    assert.equal(h.settings.get().startAtLogin, false, 'nothing a foreign sender asked was done');
    assert.ok(warnings.every((w) => w.startsWith('Refused')));
    await h.service.stop();
  });

  it('refuses a sender whose top frame left our origin', async () => {
    const h = harness();
    const ipc = new FakeIpcMain();
    const away = fakeContents('https://evil.example/index.html');
    registerIpc({
      ipcMain: ipc as unknown as IpcMainLike,
      service: h.service,
      window: () => away as unknown as WebContents,
      warn: () => undefined,
    });
    const handler = ipc.handlers.get('monitor:snapshot');
    await assert.rejects(
      handler?.({ sender: away, senderFrame: away.mainFrame } as unknown as IpcMainInvokeEvent, null) ??
        Promise.resolve(),
      /not the Dify Monitor window/,
    );
    await h.service.stop();
  });

  it('pushes every monitor event to the window', async () => {
    const h = harness();
    const ours = fakeContents();
    const stop = forwardEvents(h.service, () => ours as unknown as WebContents);
    h.collector.host(hostState('local', 'down'));
    assert.deepEqual(ours.sent.map(([c]) => c).slice(0, 1), ['monitor:host']);
    stop();
    h.collector.host(hostState('local', 'up'));
    assert.ok(
      ours.sent.every(([, p]) => (p as { state?: string }).state !== 'up'),
      'nothing after stop',
    );
    await h.service.stop();
  });
});

describe('preload API', () => {
  function fakeRenderer() {
    const listeners = new Map<string, ((e: IpcRendererEvent, p: unknown) => void)[]>();
    const invoked: [string, unknown][] = [];
    const ipc = {
      invoke: async (channel: string, request: unknown) => invoked.push([channel, request]),
      on(channel: string, l: (e: IpcRendererEvent, p: unknown) => void) {
        listeners.set(channel, [...(listeners.get(channel) ?? []), l]);
        return ipc;
      },
      removeListener(channel: string, l: (e: IpcRendererEvent, p: unknown) => void) {
        listeners.set(
          channel,
          (listeners.get(channel) ?? []).filter((x) => x !== l),
        );
        return ipc;
      },
    };
    return { ipc: ipc as unknown as IpcRendererLike, listeners, invoked };
  }

  it('passes only the contract’s channels and hands listeners the payload alone', async () => {
    const { ipc, listeners, invoked } = fakeRenderer();
    const api = createPreloadApi(ipc);
    await api.invoke('monitor:visible', { visible: true });
    assert.deepEqual(invoked, [['monitor:visible', { visible: true }]]);
    await assert.rejects(
      api.invoke('electron-store-get-data' as 'monitor:snapshot', null),
      /not a Dify Monitor channel/,
    );
    assert.throws(
      () => api.on('ipc-internal' as 'monitor:host', () => undefined),
      /not a Dify Monitor event/,
    );

    const got: unknown[][] = [];
    const off = api.on('monitor:host', (...args: unknown[]) => got.push(args));
    const fakeEvent = { sender: { send: () => undefined } } as unknown as IpcRendererEvent;
    for (const l of listeners.get('monitor:host') ?? []) l(fakeEvent, { host: 'local' });
    assert.deepEqual(
      got,
      [[{ host: 'local' }]],
      'the IPC event (and with it ipcRenderer) never reaches the page',
    );
    off();
    assert.equal(listeners.get('monitor:host')?.length, 0);
    assert.ok(EVENT_CHANNELS.every((c) => typeof api.on(c, () => undefined) === 'function'));
  });
});
