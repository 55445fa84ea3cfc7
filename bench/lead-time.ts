/**
 * How early the warnings come: two containers leak at different rates under a memory limit on the
 * real engine until the kernel kills them, while the shipped CLI watches at the tray's 5 s and the
 * window's 1 s. Prints, per leak, how long before the engine's oom event each warning arrived,
 * and how long after it the oom-killed alert did.
 *
 *   node bench/lead-time.ts
 */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLineSplitter } from '../src/util/lines.ts';
import { commandFor } from '../test/stack/workloads.ts';

const exec = promisify(execFile);
const LABEL = 'dify-monitor.bench=lead-time';
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

const LEAKS = [
  { name: 'dm-lead-slow', mibPerSecond: 1, limit: '300m' },
  { name: 'dm-lead-fast', mibPerSecond: 4, limit: '1200m' },
] as const;

type Line = Record<string, unknown>;

function watch(interval: string): { lines: Line[]; stop(): void } {
  const lines: Line[] = [];
  const child = spawn(
    process.execPath,
    [
      '--max-semi-space-size=1',
      CLI,
      'watch',
      '--json',
      '--all',
      '--interval',
      interval,
      '--alert-log',
      `/tmp/dm-lead-${interval}.json`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  child.stdout.on(
    'data',
    createLineSplitter(1 << 20, (text) => {
      const line = JSON.parse(text) as Line;
      if (line['type'] === 'alert' || line['type'] === 'event') lines.push(line);
    }),
  );
  return { lines, stop: () => child.kill('SIGTERM') };
}

function seconds(ms: number | null): string {
  return ms === null ? 'none' : `${(ms / 1000).toFixed(1)} s`;
}

async function main(): Promise<void> {
  await exec('sh', ['-c', `docker rm -f $(docker ps -aq --filter label=${LABEL}) >/dev/null 2>&1; true`]);
  await exec('sh', ['-c', 'rm -f /tmp/dm-lead-*.json']);
  const watchers = { '1s': watch('1s'), '5s': watch('5s') };
  await new Promise((r) => setTimeout(r, 3000));
  for (const leak of LEAKS) {
    await exec('docker', [
      'run',
      '-d',
      '--name',
      leak.name,
      '--label',
      LABEL,
      '--network',
      'none',
      '--memory',
      leak.limit,
      'dify-monitor/testbox:latest',
      ...commandFor({ kind: 'leak', mibPerSecond: leak.mibPerSecond }),
    ]);
  }
  const deadline = Date.now() + 15 * 60_000;
  const killed = (w: { lines: Line[] }, name: string): Line | undefined =>
    w.lines.find((l) => l['type'] === 'alert' && l['rule'] === 'oom-killed' && l['name'] === name);
  while (
    Date.now() < deadline &&
    !LEAKS.every((l) => Object.values(watchers).every((w) => killed(w, l.name)))
  ) {
    await new Promise((r) => setTimeout(r, 1000));
  }
  for (const w of Object.values(watchers)) w.stop();

  console.log('\n# Warning lead time before a real OOM kill');
  console.log(
    'leak | interval | memory-trend before oom (ETA said) | 85 % warning before oom | 90 % critical before oom | oom-killed alert after oom event',
  );
  for (const leak of LEAKS) {
    for (const [interval, w] of Object.entries(watchers)) {
      const mine = w.lines.filter((l) => l['name'] === leak.name);
      const oom = mine.find((l) => l['type'] === 'event' && l['action'] === 'oom');
      const at = oom === undefined ? null : Number(oom['ts']);
      const lead = (pick: (l: Line) => boolean): number | null => {
        const first = mine.find((l) => l['type'] === 'alert' && pick(l));
        return first === undefined || at === null ? null : at - Number(first['ts']);
      };
      const trend = mine.find((l) => l['type'] === 'alert' && l['rule'] === 'memory-trend');
      const alert = killed(w, leak.name);
      console.log(
        [
          `${leak.mibPerSecond} MiB/s under ${leak.limit}`,
          interval,
          `${seconds(lead((l) => l['rule'] === 'memory-trend'))} (${trend?.['etaSeconds'] ?? '-'} s)`,
          seconds(lead((l) => l['rule'] === 'memory-threshold' && l['severity'] === 'warning')),
          seconds(lead((l) => l['rule'] === 'memory-threshold' && l['severity'] === 'critical')),
          alert === undefined || at === null ? 'none' : seconds(Number(alert['ts']) - at),
        ].join(' | '),
      );
    }
  }
  await exec('sh', ['-c', `docker rm -f $(docker ps -aq --filter label=${LABEL}) >/dev/null 2>&1; true`]);
}

await main();
