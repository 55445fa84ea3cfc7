import assert from 'node:assert/strict';
import { it } from 'node:test';
import { hostMemoryOf, stackMessage, stackTotals } from '../../../src/alerts/stack.ts';
import type { Sample } from '../../../src/model.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function sample(name: string, stack: string | null, memUsageBytes: number | null, limit = 7.7 * GiB): Sample {
  return {
    type: 'sample',
    ts: 1000,
    host: 'local',
    stack,
    role: 'other',
    service: null,
    name,
    id: name,
    image: 'x',
    state: 'running',
    health: 'none',
    cpuPercent: null,
    cpuOfLimitPercent: null,
    memUsageBytes,
    memLimitBytes: limit,
    memLimitSource: limit === 7.7 * GiB ? 'host' : 'container',
    memPercent: null,
    netRxBytes: null,
    netTxBytes: null,
    blockReadBytes: null,
    blockWriteBytes: null,
    pids: null,
    restartCount: 0,
    oomKilled: false,
    exitCode: null,
    key: `local/${stack ?? '-'}/${name}`,
  };
}

it('sums each stack over the containers that have a reading; containers outside a stack are left out', () => {
  const totals = stackTotals([
    sample('docker-api-1', 'docker', 3 * GiB),
    sample('docker-worker-1', 'docker', 4.1 * GiB, 6 * GiB),
    sample('docker-db-1', 'docker', null),
    sample('other-1', 'other', 100 * MiB),
    sample('lonely', null, 5 * GiB),
  ]);
  assert.deepEqual(totals, [
    { stack: 'docker', usedBytes: 7.1 * GiB, containers: 2 },
    { stack: 'other', usedBytes: 100 * MiB, containers: 1 },
  ]);
});

it('a container without a limit reveals the host’s memory', () => {
  assert.equal(hostMemoryOf([sample('a', 'docker', 1, 2 * GiB), sample('b', 'docker', 1)]), 7.7 * GiB);
  assert.equal(hostMemoryOf([sample('a', 'docker', 1, 2 * GiB)]), null);
});

it('takes no host memory under one byte from a broken body (it would read as Infinity %)', () => {
  const broken = { ...sample('a', 'docker', 2), memLimitBytes: 5e-307, memLimitSource: 'host' as const };
  assert.equal(hostMemoryOf([broken]), null);
});

it('says how much of the host the stack uses', () => {
  assert.equal(
    stackMessage('docker', 7.1 * GiB, 7.7 * GiB),
    "Dify (docker) is using 7.1 of 7.7 GiB of the host's memory (92 %)",
  );
});
