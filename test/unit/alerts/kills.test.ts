import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertEngine } from '../../../src/alerts/engine.ts';
import type { Alert } from '../../../src/alerts/types.ts';
import type {
  ContainerEvent,
  ContainerProcess,
  KernelCounters,
  ProcessTable,
  Sample,
} from '../../../src/model.ts';
import { makeSample } from '../../helpers/samples.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const T0 = Date.UTC(2025, 10, 23, 12, 0, 0);
const KEY = 'local/docker/worker/1';
const NAME = 'docker-worker-1';

function proc(pid: number, label: string, mib: number): ContainerProcess {
  return { pid, ppid: 1, label, command: label, rssBytes: mib * MiB, rssTrendBytesPerSec: null };
}

/** A worker container with its own 2 GiB limit, on a local engine whose rounds carry the kernel's counts. */
class Host {
  now = T0;
  hostKills = 5;
  readonly engine = new AlertEngine({ clock: { now: () => this.now } });

  at(sec: number): this {
    this.now = T0 + sec * 1000;
    return this;
  }

  sample(mib: number, kernel: KernelCounters | undefined, extra: Partial<Sample> = {}): Sample {
    return makeSample({
      ts: this.now,
      role: 'worker',
      service: 'worker',
      name: NAME,
      id: 'worker-id',
      memUsageBytes: mib * MiB,
      memLimitBytes: 2 * GiB,
      memLimitSource: 'container',
      memPercent: ((mib * MiB) / (2 * GiB)) * 100,
      key: KEY,
      ...(kernel === undefined ? {} : { kernel }),
      ...extra,
    });
  }

  /** A round: processes first (the collector reads them before it tells the round), then samples. */
  round(
    mib: number,
    kernel: KernelCounters | undefined,
    processes: { live: ContainerProcess[]; exited?: ContainerProcess[] } | null = null,
    extra: Partial<Sample> = {},
  ): Alert[] {
    if (processes !== null) this.engine.onProcesses([this.table(processes.live, processes.exited ?? [])]);
    return this.engine.onRound('local', [this.sample(mib, kernel, extra)], this.hostKills);
  }

  table(processes: ContainerProcess[], exited: ContainerProcess[]): ProcessTable {
    return {
      host: 'local',
      key: KEY,
      id: 'worker-id',
      name: NAME,
      ts: this.now,
      source: 'proc',
      processes,
      exited,
    };
  }

  event(action: ContainerEvent['action'], extra: Partial<ContainerEvent> = {}): Alert[] {
    return this.engine.onEvent({
      type: 'event',
      ts: this.now,
      host: 'local',
      action,
      id: 'worker-id',
      name: NAME,
      key: KEY,
      ...extra,
    });
  }
}

const counts = (oomKills: number, limitHits = 0): KernelCounters => ({ oomKills, limitHits });
const rules = (alerts: readonly Alert[]): string[] => alerts.map((a) => `${a.rule}:${a.severity}`);

function only(alerts: readonly Alert[]): Alert {
  assert.equal(alerts.length, 1, JSON.stringify(alerts.map((a) => a.message)));
  return alerts[0] as Alert;
}

const POOL = proc(40, 'celery pool worker', 1400);
const MAIN = proc(7, 'celery worker', 300);

describe('a process killed inside a container that keeps running, from the cgroup’s kill count', () => {
  it('is told at the round that counted it, naming the process that went away holding the most', () => {
    const h = new Host();
    h.at(0).round(1500, counts(0), { live: [POOL, MAIN] });
    const alerts = h.at(1).round(1700, counts(0, 3), { live: [POOL, MAIN] });
    assert.deepEqual(alerts, []);
    const a = only(
      h.at(2).round(350, counts(1, 9), { live: [MAIN], exited: [proc(40, 'celery pool worker', 1650)] }),
    );
    assert.equal(a.rule, 'oom-killed');
    assert.equal(a.severity, 'critical');
    assert.equal(a.ts, T0 + 2000, 'no hold: the counter says the container outlived the kill');
    assert.equal(
      a.message,
      'celery pool worker (pid 40), holding 1.6 GiB, in docker-worker-1 was killed by the OOM killer; ' +
        'the container is still running. It had reached 1.7 GiB of its 2.0 GiB limit. ' +
        'docker held 1.7 GiB: docker-worker-1 1.7 GiB',
    );
    assert.deepEqual(a.process, { label: 'celery pool worker', pid: 40, rssBytes: 1650 * MiB });
    assert.deepEqual([...h.engine.oomKills()], [[KEY, 1]]);
  });

  it('the engine’s oom event for the same kill, before or after the round, is that kill: one alert, one count', () => {
    const before = new Host();
    before.at(0).round(1500, counts(0), { live: [POOL, MAIN] });
    assert.deepEqual(before.at(1.5).event('oom'), [], 'held');
    assert.equal(
      only(before.at(2).round(350, counts(1), { live: [MAIN], exited: [POOL] })).rule,
      'oom-killed',
    );
    assert.deepEqual(before.at(13).round(350, counts(1), { live: [MAIN] }), [], 'the hold was settled');
    assert.deepEqual([...before.engine.oomKills()], [[KEY, 1]]);

    const after = new Host();
    after.at(0).round(1500, counts(0), { live: [POOL, MAIN] });
    only(after.at(2).round(350, counts(1), { live: [MAIN], exited: [POOL] }));
    assert.deepEqual(after.at(2.2).event('oom', { ts: T0 + 1900 }), []);
    assert.deepEqual(after.at(13).round(350, counts(1), { live: [MAIN] }), []);
    assert.deepEqual([...after.engine.oomKills()], [[KEY, 1]]);
  });

  it('kills of one worker over and over are one alert a minute, each counted', () => {
    const h = new Host();
    h.at(0).round(1500, counts(0), { live: [POOL, MAIN] });
    const alerts: Alert[] = [];
    for (let sec = 1; sec <= 30; sec++)
      alerts.push(...h.at(sec).round(800, counts(Math.floor(sec / 3)), { live: [MAIN] }));
    assert.deepEqual(rules(alerts), ['oom-killed:critical']);
    assert.deepEqual([...h.engine.oomKills()], [[KEY, 10]]);
  });

  it('in a container without a limit of its own, it was the host’s OOM killer', () => {
    const h = new Host();
    const unlimited = { memLimitSource: 'host', memLimitBytes: 8 * GiB } as const;
    h.at(0).round(900, counts(2, 0), { live: [POOL, MAIN] }, unlimited);
    const a = only(h.at(1).round(300, counts(3, 0), { live: [MAIN], exited: [POOL] }, unlimited));
    assert.match(
      a.message,
      /^celery pool worker \(pid 40\), holding 1\.4 GiB, in docker-worker-1 was killed by the host's OOM killer, not by its own limit: the host ran out of memory; the container is still running/,
    );
  });

  it('a restart starts the count afresh: a lower count is no kill', () => {
    const h = new Host();
    h.at(0).round(900, counts(4), { live: [MAIN] });
    h.at(1).event('die', { exitCode: 0 });
    h.event('start');
    assert.deepEqual(h.at(2).round(100, counts(0), { live: [MAIN] }), []);
    assert.deepEqual(h.at(3).round(100, counts(0), { live: [MAIN] }), []);
  });
});

describe('a container its own limit killed', () => {
  it('names the process that held the most before the kill', () => {
    const h = new Host();
    h.at(0).round(2000, counts(0), { live: [proc(40, 'celery pool worker', 1800), MAIN] });
    h.at(1).event('oom');
    const a = only(h.event('die', { exitCode: 137 }));
    assert.equal(
      a.message,
      'docker-worker-1 ran out of memory and was killed at 2.0 GiB of its 2.0 GiB limit. ' +
        'docker-worker-1: celery pool worker held 1.8 GiB. docker held 2.0 GiB: docker-worker-1 2.0 GiB',
    );
    assert.deepEqual(a.process, { label: 'celery pool worker', pid: 40, rssBytes: 1800 * MiB });
  });
});

describe('exit 137 without OOMKilled where the host’s kill count can be read', () => {
  it('waits for the next round, then says the host’s OOM killer took it when the count rose', () => {
    const h = new Host();
    h.at(0).round(900, counts(0), { live: [MAIN] });
    assert.deepEqual(h.at(0.5).event('die', { exitCode: 137, oomKilled: false }), []);
    h.hostKills = 6;
    const a = only(h.at(1).round(900, undefined, null, { state: 'exited' }));
    assert.equal(a.rule, 'oom-killed');
    assert.match(
      a.message,
      /^docker-worker-1 was killed \(signal 9\), not by its own limit: the host's OOM killer \(the host counted 1 OOM kill outside the running containers\)\. It had reached 900 MiB/,
    );
    assert.deepEqual([...h.engine.oomKills()], [[KEY, 1]]);
  });

  it('a count that did not move says something else sent SIGKILL: a warning, not an OOM kill', () => {
    const h = new Host();
    h.at(0).round(900, counts(0), { live: [MAIN] });
    h.at(0.5).event('die', { exitCode: 137, oomKilled: false });
    const a = only(h.at(1).round(900, undefined, null, { state: 'exited' }));
    assert.equal(`${a.rule}:${a.severity}`, 'killed:warning');
    assert.match(
      a.message,
      /not by its own limit: not the OOM killer either \(the host counted no OOM kill outside/,
    );
    assert.deepEqual([...h.engine.oomKills()], []);
  });

  it('kills the running containers’ own counts show are theirs, not the dead one’s', () => {
    const h = new Host();
    const api = (kills: number): Sample =>
      makeSample({
        ts: h.now,
        name: 'docker-api-1',
        id: 'api-id',
        key: 'local/docker/api/1',
        kernel: counts(kills),
      });
    const round = (kills: number, extra: Partial<Sample>): Alert[] =>
      h.engine.onRound('local', [h.sample(900, undefined, extra), api(kills)], h.hostKills);
    h.at(0);
    round(0, {});
    h.at(1);
    round(0, {});
    h.at(1.5).event('die', { exitCode: 137, oomKilled: false });
    h.hostKills = 7;
    h.at(2);
    const told = round(2, { state: 'exited' });
    assert.deepEqual(
      told.map((a) => `${a.name} ${a.rule}`),
      ['docker-api-1 oom-killed', 'docker-worker-1 killed'],
      'the two kills the host counted were the api’s',
    );
  });
});

describe('a kill told just before the laptop slept', () => {
  const ended: Partial<Sample> = { state: 'exited', oomKilled: true, exitCode: 137, pids: 0 };

  it('the first round after the wake, minutes on, shows the ended container: that kill, not another', () => {
    const h = new Host();
    h.at(0).round(2000, counts(0), { live: [MAIN] });
    h.at(1).event('oom');
    assert.equal(only(h.event('die', { exitCode: 137, oomKilled: true })).rule, 'oom-killed');
    // Asleep from 1.2 s on: no round saw the container ended before the wake.
    assert.deepEqual(rules(h.at(75).round(0, undefined, null, ended)), []);
    assert.deepEqual(rules(h.at(76).round(0, undefined, null, ended)), []);
    assert.deepEqual([...h.engine.oomKills()], [[KEY, 1]]);
  });

  it('a new run that the OOM killer ends again is told again', () => {
    const h = new Host();
    h.at(0).round(2000, counts(0), { live: [MAIN] });
    h.at(1).event('oom');
    only(h.event('die', { exitCode: 137, oomKilled: true }));
    h.at(75).event('start');
    h.at(76).round(2000, counts(0), { live: [MAIN] });
    h.at(77).event('oom');
    assert.equal(only(h.event('die', { exitCode: 137, oomKilled: true })).rule, 'oom-killed');
    assert.deepEqual([...h.engine.oomKills()], [[KEY, 2]]);
  });
});
