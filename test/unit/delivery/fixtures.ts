import { alertLine, type AlertLine, type OutgoingMessage } from '../../../src/delivery/message.ts';
import type { Alert } from '../../../src/alerts/types.ts';
import { DEFAULT_CHANNELS, type ChannelSetting } from '../../../src/settings/schema.ts';

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
