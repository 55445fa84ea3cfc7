/**
 * What a Prometheus scrape of `serve --metrics` costs: the time to render /metrics through the
 * real prom-client registry for 15 containers (one Dify stack) and for 200 (the history's cap),
 * from synthetic samples with a few active alerts. Each render reads a fresh state, as a scrape
 * does; the first renders are left out as warm-up.
 *
 *   node bench/metrics.ts [--renders 500]
 */
import { parseArgs } from 'node:util';
import type { ActiveAlert } from '../src/alerts/types.ts';
import { createMetricsRegistry, type MetricsState } from '../src/metrics/registry.ts';
import type { HostState, Role, Sample } from '../src/model.ts';

const { values: args } = parseArgs({ options: { renders: { type: 'string', default: '500' } } });
const renders = Number(args.renders);
const WARMUP = 50;

const MiB = 1024 * 1024;
const ROLES: readonly Role[] = ['api', 'worker', 'web', 'db', 'redis', 'sandbox', 'plugin_daemon', 'nginx'];
const HOST: HostState = {
  type: 'host',
  ts: 0,
  host: 'local',
  state: 'up',
  message: 'up',
  endpoint: 'unix:///var/run/docker.sock',
  reason: 'bench',
  memTotalBytes: 16 * 1024 * MiB,
};

function stateOf(containers: number, round: number): MetricsState {
  const samples: Sample[] = [];
  const active: ActiveAlert[] = [];
  for (let i = 0; i < containers; i++) {
    const role = ROLES[i % ROLES.length] as Role;
    const stack = `stack${Math.floor(i / 15)}`;
    const name = `${stack}-${role}-${i}`;
    const key = `local/${stack}/${role}/${i}`;
    samples.push({
      type: 'sample',
      ts: round * 1000,
      host: 'local',
      stack,
      role,
      service: role,
      name,
      id: `${i}`.padStart(64, '0'),
      image:
        role === 'api' || role === 'worker' ? 'langgenius/dify-api:1.10.1' : 'langgenius/dify-web:1.10.1',
      state: 'running',
      health: 'none',
      cpuPercent: (i * 7 + round) % 100,
      cpuSeconds: round * 0.1 * (i + 1),
      cpuOfLimitPercent: 1,
      memUsageBytes: (100 + ((i * 13 + round) % 300)) * MiB,
      memLimitBytes: 512 * MiB,
      memLimitSource: i % 2 === 0 ? 'container' : 'host',
      memPercent: 50,
      netRxBytes: round * 1000 * i,
      netTxBytes: round * 500 * i,
      blockReadBytes: round * 4096,
      blockWriteBytes: round * 8192,
      pids: 5 + (i % 20),
      restartCount: i % 3,
      oomKilled: false,
      exitCode: null,
      key,
    });
    if (i % 10 === 0) {
      active.push({
        rule: 'memory-trend',
        severity: 'warning',
        host: 'local',
        stack,
        name,
        key,
        etaSeconds: 300,
      });
    }
  }
  return { samples, hosts: [HOST], active, oomKills: new Map([['local/stack0/api/0', 1]]) };
}

async function measure(containers: number): Promise<void> {
  let round = 0;
  const registry = createMetricsRegistry(() => stateOf(containers, ++round));
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < WARMUP + renders; i++) {
    const started = process.hrtime.bigint();
    const text = await registry.metrics();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // A fresh state for the next render, as the next scrape would find.
    await new Promise((resolve) => setImmediate(resolve));
    if (i >= WARMUP) times.push(ms);
    bytes = text.length;
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const p = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
  console.log(
    `${String(containers).padStart(3)} containers: mean ${mean.toFixed(2)} ms, median ${p(0.5).toFixed(2)} ms, ` +
      `p95 ${p(0.95).toFixed(2)} ms per render; ${(bytes / 1024).toFixed(1)} KiB of text`,
  );
}

console.log(`# /metrics render time (prom-client registry, ${renders} renders after ${WARMUP} warm-up)`);
await measure(15);
await measure(200);
