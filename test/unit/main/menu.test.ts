import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import {
  hostLevel,
  LAST_ALERTS_SHOWN,
  trayMenuTemplate,
  wrap,
  type MenuActions,
} from '../../../main/menu-template.ts';
import type { Alert } from '../../../src/alerts/types.ts';
import { harness, hostState, T0 } from './fakes.ts';

function recorder() {
  const calls: unknown[][] = [];
  const actions = new Proxy({} as MenuActions, {
    get:
      (_target, name) =>
      (...args: unknown[]) =>
        calls.push([name, ...args]),
  });
  return { calls, actions };
}

function alert(i: number, over: Partial<Alert> = {}): Alert {
  return {
    type: 'alert',
    ts: T0 - i * 60_000,
    severity: 'warning',
    rule: 'memory-threshold',
    host: 'local',
    stack: 'docker',
    name: `docker-api-${i}`,
    role: 'api',
    message: `docker-api-${i} is using 86 % of the host's 8.0 GiB`,
    valueBytes: null,
    limitBytes: null,
    etaSeconds: null,
    key: `local/docker/api/${i}`,
    ...over,
  };
}

function click(items: MenuItemConstructorOptions[], label: string | RegExp): void {
  const item = items.find((i) => (typeof label === 'string' ? i.label === label : label.test(i.label ?? '')));
  assert.ok(item, `no item ${String(label)}`);
  (item.click as () => void)();
}

const base = {
  hosts: [hostState('local', 'up'), hostState('10.0.0.5:2376', 'down')],
  levels: new Map([['local/docker/api/1', 'warning' as const]]),
  alerts: Array.from({ length: 8 }, (_, i) => alert(i)),
  mutedUntil: null,
  paused: false,
  startAtLogin: false,
  notificationProblem: null,
};

describe('tray menu', () => {
  it('lists every host with its state and the last alerts, newest first', () => {
    const { actions } = recorder();
    const labels = trayMenuTemplate(base, actions).map((i) => i.label);
    assert.ok(labels.includes('local: warning'));
    assert.ok(labels.includes('10.0.0.5:2376: unreachable'));
    const alerts = labels.filter((l) => l?.includes('is using'));
    assert.equal(alerts.length, LAST_ALERTS_SHOWN);
    assert.match(alerts[0] ?? '', /docker-api-0 /);
    assert.equal(hostLevel('local', new Map([['local/docker', 'critical']])), 'critical');
    assert.equal(hostLevel('loc', new Map([['local/docker', 'critical']])), null);
  });

  it('says which hosts refused our credentials or certificates, rather than OK', () => {
    const { actions } = recorder();
    const hosts = [hostState('staging', 'auth-failed'), hostState('build', 'tls-failed')];
    const labels = trayMenuTemplate({ ...base, hosts }, actions).map((i) => i.label);
    assert.ok(labels.includes('staging: authentication failed'), String(labels));
    assert.ok(labels.includes('build: TLS failed'), String(labels));
  });

  it('calls the action behind every item', () => {
    const { calls, actions } = recorder();
    const items = trayMenuTemplate(base, actions);
    click(items, 'Open dashboard');
    click(items, /docker-api-0 /);
    click(items, 'Mute for 1 hour');
    click(items, 'Mute until tomorrow');
    click(items, 'Pause monitoring');
    click(items, 'Settings…');
    click(items, 'Start at login');
    click(items, 'Quit Dify Monitor');
    assert.deepEqual(calls, [
      ['openDashboard'],
      ['openContainer', 'local/docker/api/0'],
      ['muteFor', 3_600_000],
      ['muteUntilTomorrow'],
      ['setPaused', true],
      ['openSettings'],
      ['setStartAtLogin', true],
      ['quit'],
    ]);
  });

  it('shows check marks and an unmute item that say what is on, and sends a host alert to the overview', () => {
    const { calls, actions } = recorder();
    const items = trayMenuTemplate(
      {
        ...base,
        alerts: [alert(0, { rule: 'host-down', role: null, key: 'local', message: 'local is down' })],
        mutedUntil: T0 + 3_600_000,
        paused: true,
        startAtLogin: true,
      },
      actions,
    );
    assert.equal(items.find((i) => i.label === 'Pause monitoring')?.checked, true);
    assert.equal(items.find((i) => i.label === 'Start at login')?.checked, true);
    click(items, /^Unmute \(muted until \d\d:\d\d\)$/);
    click(items, 'Pause monitoring');
    click(items, /local is down/);
    assert.deepEqual(calls, [['unmute'], ['setPaused', false], ['openDashboard']]);
  });

  it('says that notifications fail, and why, under the last alerts', () => {
    const { actions } = recorder();
    const quiet = trayMenuTemplate(base, actions).map((i) => i.label ?? '');
    assert.equal(quiet.filter((l) => l.startsWith('Notifications')).length, 0);
    const items = trayMenuTemplate(
      { ...base, notificationProblem: 'notify-send failed: notify-send must be installed on the system.' },
      actions,
    );
    const item = items.find((i) => i.label === 'Notifications are failing');
    assert.ok(item !== undefined);
    assert.ok(items.indexOf(item) > items.findIndex((i) => i.label === 'Last alerts'));
    assert.deepEqual(item.submenu, [
      { label: 'notify-send failed: notify-send must be installed on the system.', enabled: false },
    ]);
    assert.deepEqual(wrap(`${'a'.repeat(60)} ${'b'.repeat(20)} c`), ['a'.repeat(60), `${'b'.repeat(20)} c`]);
  });

  it('drives the real monitor: mute for an hour sets the mute the snapshot reports', async () => {
    const h = harness();
    const items = trayMenuTemplate(base, {
      ...recorder().actions,
      muteFor: (forMs) => void h.service.handle('alerts:mute', { scope: 'all', forMs }),
    });
    click(items, 'Mute for 1 hour');
    const snap = await h.service.handle('monitor:snapshot', null);
    assert.equal(snap.mutedUntil, h.clock.now() + 3_600_000);
    await h.service.stop();
  });
});
