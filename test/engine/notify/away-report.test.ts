/**
 * The morning report on a real desktop bus: `serve --notify` watching a second dockerd (nobody
 * else's containers, so a quiet stop is really quiet) is stopped with SIGSTOP for 2 min while a
 * container is OOM-killed; on SIGCONT one "While you were away" notification tells of the kill.
 * A second, quiet SIGSTOP of 2 min sends none. dbus-monitor sees what dunst receives.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TimelineEntry } from '../../../src/history/timeline-entry.ts';
import { REPORT_SETTLE_MS } from '../../../src/service/timeline.ts';
import { ensureNotifySession, monitorNotifications, until, type NotifyMonitor } from '../../helpers/dbus.ts';
import { copyImage, startExtraDockerd, type ExtraDockerd } from '../../helpers/dockerd.ts';
import { startServeIn, type ServeProcess } from '../../helpers/serve-process.ts';
import { commandFor } from '../../stack/workloads.ts';

const IMAGE = 'langgenius/dify-api:1.10.1';
const PROJECT = 'dm-away';
const STOP_MS = 120_000;
/** The worker's leak starts this long into the stop, and fills its 48 MiB within seconds. */
const LEAK_AFTER_S = 30;
const REPORT = /^While you were away \(/;
const dir = mkdtempSync(join(tmpdir(), 'dm-away-'));

function service(name: string, extra: readonly string[]): string[] {
  return [
    'run',
    '--detach',
    '--name',
    `${PROJECT}-${name}-1`,
    '--network',
    'none',
    '--label',
    `com.docker.compose.project=${PROJECT}`,
    '--label',
    `com.docker.compose.service=${name}`,
    '--label',
    'com.docker.compose.container-number=1',
    ...extra,
  ];
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the morning report after a SIGSTOP, on D-Bus', { timeout: 600_000 }, () => {
  let engine: ExtraDockerd;
  let serve: ServeProcess | undefined;
  let bus: NotifyMonitor | undefined;

  const entries = async (): Promise<TimelineEntry[]> => {
    const res = await fetch(new URL('/api/timeline:list', serve?.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: 0, to: Date.now() + 60_000 }),
    });
    return ((await res.json()) as { entries: TimelineEntry[] }).entries;
  };
  const reports = () => bus?.calls().filter((c) => REPORT.test(c.summary)) ?? [];

  /** SIGSTOP for STOP_MS, `during` run meanwhile, then SIGCONT; resolves with the SIGCONT's time. */
  async function stopped(during: () => Promise<void>): Promise<number> {
    serve?.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    await during();
    await pause(Math.max(0, stoppedAt + STOP_MS - Date.now()));
    serve?.child.kill('SIGCONT');
    return Date.now();
  }

  async function sleepEntryAfter(ts: number): Promise<TimelineEntry> {
    for (let i = 0; i < 120; i++) {
      const found = (await entries()).find((e) => e.kind === 'app-sleep' && (e.untilTs ?? 0) >= ts);
      if (found !== undefined) return found;
      await pause(500);
    }
    throw new Error('the monitor never noticed its sleep');
  }

  before(async () => {
    await ensureNotifySession();
    bus = await monitorNotifications();
    engine = await startExtraDockerd('away');
    await copyImage(IMAGE, engine);
    serve = await startServeIn(dir, ['--notify', '--host', engine.url]);
  });

  after(async () => {
    serve?.child.kill('SIGCONT');
    await serve?.stop();
    bus?.stop();
    await engine?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one notification tells of the OOM kill that happened while serve was stopped', async (t) => {
    await engine.docker(...service('api', []), IMAGE, 'sleep', '2147483647');
    const leak = commandFor({ kind: 'leak', mibPerSecond: 8 })
      .map((a) => `'${a}'`)
      .join(' ');
    await engine.docker(
      ...service('worker', ['--env', 'MODE=worker', '--memory', '48m', '--memory-swap', '48m']),
      IMAGE,
      'sh',
      '-c',
      `sleep ${LEAK_AFTER_S}; exec ${leak}`,
    );
    const worker = `${PROJECT}-worker-1`;
    // The monitor knows the worker before it stops: its round holds it.
    for (let i = 0; i < 80; i++) {
      const res = await fetch(new URL('/api/monitor:snapshot', serve?.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: 'null',
      });
      const { samples } = (await res.json()) as { samples: { name: string }[] };
      if (samples.some((s) => s.name === worker)) break;
      await pause(250);
    }

    const contAt = await stopped(async () => {
      for (let i = 0; i < 200; i++) {
        const killed = await engine.docker('inspect', '--format', '{{.State.OOMKilled}}', worker);
        if (killed === 'true') return;
        await pause(500);
      }
      throw new Error('the worker was not OOM-killed while serve was stopped');
    });

    const report = await until(
      'the morning report on the bus',
      () => reports()[0],
      REPORT_SETTLE_MS + 40_000,
    );
    t.diagnostic(`report ${Date.now() - contAt} ms after SIGCONT: "${report.summary}" / "${report.body}"`);
    assert.match(report.summary, /^While you were away \(2 min\)$/);
    assert.match(report.body, new RegExp(`${worker} OOM-killed at \\d\\d:\\d\\d`));
    assert.equal(report.appName, 'Dify Monitor');
    await pause(10_000);
    assert.equal(reports().length, 1, 'one report, not one per entry');
  });

  it('a quiet SIGSTOP of 2 min sends none', async (t) => {
    const before = reports().length;
    const contAt = await stopped(async () => undefined);
    const sleep = await sleepEntryAfter(contAt);
    await pause(REPORT_SETTLE_MS + 10_000);
    t.diagnostic(
      `slept ${((sleep.untilTs ?? 0) - sleep.ts) / 1000} s; reports on the bus: ${reports().length}`,
    );
    assert.equal(reports().length, before, bus?.output().slice(-2000));
  });
});
