import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AlertEngine } from '../../../src/alerts/engine.ts';
import { type Alert, ALERT_RULES, type AlertRule } from '../../../src/alerts/types.ts';
import type { Role, Sample } from '../../../src/model.ts';
import { setLanguage } from '../../../src/i18n/index.ts';
import { BODY_MAX, notificationFor, TITLE_MAX } from '../../../src/notify/format.ts';
import { englishLeft, hasChinese, UNIT_AND_PRODUCT_WORDS } from '../../helpers/chinese.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function alert(fields: Partial<Alert> & Pick<Alert, 'rule' | 'severity' | 'message'>): Alert {
  return {
    type: 'alert',
    ts: 1_700_000_000_000,
    host: 'local',
    stack: 'docker',
    name: 'docker-worker-1',
    role: 'worker',
    valueBytes: null,
    limitBytes: null,
    etaSeconds: null,
    key: 'local/docker/worker/1',
    ...fields,
  };
}

/** One alert per rule, with the messages the engine writes for them. */
const EXAMPLES: Readonly<Record<AlertRule, Alert>> = {
  'memory-threshold': alert({
    rule: 'memory-threshold',
    severity: 'critical',
    message: 'docker-worker-1 is using 1.8 GiB, 91 % of its 2.0 GiB limit',
    valueBytes: 1.8 * GiB,
    limitBytes: 2 * GiB,
  }),
  'memory-trend': alert({
    rule: 'memory-trend',
    severity: 'warning',
    message: 'docker-worker-1 will reach its 2.0 GiB limit in about 4 min (+35 MiB/min)',
    valueBytes: 1.5 * GiB,
    limitBytes: 2 * GiB,
    etaSeconds: 240,
  }),
  'stack-memory': alert({
    rule: 'stack-memory',
    severity: 'warning',
    name: 'docker',
    role: null,
    key: 'local/docker',
    message: "Dify (docker) is using 7.1 of 7.7 GiB of the host's memory (92 %)",
    valueBytes: 7.1 * GiB,
    limitBytes: 7.7 * GiB,
  }),
  'cpu-threshold': alert({
    rule: 'cpu-threshold',
    severity: 'warning',
    name: 'docker-api-1',
    role: 'api',
    message: 'docker-api-1 has used over 70 % of the CPU it may use for 60 s',
  }),
  'oom-killed': alert({
    rule: 'oom-killed',
    severity: 'critical',
    message:
      'docker-worker-1 ran out of memory and was killed at 2.0 GiB of its 2.0 GiB limit. docker held 2.4 GiB: ' +
      'docker-api-1 1.2 GiB, docker-worker-1 900 MiB, docker-db-1 300 MiB, …',
    valueBytes: 2 * GiB,
    limitBytes: 2 * GiB,
    snapshot: [
      { name: 'docker-api-1', role: 'api', memUsageBytes: 1.2 * GiB },
      { name: 'docker-worker-1', role: 'worker', memUsageBytes: 900 * MiB },
      { name: 'docker-db-1', role: 'db', memUsageBytes: 300 * MiB },
      { name: 'docker-redis-1', role: 'redis', memUsageBytes: 20 * MiB },
    ],
  }),
  killed: alert({
    rule: 'killed',
    severity: 'warning',
    message:
      'docker-worker-1 was killed (signal 9), not by its own limit: the engine sent it SIGKILL ' +
      '(docker kill, or docker stop past its grace period)',
  }),
  'log-signature': alert({
    rule: 'log-signature',
    severity: 'critical',
    name: 'docker-api-1',
    role: 'api',
    message:
      'gunicorn killed a worker (SIGKILL, perhaps out of memory) in docker-api-1: ' +
      '"[2024-07-24 06:33:41 +0000] [1] [ERROR] Worker (pid:35) was sent SIGKILL! Perhaps out of memory?"',
    logLine: {
      text: 'Worker (pid:35) was sent SIGKILL!',
      ts: 1_700_000_000_000,
      signature: 'gunicorn-sigkill',
    },
  }),
  'restart-loop': alert({
    rule: 'restart-loop',
    severity: 'critical',
    message: 'docker-worker-1 has restarted 3 times in the last 10 min',
  }),
  unhealthy: alert({
    rule: 'unhealthy',
    severity: 'warning',
    message: 'docker-worker-1 is unhealthy: its health check fails',
  }),
  'host-down': alert({
    rule: 'host-down',
    severity: 'warning',
    stack: null,
    name: 'local',
    role: null,
    key: 'local',
    message: 'Docker on local is unreachable: connect ENOENT /var/run/docker.sock.\nIs Docker running?',
  }),
  'host-up': alert({
    rule: 'host-up',
    severity: 'info',
    stack: null,
    name: 'local',
    role: null,
    key: 'local',
    message: 'Docker on local is reachable again',
  }),
  recovered: alert({
    rule: 'recovered',
    severity: 'info',
    message: 'docker-worker-1 is back to 1.2 GiB, 60 % of its 2.0 GiB limit',
  }),
};

const TITLES: Readonly<Record<AlertRule, string>> = {
  'memory-threshold': 'OOM risk: docker-worker-1 (worker)',
  'memory-trend': 'OOM in ~4 min: docker-worker-1 (worker)',
  'stack-memory': 'Dify memory high: docker',
  'cpu-threshold': 'CPU high: docker-api-1 (api)',
  'oom-killed': 'OOM-killed: docker-worker-1 (worker)',
  killed: 'Killed: docker-worker-1 (worker)',
  'log-signature': 'Log: docker-api-1 (api)',
  'restart-loop': 'Restart loop: docker-worker-1 (worker)',
  unhealthy: 'Unhealthy: docker-worker-1 (worker)',
  'host-down': 'Docker host down: local',
  'host-up': 'Docker host back: local',
  recovered: 'Back to normal: docker-worker-1 (worker)',
};

describe('notificationFor', () => {
  for (const rule of ALERT_RULES) {
    it(`names what is at risk for ${rule}, within the length limits`, () => {
      const a = EXAMPLES[rule];
      const n = notificationFor(a);
      assert.ok(n !== null);
      assert.equal(n.title, TITLES[rule]);
      assert.ok(n.title.length <= TITLE_MAX, n.title);
      assert.ok(n.body.length <= BODY_MAX, n.body);
      assert.doesNotMatch(n.body, /\n/);
      assert.equal(n.id, a.key);
    });
  }

  it('maps severity to urgency', () => {
    assert.equal(notificationFor(EXAMPLES['oom-killed'])?.urgency, 'critical');
    assert.equal(notificationFor(EXAMPLES['memory-trend'])?.urgency, 'normal');
    assert.equal(notificationFor(EXAMPLES['host-up'])?.urgency, 'low');
  });

  it('says the numbers: value, limit and ETA come through in the body', () => {
    assert.equal(notificationFor(EXAMPLES['memory-trend'])?.body, EXAMPLES['memory-trend'].message);
    assert.equal(
      notificationFor(EXAMPLES['memory-threshold'])?.body,
      'docker-worker-1 is using 1.8 GiB, 91 % of its 2.0 GiB limit',
    );
    assert.equal(
      notificationFor(EXAMPLES['host-down'])?.body,
      'Docker on local is unreachable: connect ENOENT /var/run/docker.sock. Is Docker running?',
    );
  });

  it('shows the three biggest holders of an OOM kill by role', () => {
    assert.equal(
      notificationFor(EXAMPLES['oom-killed'])?.body,
      'docker-worker-1 ran out of memory and was killed at 2.0 GiB of its 2.0 GiB limit. ' +
        'Held: api 1.2 GiB, worker 900 MiB, db 300 MiB',
    );
  });

  it('reads the OOM kill the engine raises: what was killed, at what, and who held the memory', () => {
    const now = 1_700_000_000_000;
    const engine = new AlertEngine({ clock: { now: () => now } });
    const sample = (name: string, role: Role, usage: number): Sample => ({
      type: 'sample',
      ts: now,
      host: 'local',
      stack: 'docker',
      role,
      service: role,
      name,
      id: `${name}-id`,
      image: 'langgenius/dify-api:1.10.1',
      state: 'running',
      health: 'none',
      cpuPercent: 1,
      cpuOfLimitPercent: 1,
      memUsageBytes: usage,
      memLimitBytes: 2 * GiB,
      memLimitSource: 'container',
      memPercent: (usage / (2 * GiB)) * 100,
      netRxBytes: 0,
      netTxBytes: 0,
      blockReadBytes: 0,
      blockWriteBytes: 0,
      pids: 5,
      restartCount: 0,
      oomKilled: false,
      exitCode: null,
      key: `local/docker/${role}/1`,
    });
    engine.onRound('local', [
      sample('docker-api-1', 'api', 1.2 * GiB),
      sample('docker-worker-1', 'worker', 900 * MiB),
      sample('docker-db-1', 'db', 300 * MiB),
      sample('docker-redis-1', 'redis', 20 * MiB),
    ]);
    const event = {
      type: 'event',
      ts: now,
      host: 'local',
      id: 'docker-worker-1-id',
      name: 'docker-worker-1',
      key: 'local/docker/worker/1',
    } as const;
    // The engine holds an oom until the die says the container went with it (a process kill otherwise).
    assert.deepEqual(engine.onEvent({ ...event, action: 'oom' }), []);
    const [killed] = engine.onEvent({ ...event, action: 'die', exitCode: 137 });
    assert.ok(killed !== undefined);
    assert.deepEqual(notificationFor(killed), {
      title: 'OOM-killed: docker-worker-1 (worker)',
      body:
        'docker-worker-1 ran out of memory and was killed at 900 MiB of its 2.0 GiB limit. ' +
        'Held: api 1.2 GiB, worker 900 MiB, db 300 MiB',
      urgency: 'critical',
      id: 'local/docker/worker/1',
    });
  });

  it('names holders whose role is shared or unknown by container name', () => {
    const n = notificationFor(
      alert({
        rule: 'oom-killed',
        severity: 'critical',
        message: 'docker-worker-2 was killed (exit code 137), most likely out of memory',
        name: 'docker-worker-2',
        snapshot: [
          { name: 'docker-worker-1', role: 'worker', memUsageBytes: 800 * MiB },
          { name: 'docker-worker-2', role: 'worker', memUsageBytes: 700 * MiB },
          { name: 'my-sidecar', role: 'other', memUsageBytes: 100 * MiB },
        ],
      }),
    );
    assert.equal(
      n?.body,
      'docker-worker-2 was killed (exit code 137), most likely out of memory. ' +
        'Held: docker-worker-1 800 MiB, docker-worker-2 700 MiB, my-sidecar 100 MiB',
    );
  });

  it('leaves the role out where it says nothing', () => {
    const n = notificationFor(
      alert({ rule: 'unhealthy', severity: 'warning', name: 'portainer', role: 'other', message: 'x' }),
    );
    assert.equal(n?.title, 'Unhealthy: portainer');
  });

  it('shortens a long name, not the headline or the role, and a long body at the end', () => {
    const name = `docker-${'plugin_daemon-'.repeat(8)}1`;
    const n = notificationFor(
      alert({
        rule: 'oom-killed',
        severity: 'critical',
        name,
        role: 'plugin_daemon',
        message: `${name} ran out of memory and was killed at 2.0 GiB of its 2.0 GiB limit. docker held …`,
        snapshot: [
          { name: `${name}-a`, role: 'other', memUsageBytes: GiB },
          { name: `${name}-b`, role: 'other', memUsageBytes: GiB },
          { name: `${name}-c`, role: 'other', memUsageBytes: GiB },
        ],
      }),
    );
    assert.ok(n !== null);
    assert.equal(n.title.length, TITLE_MAX);
    assert.match(n.title, /^OOM-killed: docker-plugin_daemon-.*… \(plugin_daemon\)$/);
    assert.ok(n.body.length <= BODY_MAX, `${n.body.length}: ${n.body}`);
    assert.match(n.body, /…\. Held: .+ 1\.0 GiB, .+ 1\.0 GiB, .+ 1\.0 GiB$/);

    const long = notificationFor(
      alert({ rule: 'unhealthy', severity: 'warning', message: 'word '.repeat(100) }),
    );
    assert.equal(long?.body.length, BODY_MAX);
    assert.ok(long?.body.endsWith('…'));
  });

  it('does not notify a muted alert: it is only logged', () => {
    for (const rule of ALERT_RULES) {
      assert.equal(notificationFor({ ...EXAMPLES[rule], muted: true }), null);
    }
  });
});

describe('a notification in Simplified Chinese', () => {
  before(() => setLanguage('zh-CN'));
  after(() => setLanguage('en'));
  const names = ['docker-worker-1', 'docker-api-1', 'docker', 'local', 'worker', 'api', 'db', 'redis'];
  // The log line is the container's own words, quoted as it logged them.
  const logLine = 'Worker (pid:35) was sent SIGKILL!';

  it('has a Chinese title and body for every rule, with no English left but names and units', () => {
    for (const rule of ALERT_RULES) {
      const n = notificationFor(EXAMPLES[rule]);
      assert.ok(n !== null);
      assert.ok(hasChinese(n.title), `${rule}: ${n.title}`);
      assert.ok(hasChinese(n.body), `${rule}: ${n.body}`);
      const text = `${n.title}\n${n.body}`;
      assert.deepEqual(
        englishLeft(text, [...names, logLine], UNIT_AND_PRODUCT_WORDS),
        [],
        `${rule}: ${text}`,
      );
    }
  });

  it('says the figures: the title names the container and role, the body its memory and who held it', () => {
    const oom = notificationFor(EXAMPLES['oom-killed']);
    assert.equal(oom?.title, '已被 OOM 终止：docker-worker-1（worker）');
    assert.equal(
      oom?.body,
      'docker-worker-1 因内存耗尽已被 OOM 终止。占用最多：api 1.2 GiB，worker 900 MiB，db 300 MiB',
    );
    const trend = notificationFor(EXAMPLES['memory-trend']);
    assert.equal(trend?.title, '约 4分钟后 OOM：docker-worker-1（worker）');
  });
});
