import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Alert } from '../../../src/alerts/types.ts';
import type { DesktopNotification } from '../../../src/notify/notifier.ts';
import type { HostState, Sample } from '../../../src/model.ts';
import { createMonitorService } from '../../../src/service/create-monitor.ts';
import type { Verdict } from '../../../src/alerts/verdict.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/settings/schema.ts';
import { memorySettingsStore, type SettingsStore } from '../../../src/settings/store.ts';
import { FakeCollector, fakeClock } from '../../helpers/fake-collector.ts';
import { makeSample } from '../../helpers/samples.ts';

const MIB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'dm-service-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function sample(ts: number, memUsageBytes: number, over: Partial<Sample> = {}): Sample {
  return makeSample({
    ts,
    role: 'worker',
    service: 'worker',
    name: 'docker-worker-1',
    id: 'abc',
    cpuPercent: 5,
    cpuOfLimitPercent: 2.5,
    memUsageBytes,
    memLimitBytes: 100 * MIB,
    memLimitSource: 'container',
    memPercent: (memUsageBytes / (100 * MIB)) * 100,
    key: 'local/docker/worker/1',
    ...over,
  });
}

function setup(extra: { alertLogPath?: string; notified?: DesktopNotification[] } = {}) {
  const clock = fakeClock();
  const collector = new FakeCollector('local');
  const settings = memorySettingsStore(DEFAULT_SETTINGS);
  const service = createMonitorService({
    collectors: [collector],
    clock,
    settings,
    ...(extra.alertLogPath === undefined ? {} : { alertLogPath: extra.alertLogPath }),
    ...(extra.notified === undefined
      ? {}
      : {
          notifier: {
            available: true,
            check: async () => true,
            notify: async (n: DesktopNotification) => {
              extra.notified?.push(n);
              return { ok: true } as const;
            },
          },
        }),
  });
  return { clock, collector, settings, service };
}

describe('createMonitorService', () => {
  it('starts the collectors in tray mode and switches to fast while at least one viewer looks', async () => {
    const { collector, service } = setup();
    assert.equal(collector.started, 1);
    assert.equal(collector.lastMode, 'tray');
    const first = service.addViewer();
    const second = service.addViewer();
    assert.equal(collector.lastMode, 'fast');
    first();
    first();
    assert.equal(collector.lastMode, 'fast', 'a release counted twice does not drop the other viewer');
    second();
    assert.equal(collector.lastMode, 'tray');
    await service.handle('monitor:visible', { visible: true });
    assert.equal(collector.lastMode, 'fast');
    await service.handle('monitor:visible', { visible: true });
    await service.handle('monitor:visible', { visible: false });
    assert.equal(collector.lastMode, 'tray', 'the window counts as one viewer however often it says so');
    await service.stop();
    assert.equal(collector.stopped, 1);
  });

  it('starts at the fast rate, and stays there, when a terminal shows every round (watch)', async () => {
    const collector = new FakeCollector('local');
    const service = createMonitorService({
      collectors: [collector],
      clock: fakeClock(),
      settings: memorySettingsStore(DEFAULT_SETTINGS),
      alwaysViewed: true,
    });
    assert.ok(
      collector.modes.length > 0 && collector.modes.every((m) => m === 'fast'),
      'never the tray rate',
    );
    assert.equal(collector.started, 1);
    const page = service.addViewer();
    page();
    assert.equal(collector.lastMode, 'fast', 'a page closing does not slow the terminal down');
    await service.stop();
  });

  it('forwards rounds, keeps the latest samples and host states for the snapshot, and answers history', async () => {
    const { clock, collector, service } = setup();
    const rounds: unknown[] = [];
    const hosts: unknown[] = [];
    service.on('monitor:round', (r) => rounds.push(r));
    service.on('monitor:host', (h) => hosts.push(h));
    const up: HostState = {
      ...collector.state,
      state: 'up',
      message: 'Connected',
      memTotalBytes: 8192 * MIB,
    };
    collector.host(up);
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      collector.round(clock.now(), [sample(clock.now(), (10 + i) * MIB)]);
    }
    assert.equal(rounds.length, 5);
    assert.deepEqual(hosts, [up]);
    const snap = await service.handle('monitor:snapshot', null);
    assert.equal(snap.samples.length, 1);
    assert.equal(snap.samples[0]?.memUsageBytes, 14 * MIB);
    assert.deepEqual(snap.hosts, [up]);
    assert.equal(snap.mutedUntil, null);
    const history = await service.handle('monitor:history', {
      key: 'local/docker/worker/1',
      metric: 'memUsageBytes',
      window: '5m',
    });
    assert.equal(history.resolution, 'raw');
    assert.deepEqual(
      history.points.map((p) => ('value' in p ? p.value : null)),
      [10, 11, 12, 13, 14].map((m) => m * MIB),
    );
    await service.stop();
  });

  it('raises alerts from rounds, logs them to disk and notifies the ones that are not muted', async () => {
    const alertLogPath = join(dir, 'alerts.json');
    const notified: DesktopNotification[] = [];
    const { clock, collector, service } = setup({ alertLogPath, notified });
    const pushed: Alert[] = [];
    service.on('monitor:alert', (a) => pushed.push(a));
    clock.advance(1000);
    collector.round(clock.now(), [sample(clock.now(), 95 * MIB)]);
    assert.equal(pushed.length, 1);
    assert.equal(pushed[0]?.rule, 'memory-threshold');
    assert.equal(pushed[0]?.severity, 'critical');
    assert.equal(notified.length, 1);
    assert.equal(notified[0]?.urgency, 'critical');
    const saved = JSON.parse(readFileSync(alertLogPath, 'utf8')) as { alerts: Alert[] };
    assert.equal(saved.alerts[0]?.rule, 'memory-threshold');
    const snap = await service.handle('monitor:snapshot', null);
    assert.equal(snap.alerts.length, 1);
    await service.stop();
  });

  it('applies a settings patch, persists it, tells subscribers and judges the next round by it', async () => {
    const { clock, collector, settings, service } = setup();
    const changed: unknown[] = [];
    const alerts: Alert[] = [];
    service.on('settings:changed', (s) => changed.push(s));
    service.on('monitor:alert', (a) => alerts.push(a));
    const result = await service.handle('settings:set', {
      alerts: { memory: { warningPercent: 40, criticalPercent: 60, hysteresisPoints: 5 } },
    });
    assert.equal(result.ok, true);
    assert.equal(settings.get().alerts.memory.warningPercent, 40);
    assert.equal(changed.length, 1);
    clock.advance(1000);
    collector.round(clock.now(), [sample(clock.now(), 50 * MIB)]);
    assert.equal(alerts[0]?.severity, 'warning', '50 % is over the new 40 % line');
  });

  it('returns field errors for a bad patch and changes nothing', async () => {
    const { settings, service } = setup();
    const changed: unknown[] = [];
    service.on('settings:changed', (s) => changed.push(s));
    const result = await service.handle('settings:set', {
      alerts: { memory: { warningPercent: 95, criticalPercent: 90, hysteresisPoints: 5 } },
      intervals: { fastMs: 10 },
    });
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    const paths = result.errors.map((e) => e.path).sort();
    assert.deepEqual(paths, ['/intervals/fastMs']);
    assert.equal(settings.get(), DEFAULT_SETTINGS);
    assert.equal(changed.length, 0);
    const cross = await service.handle('settings:set', {
      alerts: { memory: { warningPercent: 95, criticalPercent: 90, hysteresisPoints: 5 } },
    });
    assert.ok(!cross.ok);
    assert.deepEqual(cross.errors, [
      { path: '/alerts/memory/criticalPercent', message: 'must not be below the warning level' },
    ]);
  });

  it('mutes all for a while, until tomorrow morning, a single container, and unmutes', async () => {
    const notified: DesktopNotification[] = [];
    const { clock, collector, settings, service } = setup({ notified });
    const forHour = await service.handle('alerts:mute', { scope: 'all', forMs: 3_600_000 });
    assert.equal(forHour.mutedUntil, clock.now() + 3_600_000);
    assert.equal(settings.get().alerts.muteUntil, clock.now() + 3_600_000);
    clock.advance(1000);
    collector.round(clock.now(), [sample(clock.now(), 95 * MIB)]);
    assert.equal(notified.length, 0, 'a muted alert is logged, not notified');
    assert.equal((await service.handle('monitor:snapshot', null)).alerts[0]?.muted, true);

    const tomorrow = await service.handle('alerts:mute', { scope: 'all', until: 'tomorrow' });
    const expected = new Date(clock.now());
    expected.setDate(expected.getDate() + 1);
    expected.setHours(8, 0, 0, 0);
    assert.equal(tomorrow.mutedUntil, expected.getTime());

    await service.handle('alerts:mute', { scope: 'container', key: 'local/docker/api/1', muted: true });
    await service.handle('alerts:mute', { scope: 'container', key: 'local/docker/api/1', muted: true });
    assert.deepEqual(settings.get().alerts.mutedKeys, ['local/docker/api/1']);
    await service.handle('alerts:mute', { scope: 'container', key: 'local/docker/api/1', muted: false });
    assert.deepEqual(settings.get().alerts.mutedKeys, []);

    await service.handle('alerts:mute', { scope: 'container', key: 'local/docker/worker/1', muted: true });
    const none = await service.handle('alerts:mute', { scope: 'none' });
    assert.equal(none.mutedUntil, null);
    assert.deepEqual(settings.get().alerts.mutedKeys, []);
  });

  it('pauses by stopping the collectors and resumes by starting them', async () => {
    const { collector, service } = setup();
    service.setPaused(true);
    service.setPaused(true);
    assert.equal(collector.stopped, 1);
    service.setPaused(false);
    assert.equal(collector.started, 2);
    await service.stop();
  });

  it('keeps delivering to other subscribers when one throws, and stops delivering after unsubscribe', async () => {
    const warnings: string[] = [];
    const clock = fakeClock();
    const collector = new FakeCollector('local');
    const service = createMonitorService({
      collectors: [collector],
      clock,
      settings: memorySettingsStore(),
      warn: (t) => warnings.push(t),
    });
    const got: number[] = [];
    service.on('monitor:round', () => {
      throw new Error('gone');
    });
    const off = service.on('monitor:round', (r) => got.push(r.ts));
    collector.round(1, [sample(1, MIB)]);
    off();
    collector.round(2, [sample(2, MIB)]);
    assert.deepEqual(got, [1]);
    assert.match(warnings[0] ?? '', /monitor:round listener failed: gone/);
    await service.stop();
  });

  it('judges one verdict: in the snapshot, pushed when it changes, held through the hysteresis band', async () => {
    const { clock, collector, service } = setup();
    const pushed: Verdict[] = [];
    service.on('monitor:verdict', (v) => pushed.push(v));
    const level = async () =>
      (await service.handle('monitor:snapshot', null)).verdict.findings.find(
        (f) => f.key === 'local/docker/worker/1',
      )?.level ?? 'ok';
    for (const [mib, expected] of [
      [50, 'ok'],
      [86, 'warning'],
      [82, 'warning'],
      [79, 'ok'],
    ] as const) {
      clock.advance(1000);
      collector.round(clock.now(), [sample(clock.now(), mib * MIB)]);
      assert.equal(await level(), expected, `${mib} MiB of 100`);
      assert.equal(service.current().verdict.findings.length, expected === 'ok' ? 0 : 1);
    }
    assert.equal(pushed.length, 2, 'pushed on the rise and on the clear, not on every round');
    await service.stop();
  });

  it('applies a change another process made to the settings file, and follows its new host', async () => {
    const clock = fakeClock();
    const collector = new FakeCollector('local');
    let external: ((s: Settings) => void) | null = null;
    let current: Settings = DEFAULT_SETTINGS;
    const settings: SettingsStore = {
      get: () => current,
      set: (next) => {
        current = next;
      },
      onExternalChange(listener) {
        external = listener;
        return () => {
          external = null;
        };
      },
    };
    const made: string[] = [];
    const service = createMonitorService({
      collectors: [collector],
      clock,
      settings,
      savedHostCollector: async (host) => {
        made.push(host.name);
        return { ok: true, collector: new FakeCollector(host.name) };
      },
    });
    const changed: Settings[] = [];
    service.on('settings:changed', (s) => changed.push(s));
    current = {
      ...DEFAULT_SETTINGS,
      alerts: {
        ...DEFAULT_SETTINGS.alerts,
        memory: { warningPercent: 40, criticalPercent: 95, hysteresisPoints: 5 },
      },
      hosts: [{ name: 'staging', url: 'tcp://10.0.0.5:2375' }],
    };
    assert.ok(external !== null, 'the service listens for outside changes');
    (external as (s: Settings) => void)(current);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(made, ['staging']);
    assert.equal(changed.length, 1);
    const list = await service.handle('hosts:list', null);
    assert.deepEqual(
      list.hosts.map((h) => h.name),
      ['staging'],
    );
    assert.ok((await service.handle('monitor:snapshot', null)).hosts.some((h) => h.host === 'staging'));
    const alerts: Alert[] = [];
    service.on('monitor:alert', (a) => alerts.push(a));
    clock.advance(1000);
    collector.round(clock.now(), [sample(clock.now(), 50 * MIB)]);
    assert.equal(alerts[0]?.severity, 'warning', 'judged by the 40 % the other process saved');
    await service.stop();
    assert.equal(external, null, 'and stops listening when stopped');
  });

  it('refuses a saved host whose name an engine found by itself already has', async () => {
    const clock = fakeClock();
    const local = new FakeCollector('podman');
    const settings = memorySettingsStore(DEFAULT_SETTINGS);
    const warnings: string[] = [];
    const closed: string[] = [];
    const service = createMonitorService({
      collectors: [local],
      clock,
      settings,
      warn: (t) => warnings.push(t),
      savedHostCollector: async (host) => {
        const other = new FakeCollector(host.name);
        other.stop = () => closed.push(host.name);
        return { ok: true, collector: other };
      },
    });
    const result = await service.handle('settings:set', {
      hosts: [{ name: 'podman', url: 'tcp://10.0.0.9:2375' }],
    });
    assert.equal(result.ok, true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(closed, ['podman']);
    assert.match(warnings.join('\n'), /saved host "podman" is not watched/);
    const snapshot = await service.handle('monitor:snapshot', null);
    assert.equal(snapshot.hosts.filter((h) => h.host === 'podman').length, 1);
    await service.stop();
  });
});
