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
/** No limit; `docker kill -s KILL` stands in for the host's OOM killer. */
const SIGNALLED = `dm-sigkill-engine-${suffix}`;
/** No limit; SIGKILL from this machine, as the host's OOM killer sends it: no engine event before the die. */
const UNASKED = `dm-sigkill-host-${suffix}`;

type Line = Record<string, unknown>;

const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

/**
 * The leak workload (16 MiB/s, so the 1 s samples see it grow) as one shell word list. By its path:
 * busybox's shell runs a bare applet name in a fork of itself, whose command line stays the shell's.
 */
function leakWords(): string {
  const [program, ...args] = commandFor({ kind: 'leak', mibPerSecond: 16 });
  return [`/bin/${program}`, ...args]
    .map((word) => {
      assert.ok(!word.includes("'"), 'the awk program quotes as one shell word');
      return `'${word}'`;
    })
    .join(' ');
}

async function start(
  name: string,
  command: readonly string[],
  limit: readonly string[] = LIMIT_48M,
): Promise<void> {
  await localDocker(
    'run',
    '--detach',
    '--name',
    name,
    '--network',
    'none',
    '--label',
    labelFor(TAG),
    ...limit,
    OTHER_IMAGE,
    ...command,
  );
}

const LIMIT_48M = ['--memory', '48m', '--memory-swap', '48m'];

const isOom = (name: string) => (l: Line) =>
  l['type'] === 'event' && l['action'] === 'oom' && l['name'] === name;
const isKillAlert = (name: string) => (l: Line) =>
  l['type'] === 'alert' && l['rule'] === 'oom-killed' && l['name'] === name;
const isAlertOf = (name: string) => (l: Line) => l['type'] === 'alert' && l['name'] === name;
const isRunning = (name: string) => (l: Line) =>
  l['type'] === 'sample' && l['name'] === name && l['state'] === 'running' && l['memUsageBytes'] !== null;

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
  'OOM kills on the real engine: a process in a running container, a container, and SIGKILL not by its own limit',
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
      await start(SIGNALLED, commandFor({ kind: 'steady', mib: 8 }), []);
      await start(UNASKED, commandFor({ kind: 'steady', mib: 8 }), []);
    });
    after(async () => {
      await watch?.stop();
      await removeAll(TAG);
      rmSync(dir, { recursive: true, force: true });
    });

    it('a child killed while the shell runs on: named, within 2 s of the engine’s oom, with the memory before the kill, once', async (t) => {
      const live = watch as LiveCli;
      const alert = await live.waitFor(isKillAlert(PROCESS), 60_000);
      const message = String(alert['message']);
      const reached =
        /^awk \(pid (\d+)\), holding ([\d.]+) MiB, in (\S+) was killed by the OOM killer; the container is still running\. It had reached ([\d.]+) MiB of its 48 MiB limit$/.exec(
          message,
        );
      assert.ok(reached !== null, message);
      assert.equal(reached[3], PROCESS);
      assert.equal(alert['severity'], 'critical');
      assert.equal(alert['limitBytes'], 48 * MiB);
      const victim = alert['process'] as { label: string; pid: number; rssBytes: number };
      assert.equal(victim.label, 'awk');
      assert.equal(victim.pid, Number(reached[1]));
      assert.ok(victim.rssBytes >= 16 * MiB && victim.rssBytes <= 48 * MiB, mib(victim.rssBytes));
      const oom = live.lines.find(isOom(PROCESS));
      const late = Number(alert['ts']) - Number(oom?.['ts']);
      assert.ok(late <= 2000, `told ${late} ms after the engine's oom event`);

      const value = Number(alert['valueBytes']);
      assert.equal(value, peakBeforeOom(live.lines, PROCESS), 'the peak of the readings before the oom');
      assert.ok(value >= 24 * MiB && value <= 48 * MiB, `${mib(value)}: tens of MiB, as the child grew`);
      const after = readingAfterOom(live.lines, PROCESS);
      assert.ok(value > after, `not the ${mib(after)} read after the kill`);
      t.diagnostic(
        `${message} (${mib(value)}; ${mib(after)} read after the kill; told ${late} ms after the oom)`,
      );

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
      const at =
        /^(\S+) ran out of memory and was killed at ([\d.]+) MiB of its 48 MiB limit\. (\S+): awk held ([\d.]+) MiB$/.exec(
          message,
        );
      assert.ok(at !== null, message);
      assert.equal(at[1], LIMIT);
      assert.equal(at[3], LIMIT, 'the process that held the most, by container');
      assert.ok(Number(at[4]) >= 16, `awk held ${at[4]} MiB`);
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

    it('docker kill -s KILL: "killed (signal 9), not by its own limit", never an OOM of its own limit', async () => {
      const live = watch as LiveCli;
      await live.waitFor(isRunning(SIGNALLED), 20_000);
      await localDocker('kill', '--signal', 'KILL', SIGNALLED);
      const alert = await live.waitFor(isAlertOf(SIGNALLED), 20_000);
      assert.equal(alert['rule'], 'killed');
      assert.equal(alert['severity'], 'warning');
      assert.match(
        String(alert['message']),
        /^dm-sigkill-engine-\w+ was killed \(signal 9\), not by its own limit: the engine sent it SIGKILL/,
      );
      assert.deepEqual(
        live.lines.filter(isAlertOf(SIGNALLED)).map((l) => l['rule']),
        ['killed'],
        'no oom-killed, no second alert',
      );
    });

    it('SIGKILL from this machine, as the host’s OOM killer sends it: the host’s count says it was not the OOM killer', async () => {
      const live = watch as LiveCli;
      await live.waitFor(isRunning(UNASKED), 20_000);
      const pid = await localDocker('inspect', '--format', '{{.State.Pid}}', UNASKED);
      process.kill(Number(pid), 'SIGKILL');
      const alert = await live.waitFor(isAlertOf(UNASKED), 20_000);
      assert.equal(`${String(alert['rule'])}:${String(alert['severity'])}`, 'killed:warning');
      assert.match(
        String(alert['message']),
        /^dm-sigkill-host-\w+ was killed \(signal 9\), not by its own limit: not the OOM killer either \(the host counted no OOM kill outside the running containers\)/,
      );
      assert.equal(await localDocker('inspect', '--format', '{{.State.OOMKilled}}', UNASKED), 'false');
    });
  },
);
