import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import { trayMenuTemplate, type MenuActions } from '../../../main/menu-template.ts';
import { createAppNotifier, type ElectronNotificationLike } from '../../../main/notifier.ts';
import { summarize } from '../../../main/tray-state.ts';
import type { Alert } from '../../../src/alerts/types.ts';
import { verdictOf } from '../../../src/alerts/verdict.ts';
import { setLanguage } from '../../../src/i18n/index.ts';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.ts';
import { englishLeft, hasChinese, UNIT_AND_PRODUCT_WORDS } from '../../helpers/chinese.ts';
import { Emitter, GIB, hostState, sample, settle, T0 } from './fakes.ts';

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

const HOSTS = ['local', 'build-box', 'gpu-box', 'edge', 'lab'];
const NAMES = [...HOSTS, 'docker-api-1', 'docker-worker-1', 'docker'];

const alerts: Alert[] = [
  {
    type: 'alert',
    ts: T0 - 60_000,
    severity: 'critical',
    rule: 'memory-threshold',
    host: 'local',
    stack: 'docker',
    name: 'docker-api-1',
    role: 'api',
    message: 'docker-api-1 is using 1.9 GiB, 95 % of its 2.0 GiB limit',
    valueBytes: 1.9 * GIB,
    limitBytes: 2 * GIB,
    etaSeconds: null,
    key: 'local/docker/api/1',
  },
  {
    type: 'alert',
    ts: T0 - 120_000,
    severity: 'critical',
    rule: 'oom-killed',
    host: 'local',
    stack: 'docker',
    name: 'docker-worker-1',
    role: 'worker',
    message: 'docker-worker-1 ran out of memory and was killed at 2.0 GiB of its 2.0 GiB limit',
    valueBytes: 2 * GIB,
    limitBytes: 2 * GIB,
    etaSeconds: null,
    key: 'local/docker/worker/1',
  },
];

function labels(items: readonly MenuItemConstructorOptions[]): string[] {
  return items.flatMap((i) => (i.label === undefined ? [] : [i.label]));
}

describe('the tray in Simplified Chinese', () => {
  before(() => setLanguage('zh-CN'));
  after(() => setLanguage('en'));

  it('menu: every label is Chinese, with only host and container names, units and the product left', () => {
    const template = trayMenuTemplate(
      {
        hosts: [
          hostState('local', 'up'),
          hostState('build-box', 'down'),
          hostState('gpu-box', 'auth-failed'),
          hostState('edge', 'tls-failed'),
          hostState('lab', 'connecting'),
        ],
        levels: new Map([['local/docker/api/1', 'critical' as const]]),
        alerts,
        mutedUntil: T0 + 3_600_000,
        paused: false,
        startAtLogin: true,
        notificationProblem: null,
      },
      noActions,
    );
    const all = labels(template);
    assert.ok(all.includes('打开仪表盘'));
    assert.ok(all.includes('local：严重'));
    assert.ok(all.includes('build-box：无法连接'));
    assert.ok(all.some((l) => l.endsWith('docker-api-1 内存用量 1.9 GiB，上限 2.0 GiB')));
    for (const label of all) {
      // A label may be a name and a clock time only: "14:03  docker-api-1 …" always has words too.
      assert.ok(hasChinese(label), label);
      assert.deepEqual(englishLeft(label, NAMES, UNIT_AND_PRODUCT_WORDS), [], label);
    }

    const empty = labels(
      trayMenuTemplate(
        {
          hosts: [],
          levels: new Map(),
          alerts: [],
          mutedUntil: null,
          paused: true,
          startAtLogin: false,
          notificationProblem: 'notify-send failed',
        },
        noActions,
      ),
    );
    assert.ok(empty.includes('尚无 Docker 引擎'));
    assert.ok(empty.includes('没有告警'));
    assert.ok(empty.includes('通知发送失败'));
  });

  it('tooltip: counts, memory and the mute in Chinese', () => {
    const summary = summarize({
      hosts: [hostState('local', 'up', { memTotalBytes: 7.7 * GIB }), hostState('build-box', 'down')],
      samples: Array.from({ length: 12 }, (_, i) => sample(`docker-svc${i}-1`, (3.1 * GIB) / 12)),
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
        [],
        T0,
      ),
      settings: { ...DEFAULT_SETTINGS, alerts: { ...DEFAULT_SETTINGS.alerts, muteUntil: T0 + 60_000 } },
      paused: false,
      now: T0,
    });
    assert.match(
      summary.tooltip,
      /^Dify · 12 个容器 · 3\.1\/7\.7 GiB · 1 项警告，1 台主机无法连接 · 静音至 \d\d:\d\d$/,
    );
    assert.deepEqual(englishLeft(summary.tooltip, [], UNIT_AND_PRODUCT_WORDS), []);

    const paused = summarize({
      hosts: [],
      samples: [],
      verdict: verdictOf([], [], T0),
      settings: DEFAULT_SETTINGS,
      paused: true,
      now: T0,
    });
    assert.equal(paused.tooltip, 'Dify · 已暂停');
    const none = summarize({
      hosts: [],
      samples: [],
      verdict: verdictOf([], [], T0),
      settings: DEFAULT_SETTINGS,
      paused: false,
      now: T0,
    });
    assert.equal(none.tooltip, 'Dify · 未找到 Docker 引擎');
  });

  it('why notifications fail, for the menu: Chinese around the helper’s name and the system’s own words', async () => {
    const made: Emitter[] = [];
    const sent: ((error: Error | string | null, response: string | undefined) => void)[] = [];
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
      onProblem: () => undefined,
    });
    await notifier.notify({ title: '标题', body: '正文', urgency: 'critical' });
    made[0]?.emit('failed', {}, '');
    sent[0]?.(null, '');
    for (let i = 0; i < 5 && notifier.problem === null; i++) await settle();
    assert.equal(notifier.problem, 'Electron 通知失败：通知服务器拒绝了它；已改用 notify-send 显示');
  });
});
