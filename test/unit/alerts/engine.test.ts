import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertEngine } from '../../../src/alerts/engine.ts';
import { type Alert, type AlertSettings, DEFAULT_ALERT_SETTINGS } from '../../../src/alerts/types.ts';
import type { ContainerEvent, HostState, Role, Sample } from '../../../src/model.ts';
import { makeSample } from '../../helpers/samples.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const HOST_MEM = 7.7 * GiB;
/** Noon UTC; the engine's local time in these tests is UTC. */
const T0 = Date.UTC(2025, 10, 23, 12, 0, 0);

interface Box {
  readonly name: string;
  readonly role: Role;
  readonly limit?: number;
}
const WORKER: Box = { name: 'docker-worker-1', role: 'worker', limit: 2 * GiB };
const API: Box = { name: 'docker-api-1', role: 'api' };
const WEB: Box = { name: 'docker-web-1', role: 'web' };

class Harness {
  now = T0;
  readonly engine: AlertEngine;

  constructor(settings: Partial<AlertSettings> = {}) {
    this.engine = new AlertEngine({
      settings: { ...DEFAULT_ALERT_SETTINGS, ...settings },
      clock: { now: () => this.now },
      minuteOfDay: (ts) => Math.floor(ts / 60_000) % 1440,
    });
  }

  at(sec: number): this {
    this.now = T0 + sec * 1000;
    return this;
  }

  sample(box: Box, memUsageBytes: number | null, extra: Partial<Sample> = {}): Sample {
    const limit = box.limit ?? HOST_MEM;
    const service = box.role;
    return makeSample({
      ts: this.now,
      role: box.role,
      service,
      name: box.name,
      id: `${box.name}-id`,
      memUsageBytes,
      memLimitBytes: limit,
      memLimitSource: box.limit === undefined ? 'host' : 'container',
      memPercent: memUsageBytes === null ? null : (memUsageBytes / limit) * 100,
      pids: 5,
      key: `local/docker/${service}/1`,
      ...extra,
    });
  }

  round(...samples: Sample[]): Alert[] {
    return this.engine.onRound('local', samples);
  }

  event(box: Box, action: ContainerEvent['action'], extra: Partial<ContainerEvent> = {}): Alert[] {
    return this.engine.onEvent({
      type: 'event',
      ts: this.now,
      host: 'local',
      action,
      id: `${box.name}-id`,
      name: box.name,
      key: `local/docker/${box.role}/1`,
      ...extra,
    });
  }

  /** What the engine says when a container's limit kills it: oom, then die with exit code 137. */
  limitKill(box: Box, extra: Partial<ContainerEvent> = {}): Alert[] {
    return [...this.event(box, 'oom', extra), ...this.event(box, 'die', { exitCode: 137, ...extra })];
  }

  host(state: HostState['state'], extra: Partial<HostState> = {}): Alert[] {
    return this.engine.onHost({
      type: 'host',
      ts: this.now,
      host: 'local',
      state,
      message: 'Cannot reach /var/run/docker.sock: connection refused. Is Docker running?',
      endpoint: 'unix:///var/run/docker.sock',
      reason: 'default socket',
      ...extra,
    });
  }

  /** Feeds one sample of `box` every `stepSec` from `fromSec` to `toSec`; returns all alerts. */
  feed(
    box: Box,
    fromSec: number,
    toSec: number,
    memory: (sec: number) => number,
    stepSec = 5,
    extra = {},
  ): Alert[] {
    const out: Alert[] = [];
    for (let sec = fromSec; sec <= toSec; sec += stepSec) {
      this.at(sec);
      out.push(...this.round(this.sample(box, memory(sec), extra)));
    }
    return out;
  }
}

/** The i-th item, failing the test when there is none. */
function item<T>(items: readonly T[], index: number): T {
  const value = items[index];
  assert.ok(value !== undefined, `no item ${index} in ${items.length}`);
  return value;
}

/** A number that must be there. */
function num(value: number | null): number {
  assert.ok(value !== null);
  return value;
}

const rules = (alerts: readonly Alert[]): string[] => alerts.map((a) => `${a.rule}:${a.severity}`);

describe('memory threshold', () => {
  it('warns at 85 % of the container limit, once, while the value hovers at the line', () => {
    const h = new Harness();
    const hovering = [0.86, 0.84, 0.851, 0.83, 0.849, 0.86, 0.81];
    const alerts = h.feed(WORKER, 0, 30, (sec) => item(hovering, sec / 5) * 2 * GiB);
    assert.deepEqual(rules(alerts), ['memory-threshold:warning']);
    const a = item(alerts, 0);
    assert.equal(a.message, 'docker-worker-1 is using 1.7 GiB, 86 % of its 2.0 GiB limit');
    assert.equal(a.valueBytes, 0.86 * 2 * GiB);
    assert.equal(a.limitBytes, 2 * GiB);
    assert.equal(a.key, 'local/docker/worker/1');
    assert.equal(a.ts, T0);
  });

  it('escalates to critical at once, without waiting for the cooldown', () => {
    const h = new Harness();
    const alerts = h.feed(WORKER, 0, 20, (sec) => (sec < 10 ? 0.86 : 0.92) * 2 * GiB);
    assert.deepEqual(rules(alerts), ['memory-threshold:warning', 'memory-threshold:critical']);
    assert.equal(item(alerts, 1).ts - item(alerts, 0).ts, 10_000);
  });

  it('says which limit applies: the host’s when none is set, a role budget over both', () => {
    const host = new Harness().at(0);
    const onHost = item(host.round(host.sample(API, 6.8 * GiB)), 0);
    assert.equal(onHost.message, "docker-api-1 is using 6.8 GiB, 88 % of the host's 7.7 GiB (no limit set)");

    const budget = new Harness({ roleBudgetBytes: { api: 1 * GiB } }).at(0);
    const onBudget = item(budget.round(budget.sample(API, 950 * MiB)), 0);
    assert.equal(onBudget.message, 'docker-api-1 is using 950 MiB, 93 % of its 1.0 GiB budget');
    assert.equal(onBudget.severity, 'critical');
    assert.equal(onBudget.limitBytes, 1 * GiB);
  });

  it('after clearing, the same warning waits for the cooldown; a recovered notice is optional', () => {
    const quiet = new Harness();
    const pattern = (sec: number): number => (sec >= 60 && sec < 120 ? 0.5 : 0.87) * 2 * GiB;
    assert.deepEqual(rules(quiet.feed(WORKER, 0, 290, pattern, 10)), ['memory-threshold:warning']);
    const later = quiet.feed(WORKER, 300, 310, () => 0.87 * 2 * GiB, 10);
    assert.deepEqual(
      rules(later),
      ['memory-threshold:warning'],
      'raised when the cooldown ended, still high',
    );

    const told = new Harness({ recoveredNotice: true });
    const alerts = told.feed(WORKER, 0, 200, pattern, 10);
    assert.deepEqual(rules(alerts), ['memory-threshold:warning', 'recovered:info']);
    assert.equal(item(alerts, 1).message, 'docker-worker-1 is back to 1.0 GiB, 50 % of its 2.0 GiB limit');
  });

  it('new settings apply from the next round', () => {
    const h = new Harness();
    assert.deepEqual(
      h.feed(WORKER, 0, 0, () => 0.8 * 2 * GiB),
      [],
    );
    h.engine.updateSettings({ memory: { warningPercent: 75, criticalPercent: 95, hysteresisPoints: 5 } });
    assert.deepEqual(rules(h.feed(WORKER, 5, 5, () => 0.8 * 2 * GiB)), ['memory-threshold:warning']);
    assert.equal(h.engine.settings.cooldownMs, DEFAULT_ALERT_SETTINGS.cooldownMs);
  });
});

describe('cpu threshold', () => {
  it('a burst does not alert; a sustained minute does, once', () => {
    const h = new Harness();
    const cpu = (sec: number): number => (sec >= 30 && sec < 75 ? 100 : sec >= 200 ? 95 : 10);
    const alerts: Alert[] = [];
    for (let sec = 0; sec <= 400; sec += 5) {
      h.at(sec);
      alerts.push(...h.round(h.sample(API, 1 * GiB, { cpuOfLimitPercent: cpu(sec) })));
    }
    assert.deepEqual(rules(alerts), ['cpu-threshold:critical']);
    assert.equal(item(alerts, 0).ts, T0 + 260_000);
    assert.equal(item(alerts, 0).message, 'docker-api-1 has used over 90 % of the CPU it may use for 60 s');
    assert.equal(item(alerts, 0).valueBytes, null);
  });
});

describe('memory trend', () => {
  it('warns under the thresholds with the time to the limit, in the words of the issue', () => {
    const h = new Harness();
    const leak = (sec: number): number => 1.5 * GiB + (35 * MiB * sec) / 60;
    const alerts = h.feed(WORKER, 0, 300, leak);
    assert.deepEqual(rules(alerts), ['memory-trend:warning']);
    const a = item(alerts, 0);
    assert.equal(a.message, 'docker-worker-1 will reach its 2.0 GiB limit in about 10 min (+35 MiB/min)');
    assert.ok(num(a.valueBytes) < 0.85 * 2 * GiB, 'below the warning line');
    const trueEta = (2 * GiB - leak((a.ts - T0) / 1000)) / ((35 * MiB) / 60);
    assert.ok(Math.abs(num(a.etaSeconds) - trueEta) <= 0.2 * trueEta, `${a.etaSeconds} vs ${trueEta}`);
  });

  it('a leak of a few MiB/s under a small limit is announced before the thresholds and well before the kill', () => {
    const h = new Harness();
    const box: Box = { ...WORKER, limit: 1 * GiB };
    const leak = (sec: number): number => 50 * MiB + 4 * MiB * sec;
    const alerts = h.feed(box, 0, 250, leak, 1);
    assert.deepEqual(rules(alerts), [
      'memory-trend:warning',
      'memory-threshold:warning',
      'memory-threshold:critical',
    ]);
    const oomAt = T0 + ((1 * GiB - 50 * MiB) / (4 * MiB)) * 1000;
    assert.ok(oomAt - item(alerts, 0).ts >= 30_000, 'at least 30 s ahead of the kill');
    assert.match(
      item(alerts, 0).message,
      /^docker-worker-1 will reach its 1\.0 GiB limit in about \d+ s \(\+240 MiB\/min\)$/,
    );
  });

  it('a sawtooth, steady memory or a noisy flat line never give an ETA', () => {
    const h = new Harness();
    const saw = h.feed(WORKER, 0, 1200, (sec) => 1 * GiB + ((sec % 120) / 120) * 600 * MiB);
    const steady = h.feed(API, 0, 1200, () => 2 * GiB);
    let seed = 1;
    const noisy = h.feed(WEB, 0, 1200, () => {
      seed = (seed * 16807) % 2147483647;
      return 5 * GiB + (seed / 2147483647 - 0.5) * 300 * MiB;
    });
    assert.deepEqual([...saw, ...steady, ...noisy], []);
  });

  it('a restart cuts the history: the fall after it is not part of the trend, and it says nothing', () => {
    const h = new Harness({ recoveredNotice: true });
    const box: Box = { ...WORKER, limit: 1 * GiB };
    const before = h.feed(box, 0, 185, (sec) => 50 * MiB + 4 * MiB * sec, 1);
    assert.deepEqual(rules(before), ['memory-trend:warning']);
    const after = h.feed(box, 186, 400, () => 100 * MiB, 1, { restartCount: 1 });
    assert.deepEqual(rules(after), []);
  });
});

describe('stack memory', () => {
  it('warns when the containers of a stack together use most of the host', () => {
    const h = new Harness().at(0);
    h.host('up', { memTotalBytes: HOST_MEM });
    const alerts = h.round(h.sample(API, 3 * GiB), h.sample(WORKER, 1.6 * GiB), h.sample(WEB, 2 * GiB));
    assert.deepEqual(rules(alerts), ['stack-memory:warning']);
    const a = item(alerts, 0);
    assert.equal(a.message, "Dify (docker) is using 6.6 of 7.7 GiB of the host's memory (86 %)");
    assert.equal(a.name, 'docker');
    assert.equal(a.role, null);
    assert.equal(a.key, 'local/docker');
    assert.equal(a.valueBytes, 6.6 * GiB);
    assert.equal(a.limitBytes, HOST_MEM);
    h.at(5);
    assert.deepEqual(
      h.round(h.sample(API, 3.1 * GiB), h.sample(WORKER, 1.6 * GiB), h.sample(WEB, 2 * GiB)),
      [],
    );
  });

  it('learns the host’s memory from a container without a limit when no host state said it', () => {
    const h = new Harness().at(0);
    const alerts = h.round(h.sample(API, 4 * GiB), h.sample(WEB, 3 * GiB));
    assert.deepEqual(rules(alerts), ['stack-memory:critical']);
  });
});

describe('oom-killed', () => {
  function stack(h: Harness): void {
    h.at(0);
    h.round(h.sample(WORKER, 1.9 * GiB), h.sample(API, 600 * MiB), h.sample(WEB, 80 * MiB));
  }

  it('is critical at once, once per kill, with who held the memory', () => {
    const h = new Harness();
    stack(h);
    h.at(2);
    assert.deepEqual(h.event(WORKER, 'oom'), [], 'held until the die says the container went with it');
    const alerts = h.event(WORKER, 'die', { exitCode: 137 });
    assert.deepEqual(rules(alerts), ['oom-killed:critical']);
    const a = item(alerts, 0);
    assert.equal(a.ts, T0 + 2000);
    assert.equal(
      a.message,
      'docker-worker-1 ran out of memory and was killed at 1.9 GiB of its 2.0 GiB limit. ' +
        'docker held 2.6 GiB: docker-worker-1 1.9 GiB, docker-api-1 600 MiB, docker-web-1 80 MiB',
    );
    assert.deepEqual(a.snapshot, [
      { name: 'docker-worker-1', role: 'worker', memUsageBytes: 1.9 * GiB },
      { name: 'docker-api-1', role: 'api', memUsageBytes: 600 * MiB },
      { name: 'docker-web-1', role: 'web', memUsageBytes: 80 * MiB },
    ]);
    assert.equal(a.valueBytes, 1.9 * GiB);
    assert.equal(a.limitBytes, 2 * GiB);
    // The inspect flag describes the same kill.
    h.at(5);
    assert.deepEqual(
      h.round(
        h.sample(WORKER, null, { state: 'exited', oomKilled: true, exitCode: 137 }),
        h.sample(API, 600 * MiB),
      ),
      [],
    );
  });

  it('a die with exit code 137 alone says it was most likely memory', () => {
    const h = new Harness();
    stack(h);
    const a = item(h.event(WORKER, 'die', { exitCode: 137 }), 0);
    assert.match(
      a.message,
      /^docker-worker-1 was killed \(exit code 137\), most likely out of memory at 1\.9 GiB/,
    );
    assert.deepEqual(h.event(API, 'die', { exitCode: 0 }), []);
  });

  it('an exit 137 that someone asked for (docker kill, stop) is "killed (signal 9)", a warning, never an OOM', () => {
    const h = new Harness();
    stack(h);
    assert.deepEqual(h.event(WORKER, 'kill'), []);
    assert.deepEqual(
      h.event(WORKER, 'die', { exitCode: 137, oomKilled: false }),
      [],
      'a rm -f would show its destroy',
    );
    const alerts = h.at(2).round(h.sample(API, 600 * MiB));
    assert.deepEqual(rules(alerts), ['killed:warning']);
    assert.match(
      item(alerts, 0).message,
      /^docker-worker-1 was killed \(signal 9\), not by its own limit: the engine sent it SIGKILL \(docker kill, or docker stop past its grace period\)\. It had reached 1\.9 GiB of its 2\.0 GiB limit/,
    );
    const a = item(h.event(WEB, 'die', { exitCode: 137, oomKilled: true }), 0);
    assert.equal(a.rule, 'oom-killed');
    assert.match(a.message, /ran out of memory/);
  });

  it('a docker rm -f (kill, die 137, destroy) is no news', () => {
    const h = new Harness();
    stack(h);
    h.at(1).event(WORKER, 'kill');
    assert.deepEqual(h.event(WORKER, 'die', { exitCode: 137 }), []);
    assert.deepEqual(h.event(WORKER, 'destroy'), []);
    assert.deepEqual(h.at(10).round(h.sample(API, 600 * MiB)), []);
  });

  it('exit 137 without OOMKilled over the API: not by its own limit, and what the API cannot say', () => {
    const h = new Harness();
    stack(h);
    const alerts = h.at(1).event(API, 'die', { exitCode: 137, oomKilled: false });
    assert.deepEqual(rules(alerts), ['oom-killed:critical']);
    assert.match(
      item(alerts, 0).message,
      /^docker-api-1 was killed \(signal 9\), not by its own limit: most likely the host's or the VM's OOM killer, which the engine's API does not report\. It had reached 600 MiB of the host's 7\.7 GiB/,
    );
    assert.doesNotMatch(item(alerts, 0).message, /ran out of memory/);
  });

  it('outside a stack the message names the container alone, and the snapshot holds it', () => {
    const h = new Harness().at(0);
    const lone: Box = { name: 'leaky', role: 'other', limit: 640 * MiB };
    h.round(h.sample(lone, 636 * MiB, { stack: null, key: 'local/-/leaky' }));
    const a = item(h.at(1).limitKill(lone, { key: 'local/-/leaky' }), 0);
    assert.equal(a.message, 'leaky ran out of memory and was killed at 636 MiB of its 640 MiB limit');
    assert.deepEqual(a.snapshot, [{ name: 'leaky', role: 'other', memUsageBytes: 636 * MiB }]);
    assert.equal(a.stack, null);
  });

  it('the inspect flag turning true is a kill too; a flag already set when we started watching is not', () => {
    const h = new Harness();
    stack(h);
    h.at(5);
    const alerts = h.round(h.sample(WORKER, null, { state: 'exited', oomKilled: true }));
    assert.deepEqual(rules(alerts), ['oom-killed:critical']);
    const fresh = new Harness().at(0);
    assert.deepEqual(fresh.round(fresh.sample(WORKER, null, { state: 'exited', oomKilled: true })), []);
  });

  it('memory alerts of the killed container end without a "back to normal"', () => {
    const h = new Harness({ recoveredNotice: true });
    assert.deepEqual(rules(h.feed(WORKER, 0, 0, () => 1.9 * GiB)), ['memory-threshold:critical']);
    h.at(3);
    h.event(WORKER, 'oom');
    h.event(WORKER, 'die', { exitCode: 137 });
    h.event(WORKER, 'start');
    assert.deepEqual(
      h.feed(WORKER, 5, 60, () => 200 * MiB, 5, { restartCount: 1 }),
      [],
    );
  });
});

describe('a process OOM-killed inside a container that keeps running', () => {
  const KEY = 'local/docker/worker/1';
  /** A worker growing from 1,200 MiB by 100 MiB/s, whose process is killed after 4 s: 300 MiB after. */
  const growing = (sec: number): number => (sec <= 4 ? (1200 + sec * 100) * MiB : 300 * MiB);

  /** One round of the stack a second from `fromSec` to `toSec`; returns the oom-killed alerts. */
  function rounds(h: Harness, fromSec: number, toSec: number, worker: (sec: number) => number): Alert[] {
    const out: Alert[] = [];
    for (let sec = fromSec; sec <= toSec; sec++) {
      h.at(sec);
      out.push(...h.round(h.sample(WORKER, worker(sec)), h.sample(API, 600 * MiB), h.sample(WEB, 80 * MiB)));
    }
    return out.filter((a) => a.rule === 'oom-killed');
  }

  /** The kill of the worker's process 5.2 s in, told 10 s later when no die came. */
  function processKill(h: Harness): Alert {
    rounds(h, 0, 5, growing);
    assert.deepEqual(h.at(5.2).event(WORKER, 'oom'), []);
    const told = rounds(h, 6, 16, growing);
    assert.equal(told.length, 1);
    return item(told, 0);
  }

  it('is told once the container outlived the hold, with the memory reached before the kill', () => {
    const h = new Harness();
    const a = processKill(h);
    assert.equal(a.ts, T0 + 16_000, 'the first round 10 s after the oom');
    assert.equal(
      a.message,
      'a process in docker-worker-1 was killed by the OOM killer; the container is still running ' +
        "(the engine's API does not say which process). It had reached 1.6 GiB of its 2.0 GiB limit. " +
        'docker held 2.2 GiB: docker-worker-1 1.6 GiB, docker-api-1 600 MiB, docker-web-1 80 MiB',
    );
    assert.equal(a.severity, 'critical');
    assert.equal(a.valueBytes, 1600 * MiB, 'the peak before the oom, not the 300 MiB read after the kill');
    assert.equal(a.limitBytes, 2 * GiB);
    assert.deepEqual(item(a.snapshot ?? [], 0), {
      name: 'docker-worker-1',
      role: 'worker',
      memUsageBytes: 1600 * MiB,
    });
    assert.deepEqual([...h.engine.oomKills()], [[KEY, 1]]);
  });

  it('a container killed by its limit gives its peak too, not its last reading', () => {
    const h = new Harness();
    rounds(h, 0, 2, (sec) => item([1500, 1900, 1850], sec) * MiB);
    const a = item(h.at(2.5).limitKill(WORKER), 0);
    assert.match(
      a.message,
      /^docker-worker-1 ran out of memory and was killed at 1\.9 GiB of its 2\.0 GiB limit\. /,
    );
    assert.equal(a.valueBytes, 1900 * MiB);
  });

  it('is never raised twice for one kill: not for its late die, nor for a worker killed over and over', () => {
    const h = new Harness();
    processKill(h);
    assert.deepEqual(h.at(17).event(WORKER, 'die', { exitCode: 137 }), [], 'a die that trailed its oom');
    h.at(18).event(WORKER, 'start');
    const again: Alert[] = [];
    for (let sec = 19; sec <= 60; sec++) {
      if (sec % 3 === 0) again.push(...h.at(sec).event(WORKER, 'oom'));
      again.push(...rounds(h, sec, sec, () => 1500 * MiB));
    }
    assert.deepEqual(again, [], 'within a minute of the alert, the same worker again is the same episode');
  });

  it('the container dying of its limit after its worker was killed is told: that is news', () => {
    const h = new Harness();
    processKill(h);
    const died = h.at(30).limitKill(WORKER);
    assert.deepEqual(rules(died), ['oom-killed:critical']);
    assert.match(item(died, 0).message, /^docker-worker-1 ran out of memory and was killed/);
    h.at(31);
    assert.deepEqual(
      h.round(h.sample(WORKER, null, { state: 'exited', oomKilled: true, exitCode: 137 })),
      [],
      'the inspect flag after it is the same kill',
    );
  });

  it('the inspect flag a process kill leaves set does not make a later stop an OOM kill', () => {
    const h = new Harness();
    processKill(h);
    h.at(200);
    assert.deepEqual(h.event(WORKER, 'kill'), []);
    assert.deepEqual(h.event(WORKER, 'die', { exitCode: 0, oomKilled: true }), []);
    h.at(201);
    assert.deepEqual(h.round(h.sample(WORKER, null, { state: 'exited', oomKilled: true, exitCode: 0 })), []);
  });

  it('an engine that sets the inspect flag at the oom: a live container with it is a process kill', () => {
    const h = new Harness();
    rounds(h, 0, 4, growing);
    h.at(5);
    assert.deepEqual(h.round(h.sample(WORKER, 300 * MiB, { oomKilled: true })), []);
    const told = rounds(h, 6, 15, () => 300 * MiB);
    assert.deepEqual(rules(told), ['oom-killed:critical']);
    assert.match(
      item(told, 0).message,
      /^a process in docker-worker-1 was killed by the OOM killer; .* 1\.6 GiB/,
    );
  });

  it('a container stopped by someone within the hold had outlived its oom', () => {
    const h = new Harness();
    rounds(h, 0, 4, growing);
    h.at(5).event(WORKER, 'oom');
    h.at(7).event(WORKER, 'kill');
    const alerts = h.event(WORKER, 'die', { exitCode: 137 });
    assert.deepEqual(rules(alerts), ['oom-killed:critical']);
    assert.match(item(alerts, 0).message, /^a process in docker-worker-1 was killed by the OOM killer/);
  });
});

describe('restart loop', () => {
  it('three restarts within 10 min from die/start events are one critical alert', () => {
    const h = new Harness();
    const alerts: Alert[] = [];
    for (const sec of [0, 100, 200, 300]) {
      h.at(sec);
      alerts.push(...h.event(API, 'die', { exitCode: 1 }), ...h.event(API, 'start'));
    }
    assert.deepEqual(rules(alerts), ['restart-loop:critical']);
    assert.equal(item(alerts, 0).ts, T0 + 200_000);
    assert.equal(item(alerts, 0).message, 'docker-api-1 has restarted 3 times in the last 10 min');
    assert.equal(item(alerts, 0).role, null, 'no sample told its role yet');
  });

  it('the restart count in samples counts when events were missed, and is not counted twice', () => {
    const h = new Harness();
    const counted = [0, 1, 2, 3].flatMap((n) => {
      h.at(n * 60);
      return h.round(h.sample(API, GiB, { restartCount: n }));
    });
    assert.deepEqual(rules(counted), ['restart-loop:critical']);
    assert.equal(item(counted, 0).role, 'api');

    const both = new Harness();
    const alerts = [0, 1, 2].flatMap((n) => {
      both.at(n * 60);
      const fromEvents =
        n === 0 ? [] : [...both.event(API, 'die', { exitCode: 1 }), ...both.event(API, 'start')];
      return [...fromEvents, ...both.round(both.sample(API, GiB, { restartCount: n }))];
    });
    assert.deepEqual(alerts, [], 'two restarts, seen by both events and counter');
  });

  it('restarts that age out of the window end the loop', () => {
    const h = new Harness({ recoveredNotice: true });
    for (const sec of [0, 10, 20]) {
      h.at(sec);
      h.event(API, 'die', { exitCode: 1 });
      h.event(API, 'start');
    }
    h.at(700);
    assert.deepEqual(rules(h.round(h.sample(API, GiB))), ['recovered:info']);
  });
});

describe('unhealthy', () => {
  it('a health_status unhealthy event warns once; samples repeating it add nothing', () => {
    const h = new Harness({ recoveredNotice: true }).at(0);
    const alerts = h.event(API, 'health_status', { health: 'unhealthy' });
    assert.deepEqual(rules(alerts), ['unhealthy:warning']);
    assert.equal(item(alerts, 0).message, 'docker-api-1 is unhealthy: its health check fails');
    h.at(5);
    assert.deepEqual(h.round(h.sample(API, GiB, { health: 'unhealthy' })), []);
    h.at(10);
    assert.deepEqual(h.event(API, 'health_status', { health: 'starting' }), []);
    h.at(15);
    assert.deepEqual(rules(h.event(API, 'health_status', { health: 'healthy' })), ['recovered:info']);
  });
});

describe('host down and up', () => {
  it('one host-down per outage, whatever the reconnect attempts; host-up only after a down', () => {
    const h = new Harness().at(0);
    assert.deepEqual(h.host('connecting'), []);
    assert.deepEqual(h.host('up'), []);
    h.at(10);
    const down = h.host('down');
    assert.deepEqual(rules(down), ['host-down:warning']);
    assert.equal(
      item(down, 0).message,
      'Docker on local is unreachable: Cannot reach /var/run/docker.sock: connection refused. Is Docker running?',
    );
    assert.equal(item(down, 0).key, 'local');
    assert.deepEqual([...h.host('connecting'), ...h.at(12).host('down'), ...h.at(16).host('connecting')], []);
    h.at(20);
    const up = h.host('up');
    assert.deepEqual(rules(up), ['host-up:info']);
    assert.equal(item(up, 0).message, 'Docker on local is reachable again');
  });
});

describe('a host removed from the settings', () => {
  it('leaves no active condition behind, and starts afresh if it comes back', () => {
    const h = new Harness().at(0);
    h.round(h.sample(WORKER, 1.9 * GiB));
    h.at(10).host('down');
    assert.deepEqual(
      h.engine
        .active()
        .map((a) => a.rule)
        .sort(),
      ['host-down', 'memory-threshold'],
    );
    h.engine.forgetHost('remote-elsewhere');
    assert.equal(h.engine.active().length, 2, 'another host’s name forgets nothing here');
    h.engine.forgetHost('local');
    assert.deepEqual(h.engine.active(), []);
    h.at(20);
    assert.deepEqual(rules(h.round(h.sample(WORKER, 1.9 * GiB))), ['memory-threshold:critical']);
  });
});

describe('muting', () => {
  it('mute all: alerts are still raised and logged, marked muted, until the mute ends', () => {
    const h = new Harness({ muteUntil: T0 + 60_000 });
    const muted = item(
      h.feed(WORKER, 0, 0, () => 1.75 * GiB),
      0,
    );
    assert.equal(muted.muted, true);
    assert.equal(h.engine.log.entries[0], muted);
    const loud = item(h.at(60).limitKill(API), 0);
    assert.equal(loud.muted, undefined);
  });

  it('a muted container is silent, the others are not', () => {
    const h = new Harness({ mutedKeys: ['local/docker/worker/1'] }).at(0);
    const alerts = h.round(h.sample(WORKER, 1.9 * GiB), h.sample(API, 7 * GiB));
    assert.deepEqual(
      alerts.map((a) => [a.name, a.muted ?? false]),
      [
        ['docker-worker-1', true],
        ['docker-api-1', false],
        ['docker', false],
      ],
    );
  });

  it('quiet hours mute by local time of day', () => {
    const h = new Harness({ quietHours: { start: '22:00', end: '07:00' } });
    h.now = Date.UTC(2025, 10, 23, 23, 30);
    assert.equal(item(h.limitKill(API), 0).muted, true);
    h.now = Date.UTC(2025, 10, 24, 7, 0);
    assert.equal(item(h.limitKill(WEB), 0).muted, undefined);
  });
});

describe('alert lines and log', () => {
  it('an alert serialises as the watch --json line, fields in the documented order', () => {
    const h = new Harness().at(0);
    const a = item(h.round(h.sample(WORKER, 1.8 * GiB)), 0);
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(a))), [
      'type',
      'ts',
      'severity',
      'rule',
      'host',
      'stack',
      'name',
      'role',
      'message',
      'valueBytes',
      'limitBytes',
      'etaSeconds',
      'key',
    ]);
  });

  it('every alert goes to the log, newest first', () => {
    const h = new Harness().at(0);
    h.round(h.sample(WORKER, 1.8 * GiB));
    h.at(1).limitKill(API);
    assert.deepEqual(
      h.engine.log.entries.map((a) => a.rule),
      ['oom-killed', 'memory-threshold'],
    );
  });
});
