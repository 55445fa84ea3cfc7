import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AlertLog, parseAlert } from '../../../src/alerts/log.ts';
import type { Alert } from '../../../src/alerts/types.ts';

function alert(ts: number, extra: Partial<Alert> = {}): Alert {
  return {
    type: 'alert',
    ts,
    severity: 'warning',
    rule: 'memory-threshold',
    host: 'local',
    stack: 'docker',
    name: 'docker-worker-1',
    role: 'worker',
    message: `alert ${ts}`,
    valueBytes: 1,
    limitBytes: 2,
    etaSeconds: null,
    key: 'local/docker/worker/1',
    ...extra,
  };
}

it('keeps the newest entries first and no more than its capacity', () => {
  const log = new AlertLog(3);
  for (let ts = 1; ts <= 5; ts++) log.add(alert(ts));
  assert.equal(log.size, 3);
  assert.deepEqual(
    log.entries.map((a) => a.ts),
    [5, 4, 3],
  );
  log.clear();
  assert.equal(log.size, 0);
});

it('round-trips through JSON text, snapshot and muted flag included', () => {
  const log = new AlertLog();
  log.add(alert(1));
  log.add(
    alert(2, {
      severity: 'critical',
      rule: 'oom-killed',
      snapshot: [{ name: 'docker-worker-1', role: 'worker', memUsageBytes: 10 }],
      muted: true,
    }),
  );
  log.add(
    alert(3, {
      rule: 'host-down',
      stack: null,
      role: null,
      key: 'local',
      valueBytes: null,
      limitBytes: null,
    }),
  );
  const restored = AlertLog.fromJSON(JSON.parse(JSON.stringify(log)));
  assert.deepEqual(restored.entries, log.entries);
});

it('corrupt input gives an empty log or the valid entries, never an exception', () => {
  for (const junk of [
    undefined,
    null,
    42,
    'text',
    [],
    {},
    { version: 2, alerts: [] },
    { version: 1, alerts: 'x' },
  ]) {
    assert.equal(AlertLog.fromJSON(junk).size, 0);
  }
  const mixed = {
    version: 1,
    alerts: [
      alert(1),
      null,
      { ...alert(2), severity: 'loud' },
      { ...alert(3), rule: 'memory-everything' },
      { ...alert(4), ts: 'yesterday' },
      { ...alert(5), role: 'boss' },
      { ...alert(6), valueBytes: Number.NaN },
      { ...alert(7), snapshot: [{ name: 'x', role: 'api' }] },
      { ...alert(8), muted: 'yes' },
      { ...alert(9), message: undefined },
      { ...alert(10), type: 'sample' },
      alert(11),
    ],
  };
  assert.deepEqual(
    AlertLog.fromJSON(mixed).entries.map((a) => a.ts),
    [11, 1],
  );
});

it('restores newest first and cuts to capacity even if the file was reordered or grew', () => {
  const alerts = Array.from({ length: 10 }, (_, i) => alert(i));
  const restored = AlertLog.fromJSON({ version: 1, alerts }, 4);
  assert.deepEqual(
    restored.entries.map((a) => a.ts),
    [9, 8, 7, 6],
  );
});

it('parses a watch --json alert line and drops unknown fields', () => {
  const line = JSON.stringify({ ...alert(1), extra: 'ignored' });
  const parsed = parseAlert(JSON.parse(line));
  assert.deepEqual(parsed, alert(1));
});
