import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimelineDeriver } from '../../../src/alerts/timeline.ts';
import type { ContainerEvent, Round, Sample } from '../../../src/model.ts';
import { makeHostState, makeKillAlert, makeSample } from '../../helpers/samples.ts';

const T = 1_700_000_000_000;

function round(ts: number, samples: Sample[]): Round {
  return { host: 'local', ts, samples, fresh: samples.length, running: samples.length, durationMs: 1 };
}

function event(
  ts: number,
  action: ContainerEvent['action'],
  over: Partial<ContainerEvent> = {},
): ContainerEvent {
  return {
    type: 'event',
    ts,
    host: 'local',
    action,
    id: 'docker-api-1-id',
    name: 'docker-api-1',
    key: 'local/docker/api/1',
    ...over,
  };
}

test('a new image tag under the same history key is a deploy, a new container id a recreate', () => {
  const d = new TimelineDeriver();
  assert.deepEqual(d.onRound(round(T, [makeSample({ ts: T })])), []);
  const [deploy] = d.onRound(
    round(T + 1000, [makeSample({ ts: T + 1000, id: 'b', image: 'langgenius/dify-api:1.11.0' })]),
  );
  assert.equal(deploy?.kind, 'deploy');
  assert.equal(deploy?.ts, T + 1000);
  assert.equal(deploy?.key, 'local/docker/api/1');
  assert.match(deploy?.text ?? '', /1\.10\.1 → langgenius\/dify-api:1\.11\.0/);
  const [recreate] = d.onRound(
    round(T + 2000, [makeSample({ ts: T + 2000, id: 'c', image: 'langgenius/dify-api:1.11.0' })]),
  );
  assert.equal(recreate?.kind, 'deploy');
  assert.match(recreate?.text ?? '', /recreated/);
});

test('a die and start of one container is one restart, not counted again from its restart count', () => {
  const d = new TimelineDeriver();
  d.onRound(round(T, [makeSample({ ts: T })]));
  assert.deepEqual(d.onEvent(event(T + 100, 'die', { exitCode: 1 })), []);
  const [restart] = d.onEvent(event(T + 200, 'start'));
  assert.equal(restart?.kind, 'restart');
  assert.equal(restart?.ts, T + 200);
  assert.equal(restart?.stack, 'docker');
  assert.deepEqual(d.onRound(round(T + 1000, [makeSample({ ts: T + 1000, restartCount: 1 })])), []);
});

test('restarts nobody saw (the app was closed) come from the restart count the last run kept', () => {
  const first = new TimelineDeriver();
  first.onRound(round(T, [makeSample({ ts: T })]));
  const { containers, changed } = first.known();
  assert.equal(changed, true);
  const next = new TimelineDeriver(containers);
  const [restart] = next.onRound(round(T + 9_000_000, [makeSample({ ts: T + 9_000_000, restartCount: 2 })]));
  assert.equal(restart?.kind, 'restart');
  assert.match(restart?.text ?? '', /2 time/);
});

test('an engine that goes down and comes back is two entries; its first answer is none', () => {
  const d = new TimelineDeriver();
  assert.deepEqual(d.onHost(makeHostState('remote', 'connecting', { ts: T })), []);
  assert.deepEqual(d.onHost(makeHostState('remote', 'up', { ts: T + 1 })), []);
  const [down] = d.onHost(makeHostState('remote', 'down', { ts: T + 5000, message: 'connection refused' }));
  assert.equal(down?.kind, 'engine-down');
  assert.equal(down?.severity, 'critical');
  assert.equal(down?.host, 'remote');
  assert.deepEqual(d.onHost(makeHostState('remote', 'down', { ts: T + 9000 })), []);
  const [up] = d.onHost(makeHostState('remote', 'up', { ts: T + 20_000 }));
  assert.equal(up?.kind, 'engine-up');
  assert.equal(up?.ts, T + 20_000);
});

test('an OOM kill is at the time of the kill, not of the alert raised after a sleep', () => {
  const d = new TimelineDeriver();
  const key = 'local/docker/worker/1';
  d.onEvent(event(T, 'oom', { key, id: 'w', name: 'docker-worker-1' }));
  d.onEvent(event(T + 5, 'die', { key, id: 'w', name: 'docker-worker-1', exitCode: 137 }));
  const [oom] = d.onAlert(makeKillAlert(T + 20_000));
  assert.equal(oom?.kind, 'oom');
  assert.equal(oom?.ts, T + 5);
  assert.equal(oom?.rule, 'oom-killed');
  assert.equal(oom?.severity, 'critical');
});

test('host-down and host-up alerts are told by the engine entries, not twice', () => {
  const d = new TimelineDeriver();
  const alert = { ...makeKillAlert(T), rule: 'host-down' as const };
  assert.deepEqual(d.onAlert(alert), []);
  const [warning] = d.onAlert({ ...makeKillAlert(T), rule: 'memory-threshold', severity: 'warning' });
  assert.equal(warning?.kind, 'alert');
});
