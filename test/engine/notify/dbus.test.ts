/**
 * Real delivery: notifications go through notify-send to the session bus, where dbus-monitor sees
 * the Notify call dunst receives. Starts Xvfb + D-Bus + dunst when no session bus is set.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Alert } from '../../../src/alerts/types.ts';
import { notificationFor } from '../../../src/notify/format.ts';
import { APP_NAME, createDesktopNotifier, notifySendMissing } from '../../../src/notify/node-notifier.ts';
import { ensureNotifySession, monitorNotifications, until, type NotifyMonitor } from '../../helpers/dbus.ts';

const run = promisify(execFile);
const NOTIFIER_MODULE = new URL('../../../src/notify/node-notifier.ts', import.meta.url).href;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function alert(fields: Partial<Alert> & Pick<Alert, 'rule' | 'severity' | 'message' | 'name'>): Alert {
  return {
    type: 'alert',
    ts: Date.now(),
    host: 'local',
    stack: 'docker',
    role: 'worker',
    valueBytes: null,
    limitBytes: null,
    etaSeconds: null,
    ...fields,
  };
}

describe('desktop notifications over D-Bus', () => {
  let monitor: NotifyMonitor | null = null;
  const startedAt = Date.now();
  const tag = `${process.pid}-${startedAt % 100_000}`;

  before(async () => {
    await ensureNotifySession();
    monitor = await monitorNotifications();
  });

  after(() => {
    monitor?.stop();
  });

  const cases: { alert: Alert; urgency: number; bodyIncludes: string }[] = [
    {
      alert: alert({
        rule: 'oom-killed',
        severity: 'critical',
        name: `docker-worker-${tag}`,
        message: `docker-worker-${tag} ran out of memory and was killed at 2.0 GiB of its 2.0 GiB limit. docker held 2.4 GiB: …`,
        valueBytes: 2 * GiB,
        limitBytes: 2 * GiB,
        snapshot: [
          { name: 'docker-api-1', role: 'api', memUsageBytes: 1.2 * GiB },
          { name: `docker-worker-${tag}`, role: 'worker', memUsageBytes: 900 * MiB },
          { name: 'docker-db-1', role: 'db', memUsageBytes: 300 * MiB },
        ],
      }),
      urgency: 2,
      bodyIncludes: 'Held: api 1.2 GiB, worker 900 MiB, db 300 MiB',
    },
    {
      alert: alert({
        rule: 'memory-trend',
        severity: 'warning',
        name: `docker-api-${tag}`,
        role: 'api',
        message: `docker-api-${tag} will reach its 2.0 GiB limit in about 4 min (+35 MiB/min) "quoted" $HOME \`id\``,
        etaSeconds: 240,
      }),
      urgency: 1,
      bodyIncludes: 'in about 4 min (+35 MiB/min) "quoted" $HOME `id`',
    },
    {
      alert: alert({
        rule: 'host-up',
        severity: 'info',
        stack: null,
        role: null,
        name: `remote-${tag}`,
        message: `Docker on remote-${tag} is reachable again`,
      }),
      urgency: 0,
      bodyIncludes: 'is reachable again',
    },
  ];

  for (const c of cases) {
    it(`delivers ${c.alert.rule} (${c.alert.severity}) with urgency ${c.urgency}`, async () => {
      const n = notificationFor(c.alert);
      assert.ok(n !== null);
      const notifier = createDesktopNotifier();
      const t0 = performance.now();
      const result = await notifier.notify(n);
      const sentMs = performance.now() - t0;
      assert.deepEqual(result, { ok: true });
      assert.equal(notifier.available, true);
      const call = await until('the Notify call on the bus', () =>
        monitor?.calls().find((call) => call.summary === n.title),
      );
      assert.equal(call.appName, APP_NAME);
      assert.equal(call.summary, n.title);
      assert.ok(call.body.includes(c.bodyIncludes), call.body);
      assert.equal(call.urgency, c.urgency);
      assert.ok(sentMs < 5000, `notify took ${sentMs} ms`);
    });
  }

  it('gives up on a helper that does not answer in time instead of hanging', async () => {
    const result = await createDesktopNotifier({ timeoutMs: 0 }).notify({
      title: `Dify Monitor timeout test ${tag}`,
      body: 'body',
      urgency: 'low',
    });
    assert.deepEqual(result, { ok: false, error: 'no answer from the notification helper within 0 ms' });
  });

  it('reports a bus that cannot be reached as a failure, without throwing', async () => {
    const { stdout } = await runNotifierChild({
      PATH: process.env.PATH,
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/dify-monitor-bus',
    });
    const report = JSON.parse(stdout) as ChildReport;
    assert.deepEqual(report.messages, []);
    assert.equal(report.available, true);
    for (const result of report.results) {
      assert.equal(result.ok, false);
      assert.match(result.error ?? '', /connect/i);
    }
  });
});

interface ChildReport {
  messages: string[];
  results: { ok: boolean; error?: string }[];
  available: boolean | null;
}

/** The notifier in a process of its own, so that its environment is exactly `env`. */
function runNotifierChild(env: NodeJS.ProcessEnv): Promise<{ stdout: string }> {
  const script = `
    import { createDesktopNotifier } from ${JSON.stringify(NOTIFIER_MODULE)};
    const messages = [];
    const notifier = createDesktopNotifier({ onUnavailable: (m) => messages.push(m) });
    const results = [];
    for (let i = 0; i < 3; i++) {
      results.push(await notifier.notify({ title: 'Dify Monitor test', body: 'body', urgency: 'normal' }));
    }
    console.log(JSON.stringify({ messages, results, available: notifier.available }));
  `;
  return run(process.execPath, ['--input-type=module', '--eval', script], { env, timeout: 30_000 });
}

describe('without notify-send', () => {
  it('says so once, returns ok:false and never throws', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dify-monitor-empty-path-'));
    try {
      const { stdout } = await runNotifierChild({ PATH: empty });
      const report = JSON.parse(stdout) as ChildReport;
      assert.deepEqual(report.messages, [notifySendMissing()]);
      assert.equal(report.available, false);
      assert.equal(report.results.length, 3);
      for (const result of report.results)
        assert.deepEqual(result, { ok: false, error: notifySendMissing() });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('tells the caller before any notification is sent when it checks first', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dify-monitor-empty-path-'));
    try {
      const messages: string[] = [];
      const notifier = createDesktopNotifier({ path: empty, onUnavailable: (m) => messages.push(m) });
      assert.equal(notifier.available, null);
      assert.equal(await notifier.check(), false);
      assert.equal(await notifier.check(), false);
      assert.deepEqual(await notifier.notify({ title: 't', body: 'b', urgency: 'low' }), {
        ok: false,
        error: notifySendMissing(),
      });
      assert.deepEqual(messages, [notifySendMissing()]);
      assert.equal(notifier.available, false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
