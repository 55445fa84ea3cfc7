import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertEngine } from '../../../src/alerts/engine.ts';
import { createMetricsRegistry } from '../../../src/metrics/registry.ts';
import type { ContainerEvent } from '../../../src/model.ts';
import { host, MiB, sample, T0 } from '../../helpers/metrics-fixtures.ts';

const LIMIT = 512 * MiB;

function harness(): { engine: AlertEngine; at: (sec: number) => number } {
  let now = T0;
  const engine = new AlertEngine({ clock: { now: () => now }, minuteOfDay: () => 12 * 60 });
  return {
    engine,
    at: (sec) => {
      now = T0 + sec * 1000;
      return now;
    },
  };
}

function leaking(ts: number, bytes: number) {
  return sample('docker-sandbox-1', {
    ts,
    role: 'sandbox',
    key: 'local/docker/sandbox/1',
    memUsageBytes: bytes,
    memLimitBytes: LIMIT,
    memPercent: (bytes / LIMIT) * 100,
  });
}

function event(
  ts: number,
  action: ContainerEvent['action'],
  extra: Partial<ContainerEvent> = {},
): ContainerEvent {
  return {
    type: 'event',
    ts,
    host: 'local',
    action,
    id: 'docker-sandbox-1-id',
    name: 'docker-sandbox-1',
    key: 'local/docker/sandbox/1',
    ...extra,
  };
}

describe("the alert engine's state as the exporter serves it", () => {
  it('holds the memory trend with an ETA that agrees with the growth, then the threshold', async () => {
    const { engine, at } = harness();
    // 1 MiB/s from 100 MiB: the limit is (512 - 100) s after the start.
    for (let sec = 0; sec <= 240; sec += 5) {
      engine.onRound('local', [leaking(at(sec), 100 * MiB + sec * MiB)]);
    }
    const trend = engine.active().find((a) => a.rule === 'memory-trend');
    assert.ok(trend, `no memory-trend among ${JSON.stringify(engine.active())}`);
    assert.ok(Math.abs((trend.etaSeconds ?? NaN) - (412 - 240)) < 5, `ETA ${trend.etaSeconds}`);
    assert.equal(
      engine.active().some((a) => a.rule === 'memory-threshold'),
      false,
    );

    const registry = createMetricsRegistry(() => ({
      samples: [],
      hosts: [host('local', 'up')],
      active: engine.active(),
      oomKills: engine.oomKills(),
    }));
    const text = await registry.metrics();
    assert.match(
      text,
      /dify_monitor_memory_trend_eta_seconds\{host="local",stack="docker",name="docker-sandbox-1"\} 17\d(\.\d+)?\n/,
    );

    for (let sec = 245; sec <= 400; sec += 5) {
      engine.onRound('local', [leaking(at(sec), 100 * MiB + sec * MiB)]);
    }
    const threshold = engine.active().find((a) => a.rule === 'memory-threshold');
    assert.equal(threshold?.severity, 'critical');
    const stillTrending = engine.active().find((a) => a.rule === 'memory-trend');
    assert.ok(stillTrending !== undefined && (stillTrending.etaSeconds ?? Infinity) < 15);
  });

  it('counts each OOM kill once and ends the conditions when the container dies', () => {
    const { engine, at } = harness();
    engine.onRound('local', [leaking(at(0), 500 * MiB)]);
    assert.deepEqual(
      engine.active().map((a) => [a.rule, a.severity]),
      [['memory-threshold', 'critical']],
    );
    engine.onEvent(event(at(1), 'oom'));
    engine.onEvent(event(at(1), 'die', { exitCode: 137, oomKilled: true }));
    assert.deepEqual([...engine.oomKills()], [['local/docker/sandbox/1', 1]]);
    assert.deepEqual(engine.active(), []);
    engine.onEvent(event(at(5), 'start'));
    engine.onRound('local', [leaking(at(10), 100 * MiB)]);
    engine.onEvent(event(at(120), 'oom'));
    assert.deepEqual([...engine.oomKills()], [['local/docker/sandbox/1', 2]]);
  });

  it('reports a host that stopped answering until it answers again', () => {
    const { engine, at } = harness();
    at(0);
    engine.onHost(host('remote', 'up'));
    engine.onHost(host('remote', 'down'));
    assert.deepEqual(
      engine.active().map((a) => [a.rule, a.host]),
      [['host-down', 'remote']],
    );
    engine.onHost(host('remote', 'up'));
    assert.deepEqual(engine.active(), []);
  });
});
