import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Alert } from '../../../src/alerts/types.ts';
import { alertNotifier } from '../../../src/notify/alert-notifier.ts';
import type { DesktopNotification, Notifier, NotifyResult } from '../../../src/notify/notifier.ts';

const ALERT: Alert = {
  type: 'alert',
  ts: 1_700_000_000_000,
  severity: 'warning',
  rule: 'unhealthy',
  host: 'local',
  stack: 'docker',
  name: 'docker-api-1',
  role: 'api',
  message: 'docker-api-1 is unhealthy: its health check fails',
  valueBytes: null,
  limitBytes: null,
  etaSeconds: null,
  key: 'local/docker/api/1',
};

/** Records what it is asked to show and answers with a fixed result. */
function recorder(
  result: NotifyResult,
  available: boolean | null,
): Notifier & { sent: DesktopNotification[] } {
  const sent: DesktopNotification[] = [];
  return {
    sent,
    available,
    check: async () => available !== false,
    notify: async (n) => {
      sent.push(n);
      return result;
    },
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

it('shows unmuted alerts as their notification and skips muted ones', async () => {
  const notifier = recorder({ ok: true }, true);
  const failures: string[] = [];
  const target = alertNotifier(notifier, (_alert, error) => failures.push(error));
  target.notify(ALERT);
  target.notify({ ...ALERT, muted: true });
  await settle();
  assert.deepEqual(notifier.sent, [
    {
      title: 'Unhealthy: docker-api-1 (api)',
      body: ALERT.message,
      urgency: 'normal',
      id: 'local/docker/api/1',
    },
  ]);
  assert.deepEqual(failures, []);
});

it('reports a failed delivery, but not again for a notifier that already said it is unavailable', async () => {
  const failures: string[] = [];
  alertNotifier(recorder({ ok: false, error: 'Could not connect' }, true), (_a, e) =>
    failures.push(e),
  ).notify(ALERT);
  alertNotifier(recorder({ ok: false, error: 'notify-send missing' }, false), (_a, e) =>
    failures.push(e),
  ).notify(ALERT);
  await settle();
  assert.deepEqual(failures, ['Could not connect']);
});
