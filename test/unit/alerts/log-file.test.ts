import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadAlertLog, saveAlertLog } from '../../../src/alerts/log-file.ts';
import type { Alert } from '../../../src/alerts/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'dm-alert-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ALERT: Alert = {
  type: 'alert',
  ts: 1_000,
  severity: 'critical',
  rule: 'oom-killed',
  host: 'local',
  stack: 'docker',
  name: 'docker-worker-1',
  role: 'worker',
  message: 'docker-worker-1 was OOM-killed',
  valueBytes: 100,
  limitBytes: 200,
  etaSeconds: null,
};

describe('the alert log on disk', () => {
  it('survives a restart', () => {
    const path = join(dir, 'a', 'alerts.json');
    const first = loadAlertLog(path, 0);
    assert.equal(first.warning, undefined);
    first.log.add(ALERT);
    saveAlertLog(path, first.log);
    const second = loadAlertLog(path, 0);
    assert.deepEqual(second.log.entries, [ALERT]);
  });

  it('keeps a corrupt file aside, says so, and starts empty', () => {
    const path = join(dir, 'corrupt.json');
    writeFileSync(path, '{"version":1,"alerts":[{"type":"al');
    const loaded = loadAlertLog(path, 42);
    assert.equal(loaded.log.size, 0);
    assert.match(loaded.warning ?? '', /corrupt/);
    assert.equal(existsSync(path), false);
    assert.equal(readFileSync(`${path}.corrupt-42`, 'utf8'), '{"version":1,"alerts":[{"type":"al');
  });

  it('writes atomically, leaving no temp file', () => {
    const path = join(dir, 'atomic.json');
    const { log } = loadAlertLog(path, 0);
    log.add(ALERT);
    saveAlertLog(path, log);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('atomic')),
      ['atomic.json'],
    );
  });
});
