import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryJournal } from '../../../src/history/journal.ts';
import { setLanguage } from '../../../src/i18n/index.ts';
import type { Round } from '../../../src/model.ts';
import type { DesktopNotification } from '../../../src/notify/notifier.ts';
import {
  BEAT_MS,
  MonitorTimeline,
  REPORT_SETTLE_MS,
  timelineNotificationId,
} from '../../../src/service/timeline.ts';
import type { Clock } from '../../../src/util/clock.ts';
import { makeKillAlert, makeSample } from '../../helpers/samples.ts';

const T = 1_700_000_000_000;

/** A clock whose timers fire when the test moves it past them, in order. */
function manualClock(): Clock & { advance(ms: number): void; stopFor(ms: number): void } {
  let now = T;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 0;
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.push({ at: now + ms, fn, id: ++next });
      return next;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (due === undefined) break;
        timers = timers.filter((t) => t !== due);
        now = Math.max(now, due.at);
        due.fn();
      }
      now = end;
    },
    /** SIGSTOP for `ms`, then SIGCONT: time went on, no timer ran, and the overdue ones run now. */
    stopFor(ms) {
      now += ms;
      this.advance(0);
    },
  };
}

function setup(journal = new MemoryJournal(), clock = manualClock()) {
  const shown: DesktopNotification[] = [];
  const timeline = new MonitorTimeline({
    journal,
    clock,
    notifier: {
      available: true,
      check: async () => true,
      notify: async (n) => {
        shown.push(n);
        return { ok: true };
      },
    },
    notify: () => ({ enabled: true }),
    localDate: (ts) => new Date(ts),
    emitEntry: () => undefined,
    warn: (text) => assert.fail(text),
  });
  return { timeline, clock, shown, journal };
}

function round(ts: number): Round {
  const samples = [makeSample({ ts })];
  return { host: 'local', ts, samples, fresh: 1, running: 1, durationMs: 1 };
}

test('a heartbeat far too late is a sleep from the last beat to now, and a kill in it makes one report', () => {
  const { timeline, clock, shown, journal } = setup();
  timeline.onRound(round(clock.now()));
  clock.advance(BEAT_MS);
  const asleepAt = clock.now();
  clock.stopFor(120_000);
  const killedAt = clock.now() - 60_000;
  timeline.onEvent({
    type: 'event',
    ts: killedAt,
    host: 'local',
    action: 'oom',
    id: 'w',
    name: 'docker-worker-1',
    key: 'local/docker/worker/1',
  });
  timeline.onAlerts([makeKillAlert(clock.now() + 1000)]);
  clock.advance(REPORT_SETTLE_MS + BEAT_MS);
  const sleep = journal.between(0, clock.now() + 1, 100).find((e) => e.kind === 'app-sleep');
  assert.ok(sleep !== undefined);
  assert.ok(sleep.ts <= asleepAt + BEAT_MS && sleep.ts >= asleepAt, `slept at ${sleep.ts - T}`);
  assert.ok(sleep.untilTs !== null && sleep.untilTs >= asleepAt + 120_000);
  assert.equal(shown.length, 1);
  assert.match(shown[0]?.title ?? '', /While you were away \(2 min\)/);
  assert.match(shown[0]?.body ?? '', /docker-worker-1 OOM-killed at \d\d:\d\d/);
  assert.equal(shown[0]?.id, timelineNotificationId(killedAt));
});

test('a quiet sleep makes a sleep entry and no report', () => {
  const { timeline, clock, shown, journal } = setup();
  timeline.onRound(round(clock.now()));
  clock.advance(BEAT_MS);
  clock.stopFor(120_000);
  clock.advance(REPORT_SETTLE_MS + BEAT_MS);
  assert.equal(journal.between(0, clock.now() + 1, 100).filter((e) => e.kind === 'app-sleep').length, 1);
  assert.equal(shown.length, 0);
});

test('a start after the app was closed says how long, and what changed meanwhile is reported', () => {
  const journal = new MemoryJournal();
  const first = setup(journal);
  first.timeline.onRound(round(first.clock.now()));
  first.timeline.stop();
  const clock = manualClock();
  clock.advance(3 * 3_600_000);
  const second = setup(journal, clock);
  const ts = clock.now();
  second.timeline.onRound({
    ...round(ts),
    samples: [makeSample({ ts, id: 'new', image: 'langgenius/dify-api:1.11.0' })],
  });
  clock.advance(REPORT_SETTLE_MS + BEAT_MS);
  const start = journal.between(ts - 1, ts + 1, 10).find((e) => e.kind === 'app-start');
  assert.match(start?.text ?? '', /not running for 3 h/);
  assert.equal(second.shown.length, 1);
  assert.match(
    second.shown[0]?.body ?? '',
    /deployed: langgenius\/dify-api:1\.10\.1 → langgenius\/dify-api:1\.11\.0/,
  );
});

test('in Simplified Chinese the start, the sleep and the report it makes are Chinese', (t) => {
  setLanguage('zh-CN');
  t.after(() => setLanguage('en'));
  const { timeline, clock, shown, journal } = setup();
  timeline.onRound(round(clock.now()));
  clock.advance(BEAT_MS);
  clock.stopFor(120_000);
  timeline.onEvent({
    type: 'event',
    ts: clock.now() - 60_000,
    host: 'local',
    action: 'oom',
    id: 'w',
    name: 'docker-worker-1',
    key: 'local/docker/worker/1',
  });
  timeline.onAlerts([makeKillAlert(clock.now() + 1000)]);
  clock.advance(REPORT_SETTLE_MS + BEAT_MS);
  const texts = journal.between(0, clock.now() + 1, 100).map((e) => `${e.kind} ${e.text}`);
  assert.ok(texts.includes('app-start Dify Monitor 已启动'), texts.join('\n'));
  assert.ok(
    texts.some((l) => l.startsWith('app-sleep Dify Monitor 有 2 分钟没有收到任何数据')),
    texts.join('\n'),
  );
  assert.equal(shown[0]?.title, '您离开期间（2 分钟）');
  assert.match(shown[0]?.body ?? '', /^docker-worker-1 于 \d\d:\d\d 被 OOM 终止/);
});
