import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Reading } from '../../../src/model.ts';
import { readingFromPrecpu, readingFromStats } from '../../../src/stats/reading.ts';
import { computeUsage } from '../../../src/stats/usage.ts';
import { fixture } from '../../helpers/stats-fixture.ts';

const NOW = 1_700_000_000_000;

function current(name: string): Reading {
  const parsed = readingFromStats(fixture(name), NOW);
  assert.ok(parsed.ok, `fixture ${name} parses`);
  return parsed.reading;
}

function previous(name: string): Reading | null {
  const parsed = readingFromPrecpu(fixture(name), NOW);
  return parsed.ok ? parsed.reading : null;
}

describe('recorded engine responses', () => {
  it('cgroup v2 stream sample: memory minus inactive_file, precpu 1 s earlier', () => {
    const name = 'cgroup-v2-go-dockerclient-testv2.json';
    const reading = current(name);
    assert.equal(reading.platform, 'linux');
    assert.equal(reading.memUsageBytes, 28557312 - 11882496);
    assert.equal(reading.memLimitBytes, 67353382912);
    assert.equal(reading.onlineCpus, 24);
    assert.equal(reading.pids, 29);
    assert.deepEqual([reading.netRxBytes, reading.netTxBytes], [96802652, 16597749]);
    assert.deepEqual([reading.blockReadBytes, reading.blockWriteBytes], [11390976, 0]);
    const before = previous(name);
    assert.ok(before);
    assert.equal(before.ts, NOW - 1004);
    const usage = computeUsage(before, reading, null);
    assert.equal(usage.cpuPercent, 0);
    assert.equal(usage.memPercent, ((28557312 - 11882496) / 67353382912) * 100);
  });

  it('cgroup v2 one-shot: no previous sample, so CPU waits for the next reading', () => {
    const name = 'cgroup-v2-janvit-blog-oneshot.json';
    assert.equal(previous(name), null);
    const reading = current(name);
    assert.equal(reading.memUsageBytes, 20103168 - 6668288);
    assert.deepEqual([reading.blockReadBytes, reading.blockWriteBytes], [155594752 + 12849152, 13348864]);
    assert.equal(computeUsage(null, reading, null).cpuPercent, null);
    const later: Reading = {
      ...reading,
      ts: NOW + 1000,
      cpuTotal: reading.cpuTotal + 500_000_000,
      systemCpu: (reading.systemCpu ?? 0) + 4_000_000_000,
    };
    assert.equal(computeUsage(reading, later, null).cpuPercent, 50);
    assert.equal(computeUsage(reading, later, 0.5).cpuOfLimitPercent, 100);
    assert.equal(computeUsage(reading, later, null).cpuOfLimitPercent, 12.5);
  });

  it('cgroup v2 tmpfs OOM case: shmem is not cache the kernel can drop, so usage stays whole', () => {
    const reading = current('cgroup-v2-otel-contrib-oneshot-oom.json');
    assert.equal(reading.memUsageBytes, 234647552);
    assert.equal(reading.memLimitBytes, 256 * 1024 * 1024);
    assert.equal(computeUsage(null, reading, null).memPercent, (234647552 / 268435456) * 100);
  });

  it('cgroup v2 stream where blkio repeats per device: every read and write entry is summed', () => {
    const reading = current('cgroup-v2-otel-contrib-sleepy1-stream.json');
    assert.deepEqual([reading.blockReadBytes, reading.blockWriteBytes], [3 * 1998848, 0]);
    assert.equal(reading.memUsageBytes, 2240512 - 1892352);
  });

  it('API 1.26 without online_cpus: the CPU count comes from percpu_usage, as in the CLI', () => {
    const name = 'old-api-1.26-no-online-cpus-spotify-docker-client.json';
    const reading = current(name);
    assert.equal(reading.onlineCpus, 8);
    const before = previous(name);
    assert.ok(before);
    const busier: Reading = { ...reading, cpuTotal: before.cpuTotal + 7_950_000_000 / 8 };
    assert.equal(computeUsage(before, busier, null).cpuPercent, 100);
    assert.equal(reading.memUsageBytes, 7921664);
  });

  it('Podman compat stream: +02:00 times, no precpu online_cpus, count ops not taken as bytes', () => {
    const name = 'podman-basepod-5.7.1-stream-sample.json';
    const reading = current(name);
    assert.deepEqual([reading.blockReadBytes, reading.blockWriteBytes], [45178880, 1200000]);
    assert.equal(reading.memUsageBytes, 11882496);
    assert.equal(reading.onlineCpus, 5);
    const before = previous(name);
    assert.ok(before);
    assert.equal(before.ts, NOW - 5005);
    const cpu = computeUsage(before, reading, null).cpuPercent;
    assert.ok(
      cpu !== null &&
        Math.abs(cpu - ((3835950000 - 3835656000) / (45449120000000 - 45449109566000)) * 5 * 100) < 1e-9,
    );
  });

  it('Podman cpu_stats without online_cpus or percpu_usage: the host CPU count stands in', () => {
    const cpuStats = fixture('podman-fragment-cpu_stats-podman-issue-15754.json');
    const parsed = readingFromStats({ cpu_stats: cpuStats }, NOW);
    assert.ok(parsed.ok);
    assert.equal(parsed.reading.onlineCpus, 0);
    const later: Reading = {
      ...parsed.reading,
      cpuTotal: parsed.reading.cpuTotal + 1e9,
      systemCpu: (parsed.reading.systemCpu ?? 0) + 4e9,
    };
    assert.equal(computeUsage(parsed.reading, later, null).cpuPercent, null);
    assert.equal(computeUsage(parsed.reading, later, null, 4).cpuPercent, 100);
  });

  it('Windows: private working set, no limit, and the 100 ns interval formula', () => {
    const name = 'windows-telegraf-gt_test_iis-trimmed.json';
    const reading = current(name);
    assert.equal(reading.platform, 'windows');
    assert.equal(reading.memUsageBytes, 59961344);
    assert.equal(reading.memLimitBytes, null);
    assert.equal(reading.numProcs, 64);
    assert.equal(previous(name), null, 'a first sample has a zero preread');
    const body = fixture(name);
    const oneSecondLater = {
      ...body,
      read: '2017-01-11T08:32:47.2413794Z',
      preread: body['read'],
      precpu_stats: body['cpu_stats'],
      cpu_stats: { cpu_usage: { total_usage: 536718750 + 16 * 10_000_000 } },
    };
    const next = readingFromStats(oneSecondLater, NOW + 1000);
    const before = readingFromPrecpu(oneSecondLater, NOW + 1000);
    assert.ok(next.ok && before.ok);
    // 16 of 64 processors busy for the whole second: a quarter of the possible intervals.
    assert.equal(computeUsage(before.reading, next.reading, null).cpuPercent, 25);
    assert.equal(computeUsage(reading, next.reading, null).cpuPercent, 25);
  });

  it('Windows memory_stats as moby#36359 shows it: private working set is what counts', () => {
    const memory = fixture('windows-fragment-memory_stats-moby-issue-36359.json');
    const parsed = readingFromStats(
      { num_procs: 2, cpu_stats: { cpu_usage: { total_usage: 1 } }, memory_stats: memory },
      NOW,
    );
    assert.ok(parsed.ok);
    assert.equal(parsed.reading.platform, 'windows');
    assert.equal(parsed.reading.memUsageBytes, 129720320);
  });

  it('an engine without memory accounting gives unknown memory, not zero', () => {
    const name = 'edge-empty-memory-stats-17.06-spotify-docker-client.json';
    const usage = computeUsage(previous(name), current(name), null);
    assert.equal(usage.memUsageBytes, null);
    assert.equal(usage.memPercent, null);
    assert.equal(usage.pids, null);
    assert.equal(usage.cpuPercent, 0);
  });

  it('an exited container: zero times, null blkio, no networks', () => {
    const name = 'edge-exited-container-api-1.33-spotify-docker-client.json';
    assert.equal(previous(name), null);
    const usage = computeUsage(null, current(name), null);
    assert.deepEqual(
      [usage.cpuPercent, usage.memUsageBytes, usage.netRxBytes, usage.blockReadBytes],
      [null, null, null, null],
    );
  });
});

describe('counters that go backwards', () => {
  it('a restarted container (CPU counter reset) shows unknown CPU, not a negative or huge value', () => {
    const reading = current('cgroup-v2-janvit-blog-oneshot.json');
    const restarted: Reading = { ...reading, cpuTotal: 1000, systemCpu: (reading.systemCpu ?? 0) + 1e9 };
    assert.equal(computeUsage(reading, restarted, null).cpuPercent, null);
  });

  it('the same reading twice (no time passed) shows unknown CPU, not 0/0', () => {
    const reading = current('cgroup-v2-janvit-blog-oneshot.json');
    assert.equal(computeUsage(reading, reading, null).cpuPercent, null);
  });
});
