/**
 * Payloads from the bridge are checked before the page uses them: a hostile or broken server (or
 * a proxy in between) must not be able to throw the UI into a state it cannot draw.
 */
import { parseAlert } from '../src/alerts/log.ts';
import type { Alert } from '../src/alerts/types.ts';
import { parseVerdict } from '../src/alerts/verdict.ts';
import { isEventChannel, type EventChannel, type EventChannels, type Snapshot } from '../src/api.ts';
import { isTimelineEntry } from '../src/history/timeline-entry.ts';
import {
  CONTAINER_EVENT_ACTIONS,
  HOST_STATES,
  isOneOf,
  SAMPLE_METRICS,
  type ContainerEvent,
  type HostState,
  type Sample,
} from '../src/model.ts';
import type { Settings } from '../src/settings/schema.ts';

const MAX_SAMPLES = 2000;
const MAX_TEXT = 1000;

type Rec = Record<string, unknown>;

function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TEXT;
}

function num(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function numOrNull(value: unknown): value is number | null {
  return value === null || num(value);
}

export function isSample(v: unknown): v is Sample {
  if (!isRecord(v) || v['type'] !== 'sample' || !num(v['ts'])) return false;
  if (!text(v['host']) || !text(v['name']) || !text(v['id']) || !text(v['image']) || !text(v['key']))
    return false;
  if (!text(v['role']) || !text(v['state']) || !text(v['health'])) return false;
  if (!(v['stack'] === null || text(v['stack'])) || !(v['service'] === null || text(v['service'])))
    return false;
  if (v['memLimitSource'] !== 'container' && v['memLimitSource'] !== 'host') return false;
  if (!num(v['restartCount']) || typeof v['oomKilled'] !== 'boolean') return false;
  return SAMPLE_METRICS.every((k) => numOrNull(v[k]));
}

export function isHostState(v: unknown): v is HostState {
  return (
    isRecord(v) &&
    v['type'] === 'host' &&
    num(v['ts']) &&
    text(v['host']) &&
    isOneOf(HOST_STATES, v['state']) &&
    typeof v['message'] === 'string' &&
    v['message'].length <= 4 * MAX_TEXT &&
    text(v['endpoint']) &&
    text(v['reason']) &&
    (v['memTotalBytes'] === undefined || num(v['memTotalBytes'])) &&
    (v['cpus'] === undefined || num(v['cpus'])) &&
    (v['warning'] === undefined || (typeof v['warning'] === 'string' && v['warning'].length <= MAX_TEXT))
  );
}

export function isContainerEvent(v: unknown): v is ContainerEvent {
  return (
    isRecord(v) &&
    v['type'] === 'event' &&
    num(v['ts']) &&
    text(v['host']) &&
    isOneOf(CONTAINER_EVENT_ACTIONS, v['action']) &&
    text(v['id']) &&
    text(v['name']) &&
    (v['key'] === null || text(v['key'])) &&
    (v['exitCode'] === undefined || num(v['exitCode']))
  );
}

function levels(v: unknown): boolean {
  return isRecord(v) && num(v['warningPercent']) && num(v['criticalPercent']) && num(v['hysteresisPoints']);
}

/** The parts of the settings the page reads; the server validated the rest against the schema. */
export function isSettings(v: unknown): v is Settings {
  if (!isRecord(v) || v['version'] !== 1) return false;
  const alerts = v['alerts'];
  const intervals = v['intervals'];
  const notifications = v['notifications'];
  if (!isRecord(alerts) || !isRecord(intervals) || !isRecord(notifications)) return false;
  const hosts = v['hosts'];
  if (!Array.isArray(hosts) || !hosts.every((x) => isRecord(x) && text(x['name']) && text(x['url'])))
    return false;
  if (!levels(alerts['memory']) || !levels(alerts['cpu']) || !levels(alerts['stack'])) return false;
  if (!isRecord(alerts['roleBudgetBytes']) || !Object.values(alerts['roleBudgetBytes']).every(num))
    return false;
  if (!numOrNull(alerts['muteUntil']) || !Array.isArray(alerts['mutedKeys'])) return false;
  if (!alerts['mutedKeys'].every(text)) return false;
  const quiet = alerts['quietHours'];
  if (!(quiet === null || (isRecord(quiet) && text(quiet['start']) && text(quiet['end'])))) return false;
  return (
    num(intervals['fastMs']) && num(intervals['trayMs']) && typeof notifications['enabled'] === 'boolean'
  );
}

function samplesOf(v: unknown): Sample[] | null {
  if (!Array.isArray(v) || v.length > MAX_SAMPLES) return null;
  return v.every(isSample) ? (v as Sample[]) : null;
}

export function parseSnapshot(v: unknown): Snapshot | null {
  if (!isRecord(v) || !Array.isArray(v['hosts']) || !Array.isArray(v['alerts'])) return null;
  const samples = samplesOf(v['samples']);
  if (samples === null || !v['hosts'].every(isHostState) || !isSettings(v['settings'])) return null;
  if (!numOrNull(v['mutedUntil'])) return null;
  const verdict = parseVerdict(v['verdict']);
  if (verdict === null) return null;
  const alerts = v['alerts']
    .slice(0, MAX_SAMPLES)
    .map(parseAlert)
    .filter((a): a is Alert => a !== null);
  return {
    hosts: v['hosts'],
    samples,
    alerts,
    settings: v['settings'],
    mutedUntil: v['mutedUntil'],
    verdict,
  };
}

type EventChecks = { readonly [C in EventChannel]: (payload: unknown) => EventChannels[C] | null };

/** One payload check per event channel: a channel added to the API without one here does not compile. */
const EVENT_CHECKS: EventChecks = {
  'monitor:round': (payload) => {
    if (!isRecord(payload)) return null;
    const { host, ts, fresh, running, durationMs } = payload;
    if (!text(host) || !num(ts) || !num(fresh) || !num(running) || !num(durationMs)) return null;
    const samples = samplesOf(payload['samples']);
    return samples === null ? null : { host, ts, samples, fresh, running, durationMs };
  },
  'monitor:verdict': parseVerdict,
  'monitor:host': (payload) => (isHostState(payload) ? payload : null),
  'monitor:event': (payload) => (isContainerEvent(payload) ? payload : null),
  'monitor:alert': parseAlert,
  'monitor:timeline': (payload) => (isTimelineEntry(payload) ? payload : null),
  'monitor:report': (payload) => {
    if (!isRecord(payload)) return null;
    const { title, body, lines, from, to, firstTs, entries } = payload;
    if (!text(title) || !text(body) || !num(from) || !num(to) || !num(firstTs) || !num(entries)) return null;
    return Array.isArray(lines) && lines.every(text)
      ? { title, body, lines, from, to, firstTs, entries }
      : null;
  },
  'settings:changed': (payload) => (isSettings(payload) ? payload : null),
  'ui:focus-container': (payload) => {
    if (!isRecord(payload)) return null;
    const { key } = payload;
    return text(key) ? { key } : null;
  },
};

/** The payload when it has the channel's shape, else null (and the page ignores it). */
export function checkEvent<C extends EventChannel>(channel: C, payload: unknown): EventChannels[C] | null {
  return isEventChannel(channel) ? EVENT_CHECKS[channel](payload) : null;
}
