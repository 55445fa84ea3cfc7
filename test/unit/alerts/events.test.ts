import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  describeSnapshot,
  hostReachable,
  isRestart,
  isUnhealthy,
  killEvidence,
  oomSnapshot,
  recordRestarts,
  restartsWithin,
} from '../../../src/alerts/events.ts';
import type { HostState } from '../../../src/model.ts';

const MiB = 1024 * 1024;
const MIN = 60_000;

it('an oom event, or a die with exit code 137, is a kill for memory', () => {
  assert.equal(killEvidence({ action: 'oom' }), 'oom');
  assert.equal(killEvidence({ action: 'die', exitCode: 137 }), 'exit-137');
  assert.equal(killEvidence({ action: 'die', exitCode: 0 }), null);
  assert.equal(killEvidence({ action: 'die' }), null);
  assert.equal(killEvidence({ action: 'start' }), null);
});

it('the snapshot lists who held the memory, largest first, without containers that had no reading', () => {
  const snapshot = oomSnapshot([
    { name: 'docker-api-1', role: 'api', memUsageBytes: 600 * MiB },
    { name: 'docker-db-1', role: 'db', memUsageBytes: null },
    { name: 'docker-worker-1', role: 'worker', memUsageBytes: 1900 * MiB },
    { name: 'docker-redis-1', role: 'redis', memUsageBytes: 20 * MiB },
    { name: 'docker-web-1', role: 'web', memUsageBytes: 80 * MiB },
  ]);
  assert.deepEqual(
    snapshot.map((e) => e.name),
    ['docker-worker-1', 'docker-api-1', 'docker-web-1', 'docker-redis-1'],
  );
  assert.equal(
    describeSnapshot('docker', snapshot),
    'docker held 2.5 GiB: docker-worker-1 1.9 GiB, docker-api-1 600 MiB, docker-web-1 80 MiB, …',
  );
});

it('a restart is a start after a die, or a restart not already seen as one', () => {
  assert.equal(isRestart(null, 'start'), false);
  assert.equal(isRestart('die', 'start'), true);
  assert.equal(isRestart('start', 'restart'), false);
  assert.equal(isRestart('die', 'restart'), true);
  assert.equal(isRestart('start', 'die'), false);
});

it('restarts are counted over a sliding window', () => {
  const times: number[] = [];
  recordRestarts(times, 0, 1, 10 * MIN);
  recordRestarts(times, 4 * MIN, 2, 10 * MIN);
  assert.equal(restartsWithin(times, 9 * MIN, 10 * MIN), 3);
  assert.equal(restartsWithin(times, 10 * MIN, 10 * MIN), 2);
  assert.equal(restartsWithin(times, 14 * MIN, 10 * MIN), 0);
  recordRestarts(times, 15 * MIN, 500, 10 * MIN);
  assert.ok(times.length <= 64, 'bounded');
});

it('health and host states map to conditions; starting and connecting tell nothing', () => {
  assert.equal(isUnhealthy('unhealthy'), true);
  assert.equal(isUnhealthy('healthy'), false);
  assert.equal(isUnhealthy('none'), false);
  assert.equal(isUnhealthy('starting'), null);
  const host = (state: HostState['state']): HostState => ({
    type: 'host',
    ts: 0,
    host: 'local',
    state,
    message: '',
    endpoint: 'unix:///var/run/docker.sock',
    reason: 'default',
  });
  assert.equal(hostReachable(host('up')), true);
  assert.equal(hostReachable(host('down')), false);
  assert.equal(hostReachable(host('connecting')), null);
});
