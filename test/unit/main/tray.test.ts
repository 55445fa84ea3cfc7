import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Menu, MenuItemConstructorOptions } from 'electron';
import type { MenuActions } from '../../../main/menu-template.ts';
import { createAppNotifier, type ElectronNotificationLike } from '../../../main/notifier.ts';
import { TrayController, trayIconPath, type TrayLike } from '../../../main/tray.ts';
import { summarize, TOOLTIP_MAX, type TrayState } from '../../../main/tray-state.ts';
import type { Alert } from '../../../src/alerts/types.ts';
import { verdictOf } from '../../../src/alerts/verdict.ts';
import { makeKillAlert } from '../../helpers/samples.ts';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.ts';
import { Emitter, GIB, harness, hostState, MIB, sample, settle, T0 } from './fakes.ts';

class FakeTray extends Emitter {
  readonly images: string[] = [];
  readonly tooltips: string[] = [];
  readonly popped: unknown[] = [];
  readonly attached: unknown[] = [];
  setImage(image: string): void {
    this.images.push(image);
  }
  setToolTip(text: string): void {
    this.tooltips.push(text);
  }
  popUpContextMenu(menu: unknown): void {
    this.popped.push(menu);
  }
  setContextMenu(menu: unknown): void {
    this.attached.push(menu);
  }
}

const noActions: MenuActions = {
  openDashboard() {},
  openContainer() {},
  muteFor() {},
  muteUntilTomorrow() {},
  unmute() {},
  setPaused() {},
  openSettings() {},
  setStartAtLogin() {},
  quit() {},
};

function controller(
  h: ReturnType<typeof harness>,
  attachMenu = false,
  notificationProblem: () => string | null = () => null,
) {
  const tray = new FakeTray();
  const clicks: string[] = [];
  const tc = new TrayController({
    tray: tray as unknown as TrayLike,
    service: h.service,
    icon: (state: TrayState) => `icon:${state}`,
    buildMenu: (template: MenuItemConstructorOptions[]) => ({ template }) as unknown as Menu,
    actions: noActions,
    onLeftClick: () => clicks.push('left'),
    paused: () => false,
    notificationProblem,
    now: () => h.clock.now(),
    attachMenu,
    warn: (text) => assert.fail(text),
  });
  return { tray, tc, clicks };
}

/** A container with its own 1 GiB limit on an 8 GiB host: its alerts are its own, not the stack's. */
function own(name: string, used: number) {
  return sample(name, used, {
    memLimitBytes: GIB,
    memLimitSource: 'container',
    memPercent: (used / GIB) * 100,
  });
}

/** Twelve Dify containers on an 8 GiB host, using `used` bytes between them. */
function twelve(used: number, over: (i: number) => object = () => ({})) {
  return Array.from({ length: 12 }, (_, i) => sample(`docker-svc${i}-1`, used / 12, over(i)));
}

describe('tray state', () => {
  it('follows the alerts: ok, then critical when a container crosses 90 %, back to ok when it drops', async () => {
    const h = harness();
    const { tray, tc } = controller(h);
    h.collector.host(hostState('local', 'up', { memTotalBytes: 8 * GIB }));
    h.collector.round(T0, [own('docker-api-1', 0.5 * GIB), sample('docker-worker-1', 2.5 * GIB)]);
    await tc.refresh();
    assert.equal(tray.images.at(-1), 'icon:ok');
    assert.equal(tray.tooltips.at(-1), 'Dify · 2 containers · 3.0/8.0 GiB · OK');

    h.clock.advance(1000);
    h.collector.round(h.clock.now(), [own('docker-api-1', 0.95 * GIB), sample('docker-worker-1', 0.1 * GIB)]);
    await settle();
    await tc.refresh();
    const snap = await h.service.handle('monitor:snapshot', null);
    assert.equal(snap.alerts[0]?.rule, 'memory-threshold', 'the engine raised the alert the icon shows');
    assert.equal(tray.images.at(-1), 'icon:critical');
    assert.equal(tray.tooltips.at(-1), 'Dify · 2 containers · 1.1/8.0 GiB · 1 critical');

    h.clock.advance(1000);
    h.collector.round(h.clock.now(), [own('docker-api-1', 0.2 * GIB), sample('docker-worker-1', 0.1 * GIB)]);
    await settle();
    await tc.refresh();
    assert.equal(tray.images.at(-1), 'icon:ok');
    tc.stop();
    await h.service.stop();
  });

  it('updates on its own when the monitor pushes a round, without being asked', async () => {
    const h = harness();
    const { tray } = controller(h);
    h.collector.host(hostState('local', 'up'));
    h.collector.round(T0, [sample('docker-api-1', 7.0 * GIB)]);
    for (let i = 0; i < 5 && tray.images.at(-1) !== 'icon:warning'; i++) await settle();
    assert.equal(tray.images.at(-1), 'icon:warning');
    await h.service.stop();
  });

  it('says disconnected when the engine is down, muted while muted, and critical through a mute', async () => {
    const h = harness();
    const { tray, tc } = controller(h);
    h.collector.host(hostState('local', 'down'));
    await tc.refresh();
    assert.equal(tray.images.at(-1), 'icon:disconnected');
    assert.equal(tray.tooltips.at(-1), 'Dify · Docker unreachable');

    h.collector.host(hostState('local', 'up'));
    await h.service.handle('alerts:mute', { scope: 'all', forMs: 3_600_000 });
    h.collector.round(T0, [own('docker-api-1', 0.87 * GIB)]);
    await tc.refresh();
    assert.equal(tray.images.at(-1), 'icon:muted', 'a warning under a mute shows the mute');
    assert.match(tray.tooltips.at(-1) ?? '', /1 warning · muted until \d\d:\d\d$/);

    h.clock.advance(1000);
    h.collector.round(h.clock.now(), [own('docker-api-1', 0.95 * GIB)]);
    await tc.refresh();
    assert.equal(tray.images.at(-1), 'icon:critical');
    await h.service.stop();
  });

  it('counts a host whose key or certificate was refused as unreachable', async () => {
    const h = harness();
    const { tray, tc } = controller(h);
    h.collector.host(hostState('local', 'tls-failed'));
    await tc.refresh();
    assert.equal(tray.images.at(-1), 'icon:disconnected');
    assert.equal(tray.tooltips.at(-1), 'Dify · Docker unreachable');
    await h.service.stop();
  });

  it('writes the tooltip the issue describes, and keeps it under Windows’ 127 characters', () => {
    const alerts: Alert[] = [];
    const summary = summarize({
      hosts: [hostState('local', 'up', { memTotalBytes: 7.7 * GIB })],
      samples: twelve(3.1 * GIB),
      verdict: verdictOf(
        [
          {
            rule: 'memory-trend',
            severity: 'warning',
            host: 'local',
            stack: 'docker',
            name: 'docker-svc0-1',
            key: 'local/docker/svc0/1',
            etaSeconds: 300,
          },
        ],
        alerts,
        T0,
      ),
      settings: DEFAULT_SETTINGS,
      paused: false,
      now: T0,
    });
    assert.equal(summary.tooltip, 'Dify · 12 containers · 3.1/7.7 GiB · 1 warning');
    assert.equal(summary.state, 'warning');

    const many = summarize({
      hosts: Array.from({ length: 40 }, (_, i) =>
        hostState(`host-with-a-long-name-${i}`, i % 2 ? 'down' : 'up'),
      ),
      samples: twelve(3 * GIB),
      verdict: verdictOf([], alerts, T0),
      settings: { ...DEFAULT_SETTINGS, alerts: { ...DEFAULT_SETTINGS.alerts, muteUntil: T0 + 60_000 } },
      paused: false,
      now: T0,
    });
    assert.ok(many.tooltip.length <= TOOLTIP_MAX);
  });

  it('keeps a container critical for a while after an OOM kill, an event the engine holds no condition for', () => {
    const kill = makeKillAlert(T0);
    const at = (now: number) =>
      summarize({
        hosts: [hostState('local', 'up')],
        samples: [sample('docker-worker-1', 10 * MIB)],
        verdict: verdictOf([], [kill], now),
        settings: DEFAULT_SETTINGS,
        paused: false,
        now,
      }).state;
    assert.equal(at(T0 + 60_000), 'critical');
    assert.equal(at(T0 + 16 * 60_000), 'ok');
  });

  it('uses template images on macOS and coloured ones elsewhere', () => {
    assert.equal(trayIconPath('/a', 'warning', 'darwin'), '/a/tray/warningTemplate.png');
    assert.equal(trayIconPath('/a', 'warning', 'win32'), '/a/tray/warning.png');
  });

  it('toggles the popover on a left click and opens the menu on a right click', async () => {
    const h = harness();
    const { tray, tc, clicks } = controller(h);
    h.collector.host(hostState('local', 'up'));
    await tc.refresh();
    tray.emit('click');
    assert.deepEqual(clicks, ['left']);
    tray.emit('right-click');
    const menu = tray.popped[0] as { template: MenuItemConstructorOptions[] };
    assert.equal(menu.template[0]?.label, 'Open dashboard');
    await h.service.stop();
  });

  it('attaches the menu on Linux, rebuilding it only when it reads differently', async () => {
    const h = harness();
    const { tray, tc } = controller(h, true);
    h.collector.host(hostState('local', 'up'));
    await tc.refresh();
    await tc.refresh();
    assert.equal(tray.attached.length, 1);
    h.collector.host(hostState('local', 'down'));
    await tc.refresh();
    const last = tray.attached.at(-1) as { template: MenuItemConstructorOptions[] };
    assert.ok(tray.attached.length > 1);
    assert.ok(last.template.some((i) => i.label === 'local: unreachable'));
    const count = tray.attached.length;
    await tc.refresh();
    assert.equal(tray.attached.length, count);
    tray.emit('right-click');
    assert.equal(tray.popped.length, 0);
    await h.service.stop();
  });

  it('shows in the attached menu that an alert’s notification failed, with the reason', async () => {
    const made: Emitter[] = [];
    const sent: ((error: Error | string | null, response: string | undefined) => void)[] = [];
    let tc: TrayController | null = null;
    const notifier = createAppNotifier({
      backend: 'electron',
      platform: 'linux',
      nodeNotifier: { notify: (_options, done) => sent.push(done) },
      createNotification: () => {
        const n = Object.assign(new Emitter(), { show: () => undefined });
        made.push(n);
        return n as unknown as ElectronNotificationLike;
      },
      electronSupported: () => true,
      appId: 'ai.dify.monitor',
      iconPath: null,
      onClick: () => undefined,
      onProblem: () => void tc?.refresh(),
    });
    const h = harness({ notifier });
    const built = controller(h, true, () => notifier.problem);
    tc = built.tc;
    h.collector.host(hostState('local', 'up', { memTotalBytes: 64 * GIB }));
    h.collector.round(T0, [
      sample('docker-worker-1', 0.96 * GIB, { memLimitBytes: GIB, memLimitSource: 'container' }),
    ]);
    for (let i = 0; i < 5 && made.length === 0; i++) await settle();
    made[0]?.emit('failed', {}, 'Notifications are not allowed for this application');
    sent[0]?.(new Error('Command failed: notify-send'), undefined);
    for (let i = 0; i < 5 && notifier.problem?.includes('notify-send failed') !== true; i++) await settle();
    await tc.refresh();
    const last = built.tray.attached.at(-1) as { template: MenuItemConstructorOptions[] };
    const item = last.template.find((i) => i.label === 'Notifications are failing');
    const lines = (item?.submenu as MenuItemConstructorOptions[]).map((i) => i.label).join(' ');
    assert.equal(
      lines,
      "Electron's notification failed: Notifications are not allowed for this application; " +
        'notify-send failed: Command failed: notify-send',
    );
    await h.service.stop();
  });
});
