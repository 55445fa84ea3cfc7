import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCli, type LiveCli } from '../../helpers/cli.ts';
import { localDocker } from '../../stack/docker-cli.ts';
import { labelFor, OTHER_IMAGE, removeAll } from '../../stack/stack.ts';
import { commandFor } from '../../stack/workloads.ts';

const TAG = 'oom-process-alert';
const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'dm-oom-process-'));
const suffix = randomBytes(4).toString('hex');
/** A shell whose `awk` child grows until the OOM killer takes it; the shell starts it again. */
const PROCESS = `dm-oom-process-${suffix}`;
/** The same `awk` as the container's main process: the kill ends the container. */
const LIMIT = `dm-oom-limit-${suffix}`;

type Line = Record<string, unknown>;

const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

/** The leak workload (16 MiB/s, so the 1 s samples see it grow) as one shell word list. */
function leakWords(): string {
  return commandFor({ kind: 'leak', mibPerSecond: 16 })
    .map((word) => {
      assert.ok(!word.includes("'"), 'the awk program quotes as one shell word');
      return `'${word}'`;
    })
    .join(' ');
}

async function start(name: string, command: readonly string[]): Promise<void> {
  await localDocker(
    'run',
    '--detach',
    '--name',
    name,
    '--network',
    'none',
    '--label',
    labelFor(TAG),
    '--memory',
    '48m',
    '--memory-swap',
    '48m',
    OTHER_IMAGE,
    ...command,
  );
}

const isOom = (name: string) => (l: Line) =>
  l['type'] === 'event' && l['action'] === 'oom' && l['name'] === name;
const isKillAlert = (name: string) => (l: Line) =>
  l['type'] === 'alert' && l['rule'] === 'oom-killed' && l['name'] === name;

/** The highest memory reading of `name` printed before the first of its oom events: the engine's input. */
function peakBeforeOom(lines: readonly Line[], name: string): number {
  const oomAt = lines.findIndex(isOom(name));
  assert.ok(oomAt > 0, `an oom event of ${name}`);
  const readings = lines
    .slice(0, oomAt)
    .filter((l) => l['type'] === 'sample' && l['name'] === name && typeof l['memUsageBytes'] === 'number')
    .map((l) => l['memUsageBytes'] as number);
  assert.ok(readings.length > 0, `samples of ${name} before its oom`);
  return Math.max(...readings);
}

/** The first reading of `name` printed after its first oom event. */
function readingAfterOom(lines: readonly Line[], name: string): number {
  const oomAt = lines.findIndex(isOom(name));
  const after = lines
    .slice(oomAt)
    .find((l) => l['type'] === 'sample' && l['name'] === name && typeof l['memUsageBytes'] === 'number');
  assert.ok(after !== undefined, `a sample of ${name} after its oom`);
  return after['memUsageBytes'] as number;
}

describe(
  'OOM kills on the real engine: a process in a running container, and a container',
  { timeout: 150_000 },
  () => {
    let watch: LiveCli | undefined;
    before(async () => {
      await removeAll(TAG);
      watch = startCli([
        'watch',
        '--json',
        '--all',
        '--interval',
        '1s',
        '--settings',
        join(dir, 'settings.json'),
        '--alert-log',
        join(dir, 'alerts.json'),
      ]);
      await watch.waitFor((l) => l['type'] === 'host' && l['state'] === 'up', 20_000);
      await start(PROCESS, ['sh', '-c', `while true; do ${leakWords()}; sleep 1; done`]);
      await start(LIMIT, commandFor({ kind: 'leak', mibPerSecond: 16 }));
    });
    after(async () => {
      await watch?.stop();
      await removeAll(TAG);
      rmSync(dir, { recursive: true, force: true });
    });

    it('a child killed while the shell runs on: "a process … was killed", with the memory before the kill, once', async (t) => {
      const live = watch as LiveCli;
      const alert = await live.waitFor(isKillAlert(PROCESS), 60_000);
      const message = String(alert['message']);
      const reached =
        /^a process in (\S+) was killed by the OOM killer; the container is still running\. It had reached ([\d.]+) MiB of its 48 MiB limit$/.exec(
          message,
        );
      assert.ok(reached !== null, message);
      assert.equal(reached[1], PROCESS);
      assert.equal(alert['severity'], 'critical');
      assert.equal(alert['limitBytes'], 48 * MiB);

      const value = Number(alert['valueBytes']);
      assert.equal(value, peakBeforeOom(live.lines, PROCESS), 'the peak of the readings before the oom');
      assert.ok(value >= 24 * MiB && value <= 48 * MiB, `${mib(value)}: tens of MiB, as the child grew`);
      const after = readingAfterOom(live.lines, PROCESS);
      assert.ok(value > after, `not the ${mib(after)} read after the kill`);
      t.diagnostic(`${message} (${mib(value)}; ${mib(after)} read after the kill)`);

      // The loop goes on: more kills, no die, one alert.
      await live.waitFor((l) => isOom(PROCESS)(l) && live.lines.filter(isOom(PROCESS)).length >= 4, 60_000);
      assert.equal(live.lines.filter(isKillAlert(PROCESS)).length, 1, 'one alert for kills within a minute');
      assert.ok(
        !live.lines.some((l) => l['type'] === 'event' && l['action'] === 'die' && l['name'] === PROCESS),
        'the container never died',
      );
      assert.equal(await localDocker('inspect', '--format', '{{.State.Running}}', PROCESS), 'true');
    });

    it('a container its limit killed keeps its words, with the memory before the kill, once', async (t) => {
      const live = watch as LiveCli;
      const alert = await live.waitFor(isKillAlert(LIMIT), 60_000);
      const message = String(alert['message']);
      const at = /^(\S+) ran out of memory and was killed at ([\d.]+) MiB of its 48 MiB limit$/.exec(message);
      assert.ok(at !== null, message);
      assert.equal(at[1], LIMIT);
      const value = Number(alert['valueBytes']);
      assert.equal(value, peakBeforeOom(live.lines, LIMIT));
      assert.ok(value >= 24 * MiB && value <= 48 * MiB, mib(value));
      t.diagnostic(`${message} (${mib(value)})`);
      await live.waitFor(
        (l) => l['type'] === 'event' && l['action'] === 'die' && l['name'] === LIMIT,
        10_000,
      );
      await live.waitFor(
        (l) =>
          l['type'] === 'sample' && l['name'] === LIMIT && l['state'] === 'exited' && l['oomKilled'] === true,
        10_000,
      );
      assert.equal(
        live.lines.filter(isKillAlert(LIMIT)).length,
        1,
        'oom, die 137 and the inspect flag are one kill',
      );
    });
  },
);
