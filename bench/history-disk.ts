/**
 * History on disk for one Dify stack (15 containers): 7 days of synthetic samples at the tray
 * rate (5 s) written through the real DiskHistory, then
 * - the size on disk (database and WAL) with the default 7 days;
 * - the write cost per round in steady state: a batch every 10 s (HISTORY_BATCH_MS) of 2 rounds
 *   at 5 s and of 10 rounds at 1 s, each batch one transaction with its fsync, wall and CPU time;
 * - opening the 24 h view from disk as a restart does: the file opened and checked
 *   (quick_check), the store refilled, and the 24 h range of every container read.
 * The filling runs an hour to a batch, one sample a bucket where only buckets are kept (stepAt),
 * so that 7 days take seconds; it leaves the rows a week of 10 s batches leaves.
 *
 *   node bench/history-disk.ts [--days 7] [--containers 15]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/history/database.ts';
import { DiskHistory } from '../src/history/disk.ts';
import { HistoryStore } from '../src/history/store.ts';
import type { Sample } from '../src/model.ts';
import { HISTORY_BATCH_MS } from '../src/service/disk-history.ts';

const { values: args } = parseArgs({
  options: { days: { type: 'string', default: '7' }, containers: { type: 'string', default: '15' } },
});
const DAYS = Number(args.days);
const CONTAINERS = Number(args.containers);
const MiB = 1024 * 1024;
const HOUR = 3_600_000;
const END = Date.UTC(2026, 11, 3, 12, 0, 0);
const START = END - DAYS * 24 * HOUR;
const dir = mkdtempSync(join(tmpdir(), 'dm-bench-history-'));
const path = join(dir, 'history.sqlite');

function sample(c: number, ts: number): Sample {
  const mem = (200 + 40 * c) * MiB + 30 * MiB * Math.sin(ts / 600_000 + c);
  return {
    type: 'sample',
    ts,
    host: 'local',
    stack: 'docker',
    role: 'api',
    service: `svc${c}`,
    name: `docker-svc${c}-1`,
    id: `id-${c}`,
    image: 'langgenius/dify-api:1.10.1',
    state: 'running',
    health: 'none',
    cpuPercent: 2 + Math.abs(Math.sin(ts / 50_000 + c)) * 20,
    cpuOfLimitPercent: 1,
    memUsageBytes: mem,
    memLimitBytes: 2048 * MiB,
    memLimitSource: 'container',
    memPercent: (mem / (2048 * MiB)) * 100,
    netRxBytes: ts / 1000,
    netTxBytes: ts / 2000,
    blockReadBytes: c * 1e6,
    blockWriteBytes: ts / 100,
    pids: 10 + c,
    restartCount: 0,
    oomKilled: false,
    exitCode: null,
    key: `local/docker/svc${c}/1`,
  };
}

/**
 * Older samples come further apart: only their 1 min buckets are kept past a day, and their 10 s
 * buckets past an hour, so one sample per bucket leaves the same rows as twelve, in a tenth of the time.
 */
function stepAt(t: number): number {
  if (t < END - 25 * HOUR) return 60_000;
  return t < END - HOUR ? 10_000 : 5000;
}

function open(): { store: HistoryStore; disk: DiskHistory; close: () => void } {
  const opened = openDatabase(path);
  if (opened.kind !== 'open') throw new Error(opened.reason);
  const store = new HistoryStore();
  const disk = new DiskHistory({ db: opened.db, path, store, days: 7, maxBytes: 256 * MiB });
  return { store, disk, close: () => opened.db.close() };
}

function round(store: HistoryStore, disk: DiskHistory, ts: number): void {
  for (let c = 0; c < CONTAINERS; c++) {
    const s = sample(c, ts);
    if (store.add(s)) disk.note(s);
  }
}

const fileSize = (file: string): number => statSync(file, { throwIfNoEntry: false })?.size ?? 0;
const bytes = (): number => fileSize(path) + fileSize(`${path}-wal`);

console.log(`# History on disk (node:sqlite, WAL, synchronous=FULL): ${CONTAINERS} containers, ${DAYS} days`);
const filling = open();
const fillStarted = performance.now();
let ts = START;
let filled = 0;
for (let hourEnd = START + HOUR; hourEnd <= END; hourEnd += HOUR) {
  for (; ts < hourEnd; ts += stepAt(ts), filled += CONTAINERS) round(filling.store, filling.disk, ts);
  filling.disk.flush(ts);
}
const fillSeconds = (performance.now() - fillStarted) / 1000;
console.log(`filled ${DAYS} days (${filled.toLocaleString('en')} samples) in ${fillSeconds.toFixed(1)} s`);
console.log(`size on disk: ${(bytes() / MiB).toFixed(1)} MiB (database and WAL), bound 256 MiB`);

for (const intervalMs of [5000, 1000]) {
  const rounds = HISTORY_BATCH_MS / intervalMs;
  const wall: number[] = [];
  let cpu = 0;
  for (let batch = 0; batch < 60; batch++) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let r = 0; r < rounds; r++, ts += intervalMs) round(filling.store, filling.disk, ts);
    filling.disk.flush(ts);
    wall.push(performance.now() - started);
    const used = process.cpuUsage(cpuBefore);
    cpu += (used.user + used.system) / 1000;
  }
  wall.sort((a, b) => a - b);
  const median = wall[Math.floor(wall.length / 2)] as number;
  const p95 = wall[Math.floor(wall.length * 0.95)] as number;
  console.log(
    `write at ${intervalMs / 1000} s (${rounds} rounds a batch): median ${(median / rounds).toFixed(2)} ms, ` +
      `p95 ${(p95 / rounds).toFixed(2)} ms wall per round; ${(cpu / 60 / rounds).toFixed(2)} ms CPU per round`,
  );
}
filling.close();
console.log(`size after the steady batches: ${(bytes() / MiB).toFixed(1)} MiB`);

const opening = performance.now();
const reopened = open();
const opened = performance.now();
reopened.disk.load(ts);
const loaded = performance.now();
let points = 0;
for (let c = 0; c < CONTAINERS; c++) {
  for (const metric of ['cpuPercent', 'memUsageBytes', 'memPercent'] as const) {
    points += reopened.store.range(`local/docker/svc${c}/1`, metric, ts - 24 * HOUR, ts).points.length;
  }
}
const read = performance.now();
console.log(
  `24 h view from disk: ${(read - opening).toFixed(0)} ms in all (open and quick_check ${(opened - opening).toFixed(0)} ms, ` +
    `refill ${(loaded - opened).toFixed(0)} ms, ${points.toLocaleString('en')} points of 3 metrics x ${CONTAINERS} containers ${(read - loaded).toFixed(0)} ms)`,
);
reopened.close();
rmSync(dir, { recursive: true, force: true });
