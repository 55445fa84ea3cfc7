/**
 * The one contract between the core and every UI: the Electron preload exposes it through
 * contextBridge, the web bridge (`dify-monitor serve`) implements it over HTTP + SSE, and the
 * renderer only ever sees `DifyMonitorApi`. Main, preload, bridge and renderer all import this
 * file, so a channel or payload changed here is changed for all of them.
 */
import type { Alert } from './alerts/types.ts';
import type { RawPoint } from './history/store.ts';
import type { BucketPoint } from './history/tiers.ts';
import type { Verdict } from './alerts/verdict.ts';
import type { TimelineEntry } from './history/timeline-entry.ts';
import {
  isOneOf,
  type ContainerEvent,
  type HostFailureState,
  type HostState,
  type ProcessTable,
  type Round,
  type Sample,
} from './model.ts';
import { ALERT_RULES, type AlertRule } from './alerts/types.ts';
// Types only: the schema module compiles its validator when loaded, which a page's CSP forbids.
import type { ChannelKind, ChannelSeverity, FieldError, Settings, SettingsPatch } from './settings/schema.ts';
import { checkRemoteUrl } from './hosts/remote-url.ts';
import { HOST_NAME_PATTERN } from './settings/host-name.ts';

/** What the window needs to draw itself at once: the latest of everything. */
export interface Snapshot {
  readonly hosts: readonly HostState[];
  readonly samples: readonly Sample[];
  /** The alert log, newest first. */
  readonly alerts: readonly Alert[];
  readonly settings: Settings;
  /** Set while everything is muted (ms since epoch). */
  readonly mutedUntil: number | null;
  /** What is wrong now, as the alert engine holds it: every badge, icon and row reads this. */
  readonly verdict: Verdict;
}

export const HISTORY_METRICS = ['cpuPercent', 'memUsageBytes', 'memPercent'] as const;
export type HistoryMetric = (typeof HISTORY_METRICS)[number];

export const HISTORY_WINDOWS = { '5m': 5 * 60_000, '1h': 3_600_000, '24h': 24 * 3_600_000 } as const;
export type HistoryWindow = keyof typeof HISTORY_WINDOWS;

export interface HistoryRequest {
  /** Sample.key of the container. */
  readonly key: string;
  readonly metric: HistoryMetric;
  readonly window: HistoryWindow;
}

export type HistoryResponse =
  | { readonly resolution: 'raw'; readonly points: readonly RawPoint[] }
  | { readonly resolution: '10s' | '1m'; readonly widthMs: number; readonly points: readonly BucketPoint[] };

/** The morning report as sent (src/alerts/away-report.ts): what happened while nobody watched. */
export interface AwayReportView {
  readonly title: string;
  readonly body: string;
  readonly lines: readonly string[];
  readonly from: number;
  readonly to: number;
  /** Where a click opens the timeline. */
  readonly firstTs: number;
  readonly entries: number;
}

/** The timeline between two moments (ms since epoch), oldest first. */
export interface TimelineRequest {
  readonly from: number;
  readonly to: number;
}

export type MuteRequest =
  | { readonly scope: 'all'; readonly forMs: number }
  | { readonly scope: 'all'; readonly until: 'tomorrow' }
  | { readonly scope: 'container'; readonly key: string; readonly muted: boolean }
  | { readonly scope: 'none' };

export type SettingsResult =
  | { readonly ok: true; readonly settings: Settings }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

/** A saved host by name, or an address typed in Settings (tcp:// or ssh:// only). */
export type HostTestRequest = { readonly name: string } | { readonly url: string };

export type HostTestResult =
  | {
      readonly ok: true;
      /** `Docker` or `Podman`. */
      readonly product: string;
      readonly version: string;
      readonly apiVersion: string;
      readonly os: string;
      readonly memTotalBytes: number;
      readonly cpus: number;
      /** One line: product, version, OS, CPUs, memory. */
      readonly summary: string;
      /** Set for plain tcp://: unauthenticated. */
      readonly warning?: string;
    }
  | { readonly ok: false; readonly state: HostFailureState; readonly message: string };

export interface HistoryInfo {
  readonly path: string;
  /** The database file and its write-ahead log, now. */
  readonly bytes: number;
  readonly maxBytes: number;
  readonly days: number;
  readonly problem: string | null;
}

/** A saved host as a page sees it: never its key, certificate or known_hosts files. */
export interface HostView {
  readonly name: string;
  readonly url: string;
  readonly kind: 'tcp' | 'tls' | 'ssh' | 'socket';
  /** Plain tcp or ssh without files of its own: a page may rename, re-address or remove it. */
  readonly editable: boolean;
  readonly warning?: string;
}

export interface HostList {
  readonly hosts: readonly HostView[];
  /** The monitor starts and stops watching saved hosts as they change; otherwise only at restart. */
  readonly live: boolean;
}

/** How a channel's deliveries went, from the outbox: what `dify-monitor channels list` says. */
export interface ChannelStatusView {
  readonly last: 'off' | 'never' | 'delivered' | 'retrying' | 'refused';
  /** When it was delivered or failed last (ms since epoch). */
  readonly at: number | null;
  /** The receiver's refusal or why tries go on. */
  readonly why: string | null;
  readonly waiting: number;
  /** Messages dropped because the outbox was full. */
  readonly dropped: number;
}

/** A channel as a page sees it: its target masked, never a URL with its token, a signing secret or a password. */
export interface ChannelView {
  readonly name: string;
  readonly kind: ChannelKind;
  readonly enabled: boolean;
  /** `https://oapi.dingtalk.com/…3f9a`, or where an e-mail goes. */
  readonly target: string;
  readonly minSeverity: ChannelSeverity;
  readonly stacks: readonly string[];
  readonly rules: readonly AlertRule[];
  readonly status: ChannelStatusView;
}

export interface ChannelList {
  readonly channels: readonly ChannelView[];
  /** Where this monitor keeps the secrets, in words for the page. */
  readonly secretsKept: string;
}

export const CHANNEL_SECRET_FIELDS = ['url', 'secret', 'token', 'password'] as const;
export type ChannelSecretField = (typeof CHANNEL_SECRET_FIELDS)[number];

/** A new channel from a page. Its secrets go one way: saved, and never part of any answer. */
export interface ChannelAddRequest {
  readonly name: string;
  readonly kind: ChannelKind;
  readonly secrets: Partial<Record<ChannelSecretField, string>>;
  readonly keyword?: string;
  readonly smtp?: {
    readonly host?: string;
    readonly port?: number;
    readonly security?: string;
    readonly user?: string;
    readonly from?: string;
    readonly to?: readonly string[];
  };
  readonly minSeverity: ChannelSeverity;
  readonly stacks: readonly string[];
  readonly rules: readonly AlertRule[];
}

export type ChannelChange = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** A test message's fate and the receiver's exact answer, as `dify-monitor channels test` prints it. */
export interface ChannelTestResult {
  readonly outcome: 'delivered' | 'retry' | 'rejected' | 'not-sent';
  readonly why: string | null;
  readonly answer: string;
}

/** Request → response channels (ipcRenderer.invoke / ipcMain.handle; POST /api/<channel> on the bridge). */
export interface InvokeChannels {
  'monitor:snapshot': { request: null; response: Snapshot };
  'monitor:history': { request: HistoryRequest; response: HistoryResponse };
  /**
   * Who holds a container's memory, largest first; null where its processes cannot be read.
   * Asking keeps them read for a while where that costs the engine (its top endpoint).
   */
  'monitor:processes': { request: { readonly key: string }; response: ProcessTable | null };
  /** The window was shown or hidden: the collectors switch between the fast and the tray rate. */
  'monitor:visible': { request: { readonly visible: boolean }; response: null };
  /** Alerts, kills, restarts, deploys, engine and monitor changes kept on disk, oldest first. */
  'timeline:list': { request: TimelineRequest; response: { readonly entries: readonly TimelineEntry[] } };
  'settings:set': { request: SettingsPatch; response: SettingsResult };
  'alerts:mute': { request: MuteRequest; response: { readonly mutedUntil: number | null } };
  /** History on disk: its file, size and bound, and why it is not written now; null when kept in memory only. */
  'history:info': { request: null; response: HistoryInfo | null };
  'hosts:list': { request: null; response: HostList };
  /** One connection attempt with a timeout: the engine's version, OS and memory, or the exact error. */
  'hosts:test': { request: HostTestRequest; response: HostTestResult };
  'channels:list': { request: null; response: ChannelList };
  'channels:add': { request: ChannelAddRequest; response: ChannelChange };
  /** Sends a test message now, outside the outbox. */
  'channels:test': { request: { readonly name: string }; response: ChannelTestResult };
  'channels:remove': { request: { readonly name: string }; response: ChannelChange };
}

/** Main → renderer pushes (webContents.send; SSE events on the bridge). */
export interface EventChannels {
  'monitor:round': Round;
  /** Sent whenever what is wrong changes: a condition rose or cleared, a kill aged out. */
  'monitor:verdict': Verdict;
  'monitor:host': HostState;
  'monitor:event': ContainerEvent;
  'monitor:alert': Alert;
  /** A new timeline entry, as it is kept. */
  'monitor:timeline': TimelineEntry;
  /** A morning report was sent: the desktop shows it, the channels get it. */
  'monitor:report': AwayReportView;
  'settings:changed': Settings;
  /** The tray or a notification asks the window to show one container. */
  'ui:focus-container': { readonly key: string };
}

export type InvokeChannel = keyof InvokeChannels;
export type EventChannel = keyof EventChannels;

/** What the renderer gets as `window.difyMonitor`, from the preload or from the web bridge client. */
export interface DifyMonitorApi {
  invoke<C extends InvokeChannel>(
    channel: C,
    request: InvokeChannels[C]['request'],
  ): Promise<InvokeChannels[C]['response']>;
  /** Returns the function that unsubscribes. */
  on<C extends EventChannel>(channel: C, listener: (payload: EventChannels[C]) => void): () => void;
}

export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** What answers every invoke channel: the monitor service implements one per channel. */
export type InvokeHandlers = {
  readonly [C in InvokeChannel]: (
    request: InvokeChannels[C]['request'],
  ) => Promise<InvokeChannels[C]['response']> | InvokeChannels[C]['response'];
};

type RequestChecks = {
  readonly [C in InvokeChannel]: (request: unknown) => Checked<InvokeChannels[C]['request']>;
};

const KEY = /^[^\s]{1,300}$/;
const HOST_NAME = new RegExp(HOST_NAME_PATTERN);
const MAX_MUTE_MS = 7 * 24 * 3_600_000;

const valid = <T>(value: T): Checked<T> => ({ ok: true, value });
const invalid = (error: string): Checked<never> => ({ ok: false, error });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHistoryWindow(value: unknown): value is HistoryWindow {
  return typeof value === 'string' && Object.hasOwn(HISTORY_WINDOWS, value);
}

function noPayload(request: unknown): Checked<null> {
  return request === null || request === undefined ? valid(null) : invalid('takes no payload');
}

function historyRequest(request: unknown): Checked<HistoryRequest> {
  if (!isRecord(request)) return invalid('expects { key, metric, window }');
  const { key, metric, window } = request;
  if (typeof key !== 'string' || !KEY.test(key)) return invalid('key must be a container history key');
  if (!isOneOf(HISTORY_METRICS, metric))
    return invalid(`metric must be one of ${HISTORY_METRICS.join(', ')}`);
  if (!isHistoryWindow(window))
    return invalid(`window must be one of ${Object.keys(HISTORY_WINDOWS).join(', ')}`);
  return valid({ key, metric, window });
}

function timelineRequest(request: unknown): Checked<TimelineRequest> {
  if (!isRecord(request)) return invalid('expects { from, to }');
  const { from, to } = request;
  if (
    typeof from !== 'number' ||
    !Number.isSafeInteger(from) ||
    typeof to !== 'number' ||
    !Number.isSafeInteger(to)
  )
    return invalid('from and to must be whole ms since epoch');
  return from <= to ? valid({ from, to }) : invalid('from must not be after to');
}

function muteAll(request: Record<string, unknown>): Checked<MuteRequest> {
  if (request['until'] === 'tomorrow') return valid({ scope: 'all', until: 'tomorrow' });
  const forMs = request['forMs'];
  return typeof forMs === 'number' && Number.isInteger(forMs) && forMs > 0 && forMs <= MAX_MUTE_MS
    ? valid({ scope: 'all', forMs })
    : invalid('forMs must be a whole number of ms up to 7 days');
}

function muteRequest(request: unknown): Checked<MuteRequest> {
  if (!isRecord(request)) return invalid('expects a mute request');
  const { scope, key, muted } = request;
  if (scope === 'none') return valid({ scope: 'none' });
  if (scope === 'all') return muteAll(request);
  if (scope !== 'container') return invalid('scope must be all, container or none');
  return typeof key === 'string' && KEY.test(key) && typeof muted === 'boolean'
    ? valid({ scope: 'container', key, muted })
    : invalid('expects { scope: "container", key, muted }');
}

function hostTestRequest(request: unknown): Checked<HostTestRequest> {
  if (!isRecord(request) || Object.keys(request).length !== 1)
    return invalid('expects { name } of a saved host or { url } of a new one');
  const { name, url } = request;
  if (name !== undefined)
    return typeof name === 'string' && HOST_NAME.test(name)
      ? valid({ name })
      : invalid('name must be the name of a saved host');
  const checked = checkRemoteUrl(url);
  return checked.ok ? valid({ url: checked.url }) : invalid(checked.error);
}

const MAX_TEXT = 2048;
const MAX_ITEMS = 50;
const CHANNEL_NAME = /^[A-Za-z0-9._-]{1,64}$/;

const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_TEXT;
const isTextList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length <= MAX_ITEMS && v.every(isText);

function channelName(request: unknown): Checked<{ readonly name: string }> {
  return isRecord(request) && typeof request['name'] === 'string' && CHANNEL_NAME.test(request['name'])
    ? valid({ name: request['name'] })
    : invalid('expects { name } of a channel');
}

function channelSecrets(v: unknown): Checked<ChannelAddRequest['secrets']> {
  if (!isRecord(v)) return invalid('secrets must be an object');
  const unknown = Object.keys(v).find((k) => !isOneOf(CHANNEL_SECRET_FIELDS, k));
  if (unknown !== undefined)
    return invalid(`secrets take ${CHANNEL_SECRET_FIELDS.join(', ')}, not ${unknown}`);
  return Object.values(v).every(isText)
    ? valid(v as ChannelAddRequest['secrets'])
    : invalid('each secret is a text');
}

function channelSmtp(v: unknown): Checked<NonNullable<ChannelAddRequest['smtp']>> {
  if (!isRecord(v)) return invalid('smtp must be an object');
  const { host, port, security, user, from, to } = v;
  const texts = [host, security, user, from].every((t) => t === undefined || isText(t));
  const portOk = port === undefined || (typeof port === 'number' && Number.isInteger(port));
  if (!texts || !portOk || !(to === undefined || isTextList(to)))
    return invalid('smtp takes host, port, security, user, from and to (a list)');
  return valid(v as NonNullable<ChannelAddRequest['smtp']>);
}

/** The shape of a new channel; src/delivery/channel-config.ts judges what it says (kind and severity too). */
function channelAdd(request: unknown): Checked<ChannelAddRequest> {
  if (!isRecord(request)) return invalid('expects a channel');
  const { kind, keyword, minSeverity, stacks, rules } = request;
  const name = channelName(request);
  if (!name.ok) return invalid('name must be letters, digits, ".", "-" and "_", up to 64');
  if (!isText(kind)) return invalid('kind must be a kind of channel');
  if (!isText(minSeverity)) return invalid('minSeverity must be a severity');
  if (!isTextList(stacks)) return invalid('stacks must be a list of stack names');
  if (!Array.isArray(rules) || !rules.every((r) => isOneOf(ALERT_RULES, r)))
    return invalid(`rules must be a list of ${ALERT_RULES.join(', ')}`);
  if (keyword !== undefined && !isText(keyword)) return invalid('keyword must be a text');
  const secrets = channelSecrets(request['secrets']);
  if (!secrets.ok) return secrets;
  const smtp = request['smtp'] === undefined ? null : channelSmtp(request['smtp']);
  if (smtp !== null && !smtp.ok) return smtp;
  return valid({
    name: name.value.name,
    kind: kind as ChannelKind,
    secrets: secrets.value,
    ...(keyword === undefined ? {} : { keyword }),
    ...(smtp === null ? {} : { smtp: smtp.value }),
    minSeverity: minSeverity as ChannelSeverity,
    stacks,
    rules,
  });
}

/**
 * One shape check per invoke channel, and so the list of them: a channel added to InvokeChannels
 * without its check here does not compile. Only the shape is checked; the settings schema judges
 * the values of a settings patch.
 */
const REQUEST_CHECKS: RequestChecks = {
  'monitor:snapshot': noPayload,
  'monitor:history': historyRequest,
  'monitor:processes': (request) =>
    isRecord(request) && typeof request['key'] === 'string' && KEY.test(request['key'])
      ? valid({ key: request['key'] })
      : invalid('expects { key } of a container'),
  'monitor:visible': (request) =>
    isRecord(request) && typeof request['visible'] === 'boolean'
      ? valid({ visible: request['visible'] })
      : invalid('expects { visible: boolean }'),
  'timeline:list': timelineRequest,
  'settings:set': (request) =>
    isRecord(request) ? valid(request as SettingsPatch) : invalid('expects an object of settings to change'),
  'alerts:mute': muteRequest,
  'history:info': noPayload,
  'hosts:list': noPayload,
  'hosts:test': hostTestRequest,
  'channels:list': noPayload,
  'channels:add': channelAdd,
  'channels:test': channelName,
  'channels:remove': channelName,
};

/** Every event channel once; one missing here, or here and not in EventChannels, does not compile. */
const EVENT_CHANNEL_SET = {
  'monitor:round': true,
  'monitor:host': true,
  'monitor:event': true,
  'monitor:alert': true,
  'monitor:timeline': true,
  'monitor:report': true,
  'monitor:verdict': true,
  'settings:changed': true,
  'ui:focus-container': true,
} as const satisfies { readonly [C in EventChannel]: true };

/** The keys of a record whose type says they are exactly `K`, as the two above do. */
function keysOf<K extends string>(record: { readonly [key in K]: unknown }): readonly K[] {
  return Object.keys(record) as K[];
}

export const INVOKE_CHANNELS = keysOf(REQUEST_CHECKS);
export const EVENT_CHANNELS = keysOf(EVENT_CHANNEL_SET);

export function isInvokeChannel(name: string): name is InvokeChannel {
  return Object.hasOwn(REQUEST_CHECKS, name);
}

export function isEventChannel(name: string): name is EventChannel {
  return Object.hasOwn(EVENT_CHANNEL_SET, name);
}

/** Checks an invoke payload from an untrusted side (a renderer, a browser) before main acts on it. */
export function checkRequest<C extends InvokeChannel>(
  channel: C,
  request: unknown,
): Checked<InvokeChannels[C]['request']> {
  if (!isInvokeChannel(channel)) return invalid(`${String(channel)}: is not a channel`);
  const checked = REQUEST_CHECKS[channel](request);
  return checked.ok ? checked : invalid(`${channel}: ${checked.error}`);
}
