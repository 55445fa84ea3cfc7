import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startCli, type LiveCli } from '../../helpers/cli.ts';
import { ensureNotifySession, monitorNotifications, until, type NotifyMonitor } from '../../helpers/dbus.ts';
import { removeAll, startStack, waitForOom } from '../../stack/stack.ts';

const exec = promisify(execFile);
const TAG = 'oom-alert';
const dir = mkdtempSync(join(tmpdir(), 'dm-oom-alert-'));

describe('an OOM kill on the real engine', { timeout: 120_000 }, () => {
  let watch: LiveCli | undefined;
  let notifications: NotifyMonitor | undefined;
  before(async () => {
    await ensureNotifySession();
    notifications = await monitorNotifications();
  });
  after(async () => {
    notifications?.stop();
    await watch?.stop();
    await removeAll(TAG);
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises the oom-killed critical within 2 s of the engine oom event, with who held the memory, on the desktop too', async () => {
    const logPath = join(dir, 'alerts.json');
    const live = startCli(['watch', '--json', '--notify', '--interval', '1s', '--alert-log', logPath]);
    watch = live;
    await live.waitFor((l) => l['type'] === 'host' && l['state'] === 'up', 20_000);
    const since = Math.floor(Date.now() / 1000);
    const stack = await startStack({
      layout: 'current',
      project: 'dm-oom',
      tag: TAG,
      workloads: { api: { kind: 'steady', mib: 24 }, worker: { kind: 'leak', mibPerSecond: 6 } },
      memLimits: { worker: '48m' },
    });
    const worker = stack.service('worker').name;
    await waitForOom(worker, 60_000);
    const alert = await live.waitFor(
      (l) => l['type'] === 'alert' && l['rule'] === 'oom-killed' && l['name'] === worker,
      20_000,
    );
    const events = await exec('docker', [
      'events',
      '--since',
      String(since),
      '--until',
      String(Math.ceil(Date.now() / 1000)),
      '--filter',
      `container=${worker}`,
      '--filter',
      'event=oom',
      '--format',
      '{{.TimeNano}}',
    ]);
    const oomAt = Number(events.stdout.trim().split('\n')[0]) / 1e6;
    assert.ok(oomAt > 0, 'the engine reported an oom event');
    assert.equal(alert['severity'], 'critical');
    assert.equal(alert['name'], worker);
    assert.equal(alert['role'], 'worker');
    assert.equal(alert['stack'], 'dm-oom');
    assert.ok(
      Number(alert['ts']) - oomAt <= 2000,
      `alert ${Number(alert['ts']) - oomAt} ms after the oom event`,
    );
    const snapshot = alert['snapshot'] as { name: string; memUsageBytes: number }[];
    const api = snapshot.find((s) => s.name === stack.service('api').name);
    assert.ok(
      api !== undefined && api.memUsageBytes >= 20 * 2 ** 20,
      'the snapshot shows the api holding its 24 MiB',
    );
    const oomAlerts = live.lines.filter((l) => l['type'] === 'alert' && l['rule'] === 'oom-killed');
    assert.deepEqual(
      oomAlerts.map((a) => a['name']),
      [worker],
      'one kill, one alert (the die 137 that follows is the same kill), and none for the rest',
    );
    const shown = await until(
      'the OOM notification on the session bus',
      () => notifications?.calls().find((c) => c.summary === `OOM-killed: ${worker} (worker)`),
      10_000,
    );
    assert.equal(shown.urgency, 2, 'critical urgency');
    assert.match(shown.body, /Held: /);
    const saved = JSON.parse(readFileSync(logPath, 'utf8')) as { alerts: { rule: string }[] };
    assert.ok(
      saved.alerts.some((a) => a.rule === 'oom-killed'),
      'the alert log on disk has it',
    );
  });
});
