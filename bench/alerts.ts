/**
 * What the alert engine costs per sample: synthetic rounds of many containers (steady, noisy,
 * sawtooth and leaking memory; busy and idle CPU) fed through AlertEngine, CPU time from
 * process.cpuUsage. Sample objects are built before the clock starts, so only the engine is timed.
 *
 *   node bench/alerts.ts [--containers 200] [--rounds 10000] [--interval 5]
 */
import { parseArgs } from 'node:util';
import { AlertEngine } from '../src/alerts/engine.ts';
import type { Role, Sample } from '../src/model.ts';

const { values: args } = parseArgs({
  options: {
    containers: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '10000' },
    interval: { type: 'string', default: '5' },
  },
});
const containers = Number(args.containers);
const rounds = Number(args.rounds);
const intervalMs = Number(args.interval) * 1000;
/** Rounds built at a time: keeps the prebuilt samples small while leaving allocation out of the timing. */
const BATCH = 100;

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const HOST_MEM = 16 * GiB;
const ROLES: readonly Role[] = ['api', 'worker', 'web', 'db', 'redis', 'sandbox', 'plugin_daemon', 'nginx'];

interface Shape {
  readonly name: string;
  readonly role: Role;
  readonly stack: string;
  readonly limit: number | null;
  memory(sec: number): number;
  cpu(sec: number): number;
  restartsAt(sec: number): number;
}

function shape(i: number): Shape {
  const role = ROLES[i % ROLES.length] ?? 'other';
  const stack = `dify${Math.floor(i / 12)}`;
  const limit = i % 3 === 0 ? 2 * GiB : null;
  const base = 200 * MiB + (i % 7) * 50 * MiB;
  const kind = i % 10;
  const jitter = (sec: number): number => Math.sin(sec * 0.37 + i) * 8 * MiB;
  // A leak climbs 2 MiB/s to its limit, gets killed and starts over: every minute or so of data.
  const leakPeriod = ((limit ?? 2 * GiB) - base) / (2 * MiB);
  return {
    name: `${stack}-${role}-${i}`,
    role,
    stack,
    limit,
    memory: (sec) =>
      kind === 0
        ? base + (sec % leakPeriod) * 2 * MiB
        : kind < 4
          ? base + ((sec % 90) / 90) * 300 * MiB + jitter(sec)
          : base + jitter(sec),
    cpu: (sec) => (kind === 5 && sec % 600 < 120 ? 95 : 5 + Math.abs(Math.sin(sec + i)) * 20),
    restartsAt: (sec) => (kind === 0 ? Math.floor(sec / leakPeriod) : 0),
  };
}

function sampleOf(s: Shape, i: number, ts: number, sec: number): Sample {
  const usage = s.memory(sec);
  const limit = s.limit ?? HOST_MEM;
  return {
    type: 'sample',
    ts,
    host: 'local',
    stack: s.stack,
    role: s.role,
    service: s.role,
    name: s.name,
    id: `id-${i}`,
    image: 'langgenius/dify-api:1.10.1',
    state: 'running',
    health: 'none',
    cpuPercent: s.cpu(sec),
    cpuOfLimitPercent: s.cpu(sec),
    memUsageBytes: usage,
    memLimitBytes: limit,
    memLimitSource: s.limit === null ? 'host' : 'container',
    memPercent: (usage / limit) * 100,
    netRxBytes: 0,
    netTxBytes: 0,
    blockReadBytes: 0,
    blockWriteBytes: 0,
    pids: 10,
    restartCount: s.restartsAt(sec),
    oomKilled: false,
    exitCode: null,
    key: `local/${s.stack}/${s.role}/${i}`,
  };
}

const shapes = Array.from({ length: containers }, (_, i) => shape(i));
const start = Date.UTC(2025, 10, 23, 12);
let now = start;
const engine = new AlertEngine({ clock: { now: () => now } });

let cpuMicros = 0;
const raised = new Map<string, number>();
for (let first = 0; first < rounds; first += BATCH) {
  const batch: Sample[][] = [];
  for (let r = first; r < Math.min(rounds, first + BATCH); r++) {
    const ts = start + r * intervalMs;
    batch.push(shapes.map((s, i) => sampleOf(s, i, ts, (r * intervalMs) / 1000)));
  }
  const before = process.cpuUsage();
  for (const [offset, samples] of batch.entries()) {
    now = start + (first + offset) * intervalMs;
    for (const a of engine.onRound('local', samples)) raised.set(a.rule, (raised.get(a.rule) ?? 0) + 1);
  }
  const spent = process.cpuUsage(before);
  cpuMicros += spent.user + spent.system;
}

const samples = containers * rounds;
console.log(`# alert engine cost, ${containers} containers × ${rounds} rounds at ${intervalMs / 1000} s`);
console.log(
  `cpu: ${(cpuMicros / 1e6).toFixed(2)} s for ${samples} samples = ${(cpuMicros / samples).toFixed(2)} µs/sample`,
);
console.log(`per round of ${containers}: ${(cpuMicros / rounds / 1000).toFixed(3)} ms`);
console.log(`alerts raised: ${[...raised].map(([rule, n]) => `${rule} ${n}`).join(', ') || 'none'}`);
