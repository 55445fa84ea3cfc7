import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertEngine } from '../../../src/alerts/engine.ts';
import type { Alert } from '../../../src/alerts/types.ts';
import { Matcher } from '../../../src/logs/matcher.ts';
import type { KernelCounters, LogMatch } from '../../../src/model.ts';
import { makeSample } from '../../helpers/samples.ts';

const T0 = Date.UTC(2025, 10, 23, 12, 0, 0);
const KEY = 'local/docker/api/1';
const matcher = new Matcher();

class Harness {
  now = T0;
  readonly engine = new AlertEngine({ clock: { now: () => this.now } });

  at(sec: number): this {
    this.now = T0 + sec * 1000;
    return this;
  }

  line(text: string): Alert[] {
    const matched = matcher.match(text);
    assert.ok(matched !== null, text);
    const match: LogMatch = {
      type: 'log',
      host: 'local',
      key: KEY,
      id: 'api-id',
      name: 'docker-api-1',
      ts: this.now - 50,
      line: text,
      ...matched,
    };
    return this.engine.onLogMatch(match);
  }

  round(kernel?: KernelCounters): Alert[] {
    const sample = makeSample({
      ts: this.now,
      id: 'api-id',
      key: KEY,
      memUsageBytes: 300 * 2 ** 20,
      ...(kernel === undefined ? {} : { kernel }),
    });
    return this.engine.onRound('local', [sample], 0);
  }
}

const SIGKILL =
  '[2024-07-24 06:33:41 +0000] [1] [ERROR] Worker (pid:35) was sent SIGKILL! Perhaps out of memory?';
const TIMEOUT = '[2024-07-24 06:33:40 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:35)';
const TOO_MANY = '2026-08-20 01:50:14.875 UTC [1360204] FATAL:  sorry, too many clients already';
const NGINX_504 =
  '2025/03/26 09:51:11 [error] 1678#1678: *18992 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 113.55.127.140';

describe('log-signature alerts', () => {
  it('carry the line, its container and its time; the same signature again is held by the cooldown', () => {
    const h = new Harness();
    const a = h.at(1).line(TOO_MANY);
    assert.equal(a.length, 1);
    assert.equal(a[0]?.rule, 'log-signature');
    assert.equal(a[0]?.severity, 'critical');
    assert.equal(a[0]?.name, 'docker-api-1');
    assert.equal(
      a[0]?.message,
      `Postgres refuses connections: too many clients in docker-api-1: "${TOO_MANY}"`,
    );
    assert.deepEqual(a[0]?.logLine, { text: TOO_MANY, ts: T0 + 950, signature: 'postgres-too-many-clients' });
    assert.deepEqual(h.at(2).line(TOO_MANY), []);
    assert.equal(h.at(400).line(TOO_MANY).length, 1, 'after the 5 min cooldown');
  });

  it('nginx’s errors count as a burst: five within a minute are one alert', () => {
    const h = new Harness();
    const alerts = [0, 10, 20, 30].flatMap((sec) => h.at(sec).line(NGINX_504));
    assert.deepEqual(alerts, []);
    assert.equal(h.at(40).line(NGINX_504).length, 1);
    const sparse = new Harness();
    assert.deepEqual(
      [0, 70, 140, 210, 280].flatMap((sec) => sparse.at(sec).line(NGINX_504)),
      [],
    );
  });

  it('the SIGKILL of the worker a WORKER TIMEOUT named is that timeout: one alert, the timeout’s', () => {
    const h = new Harness();
    assert.deepEqual(
      h
        .at(0)
        .line(TIMEOUT)
        .map((a) => a.logLine?.signature),
      ['gunicorn-timeout'],
    );
    assert.deepEqual(h.at(1).line(SIGKILL), []);
    assert.deepEqual(h.at(10).round(), []);
  });
});

describe('a log line and a kill that describe one incident are one alert', () => {
  it('the line first: the kill’s alert carries it', () => {
    const h = new Harness();
    h.at(0).round({ oomKills: 0, limitHits: 0 });
    assert.deepEqual(h.at(0.3).line(SIGKILL), [], 'waits for the kill');
    const alerts = h.at(1).round({ oomKills: 1, limitHits: 0 });
    assert.deepEqual(
      alerts.map((a) => a.rule),
      ['oom-killed'],
    );
    assert.match(
      alerts[0]?.message ?? '',
      /was killed by the host's OOM killer.*\. Its log: "\[2024-07-24 06:33:41 \+0000\] \[1\] \[ERROR\] Worker \(pid:35\) was sent SIGKILL! Perhaps out of memory\?"$/,
    );
    assert.equal(alerts[0]?.logLine?.signature, 'gunicorn-sigkill');
    assert.deepEqual(h.at(20).round({ oomKills: 1, limitHits: 0 }), [], 'nothing left over');
  });

  it('the kill first: the line after it is dropped', () => {
    const h = new Harness();
    h.at(0).round({ oomKills: 0, limitHits: 0 });
    assert.equal(h.at(1).round({ oomKills: 1, limitHits: 0 }).length, 1);
    assert.deepEqual(h.at(1.2).line(SIGKILL), []);
    assert.deepEqual(h.at(20).round({ oomKills: 1, limitHits: 0 }), []);
  });

  it('no kill (an engine API that cannot see one, or gunicorn’s own SIGKILL): the line alone, after the hold', () => {
    const h = new Harness();
    h.at(0).round();
    assert.deepEqual(h.at(0.3).line(SIGKILL), []);
    assert.deepEqual(h.at(3).round(), []);
    const alerts = h.at(7).round();
    assert.deepEqual(
      alerts.map((a) => `${a.rule}:${a.severity}`),
      ['log-signature:critical'],
    );
    assert.match(
      alerts[0]?.message ?? '',
      /^gunicorn lost a worker to SIGKILL \(perhaps out of memory\) in docker-api-1: /,
    );
  });

  it('over the API the kill is an oom held for its die: the line waits with it, and the kill’s alert carries it', () => {
    const h = new Harness();
    h.at(0).round();
    h.engine.onEvent({
      type: 'event',
      ts: h.now,
      host: 'local',
      action: 'oom',
      id: 'api-id',
      name: 'docker-api-1',
      key: KEY,
    });
    assert.deepEqual(h.at(0.3).line(SIGKILL), []);
    assert.deepEqual(h.at(7).round(), [], 'past the line’s own hold: the oom is still held');
    const alerts = h.at(11).round();
    assert.deepEqual(
      alerts.map((a) => a.rule),
      ['oom-killed'],
    );
    assert.equal(alerts[0]?.logLine?.signature, 'gunicorn-sigkill');
  });
});

describe('an alert read back from the log file', () => {
  it('keeps its log line and the process it named', async () => {
    const { parseAlert } = await import('../../../src/alerts/log.ts');
    const alert: Alert = {
      type: 'alert',
      ts: T0,
      severity: 'critical',
      rule: 'oom-killed',
      host: 'local',
      stack: 'docker',
      name: 'docker-worker-1',
      role: 'worker',
      message: 'm',
      valueBytes: null,
      limitBytes: null,
      etaSeconds: null,
      key: KEY,
      process: { label: 'celery pool worker', pid: 40, rssBytes: 1024 },
      logLine: { text: SIGKILL, ts: T0 - 10, signature: 'gunicorn-sigkill' },
    };
    assert.deepEqual(parseAlert(JSON.parse(JSON.stringify(alert))), alert);
    assert.equal(parseAlert({ ...alert, logLine: { text: 7 } }), null);
  });
});
