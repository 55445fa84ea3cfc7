import assert from 'node:assert/strict';
import { test } from 'node:test';
import { awayReport, formatSpan } from '../../../src/alerts/away-report.ts';
import { entry } from '../../../src/alerts/timeline.ts';
import { setLanguage } from '../../../src/i18n/index.ts';
import { englishLeft, UNIT_AND_PRODUCT_WORDS } from '../../helpers/chinese.ts';

const T = 1_700_000_000_000;
const H = 3_600_000;
const GIB = 1024 ** 3;
const clockTime = (ts: number): string => (ts === T + 3 * H ? '03:12' : 'later');
const none = new Map<string, { name: string; bytes: number }>();

test('the morning report names the kill with its restart, the memory that grew and the warnings', () => {
  const api = { host: 'local', stack: 'docker', key: 'local/docker/api/1', name: 'docker-api-1' };
  const report = awayReport({
    from: T,
    to: T + 7 * H,
    entries: [
      entry({ ts: T, kind: 'app-sleep', severity: 'info', text: 'slept', untilTs: T + 7 * H }),
      entry({ ...api, ts: T + 3 * H, kind: 'oom', severity: 'critical', rule: 'oom-killed', text: 'killed' }),
      entry({ ...api, ts: T + 3 * H + 1000, kind: 'restart', severity: 'warning', text: 'restarted' }),
      entry({
        ...api,
        ts: T + 4 * H,
        kind: 'alert',
        severity: 'warning',
        rule: 'memory-threshold',
        text: 'a',
      }),
      entry({ ...api, ts: T + 5 * H, kind: 'alert', severity: 'warning', rule: 'memory-trend', text: 'b' }),
    ],
    memoryBefore: new Map([['local/docker/worker/1', { name: 'worker', bytes: GIB }]]),
    memoryAfter: new Map([['local/docker/worker/1', { name: 'worker', bytes: 2.2 * GIB }]]),
    clockTime,
  });
  assert.equal(report?.title, 'While you were away (7 h)');
  assert.equal(
    report?.body,
    'docker-api-1 OOM-killed at 03:12 and restarted; worker memory +1.2 GiB; 2 warnings',
  );
  assert.equal(report?.firstTs, T + 3 * H);
});

test('nothing happened: only the monitor slept and memory moved a little, so no report', () => {
  const report = awayReport({
    from: T,
    to: T + 2 * 60_000,
    entries: [
      entry({ ts: T, kind: 'app-sleep', severity: 'info', text: 'slept', untilTs: T + 120_000 }),
      entry({ ts: T + 120_000, kind: 'engine-up', severity: 'info', host: 'local', text: 'up' }),
    ],
    memoryBefore: new Map([['k', { name: 'worker', bytes: GIB }]]),
    memoryAfter: new Map([['k', { name: 'worker', bytes: GIB + 10_000_000 }]]),
    clockTime,
  });
  assert.equal(report, null);
  assert.equal(
    awayReport({ from: T, to: T + H, entries: [], memoryBefore: none, memoryAfter: none, clockTime }),
    null,
  );
});

test('a span reads as a person says it', () => {
  assert.equal(formatSpan(2 * 60_000), '2 min');
  assert.equal(formatSpan(65 * 60_000), '1 h 5 min');
  assert.equal(formatSpan(7 * H + 10 * 60_000), '7 h');
});

test('in Simplified Chinese the report says the same in Chinese, names and sizes as they are', (t) => {
  setLanguage('zh-CN');
  t.after(() => setLanguage('en'));
  const api = { host: 'local', stack: 'docker', key: 'local/docker/api/1', name: 'docker-api-1' };
  const report = awayReport({
    from: T,
    to: T + 90 * 60_000,
    entries: [
      entry({ ...api, ts: T + 3 * H, kind: 'oom', severity: 'critical', rule: 'oom-killed', text: 'killed' }),
      entry({ ...api, ts: T + 3 * H + 1000, kind: 'restart', severity: 'warning', text: 'restarted' }),
      entry({
        ...api,
        ts: T + 3 * H + 2000,
        kind: 'alert',
        severity: 'critical',
        rule: 'oom-killed',
        text: 'a',
      }),
      entry({ ts: T + 3 * H, kind: 'engine-down', severity: 'warning', host: 'local', text: 'down' }),
      entry({
        ...api,
        name: 'docker-worker-1',
        key: 'w',
        ts: T + 4 * H,
        kind: 'restart',
        severity: 'warning',
        text: 'r',
      }),
      entry({
        ...api,
        name: 'docker-worker-1',
        key: 'w',
        ts: T + 5 * H,
        kind: 'restart',
        severity: 'warning',
        text: 'r',
      }),
    ],
    memoryBefore: new Map([['local/docker/worker/1', { name: 'worker', bytes: GIB }]]),
    memoryAfter: new Map([['local/docker/worker/1', { name: 'worker', bytes: 2.2 * GIB }]]),
    clockTime,
  });
  assert.equal(report?.title, '您离开期间（1 小时 30 分钟）');
  assert.equal(
    report?.body,
    'docker-api-1 于 03:12 被 OOM 终止，随后重启；引擎 local 于 03:12 断开；docker-worker-1 重启了 2 次；worker 内存增加 1.2 GiB；1 条严重告警',
  );
  const names = ['docker-api-1', 'docker-worker-1', 'worker', 'local'];
  assert.deepEqual(englishLeft(`${report?.title}\n${report?.body}`, names, UNIT_AND_PRODUCT_WORDS), []);
});
