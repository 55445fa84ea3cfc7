import { alertLine, type AlertLine, type OutgoingMessage } from '../../../src/delivery/message.ts';
import type { Alert } from '../../../src/alerts/types.ts';
import type { Verdict } from '../../../src/alerts/verdict.ts';
import type { AlertFeed } from '../../../src/delivery/delivery.ts';
import {
  DEFAULT_CHANNELS,
  DEFAULT_SETTINGS,
  type ChannelSetting,
  type Settings,
} from '../../../src/settings/schema.ts';
import type { Clock } from '../../../src/util/clock.ts';
import { Emitter } from '../../../src/util/emitter.ts';

export const T0 = Date.UTC(2026, 10, 24, 6, 0, 0);

export function alertOf(over: Partial<Alert> = {}): Alert {
  return {
    type: 'alert',
    ts: T0,
    severity: 'warning',
    rule: 'memory-trend',
    host: 'prod',
    stack: 'dify',
    name: 'dify-worker-1',
    role: 'worker',
    message: 'dify-worker-1 memory is rising +35 MiB/min and will reach its 2.0 GiB limit in about 8 min',
    valueBytes: 1_700_000_000,
    limitBytes: 2_147_483_648,
    etaSeconds: 480,
    key: 'prod/dify/worker/1',
    ...over,
  };
}

export function lineOf(over: Partial<AlertLine> = {}): AlertLine {
  return { ...alertLine(alertOf()), ...over };
}

export function messageOf(over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    id: 'msg-1',
    channel: 'ops',
    seq: 1,
    incident: 'inc-1',
    status: 'firing',
    severity: 'critical',
    host: 'prod',
    stack: 'dify',
    startedAt: T0,
    endedAt: null,
    createdAt: T0 + 60_000,
    alerts: [
      lineOf({
        rule: 'oom-killed',
        severity: 'critical',
        message: 'dify-worker-1 was OOM-killed at 2.0 of 2.0 GiB. Held: api 1.2 GiB, worker 2.0 GiB',
        etaSeconds: null,
      }),
      lineOf(),
    ],
    dashboardUrl: 'https://monitor.example.com/',
    ...over,
  };
}

export function channelOf(over: Partial<ChannelSetting> = {}): ChannelSetting {
  return {
    name: 'ops',
    kind: 'webhook',
    enabled: true,
    target: 'http://127.0.0.1/…abcd',
    minSeverity: 'warning',
    stacks: [],
    rules: [],
    ...over,
  };
}

export const TIMING = {
  groupWaitMs: DEFAULT_CHANNELS.groupWaitMs,
  groupIntervalMs: DEFAULT_CHANNELS.groupIntervalMs,
  repeatIntervalMs: DEFAULT_CHANNELS.repeatIntervalMs,
};

/** A clock whose timers fire when the test moves it on; the requests they start are real. */
export function manualClock(start = T0): Clock & { advance(ms: number): void; pending(): number[] } {
  let now = start;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 0;
  return {
    now: () => now,
    setTimeout(fn, ms) {
      timers.set(++next, { at: now + ms, fn });
      return next;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    advance(ms) {
      now += ms;
      for (const [id, timer] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at > now) continue;
        timers.delete(id);
        timer.fn();
      }
    },
    pending: () => [...timers.values()].map((t) => t.at - now).sort((a, b) => a - b),
  };
}

/** What delivery follows: the service's alert, verdict and settings pushes, here pushed by the test. */
export function feedOf(): AlertFeed & {
  push(alert: Alert): void;
  judge(verdict: Verdict): void;
  changed(): void;
} {
  const events = new Emitter<{
    'monitor:alert': Alert;
    'monitor:verdict': Verdict;
    'settings:changed': Settings;
  }>();
  let verdict: Verdict = { findings: [] };
  return {
    on: ((channel: 'monitor:alert', listener: (a: Alert) => void) =>
      events.on(channel, listener)) as AlertFeed['on'],
    current: () => ({ verdict }),
    push: (alert) => events.emit('monitor:alert', alert),
    judge(next) {
      verdict = next;
      events.emit('monitor:verdict', next);
    },
    changed: () => events.emit('settings:changed', DEFAULT_SETTINGS),
  };
}

/** Waits, in real time, until `check` holds; the requests delivery makes are real. */
export async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
