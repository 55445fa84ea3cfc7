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
import type { ContainerEvent, HostState, Round, Sample } from './model.ts';
import type { FieldError, Settings, SettingsPatch } from './settings/schema.ts';
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
  | { readonly ok: false; readonly state: 'down' | 'auth-failed' | 'tls-failed'; readonly message: string };

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

/** Request → response channels (ipcRenderer.invoke / ipcMain.handle; POST /api/<channel> on the bridge). */
export interface InvokeChannels {
  'monitor:snapshot': { request: null; response: Snapshot };
  'monitor:history': { request: HistoryRequest; response: HistoryResponse };
  /** The window was shown or hidden: the collectors switch between the fast and the tray rate. */
  'monitor:visible': { request: { readonly visible: boolean }; response: null };
  'settings:set': { request: SettingsPatch; response: SettingsResult };
  'alerts:mute': { request: MuteRequest; response: { readonly mutedUntil: number | null } };
  'hosts:list': { request: null; response: HostList };
  /** One connection attempt with a timeout: the engine's version, OS and memory, or the exact error. */
  'hosts:test': { request: HostTestRequest; response: HostTestResult };
}

/** Main → renderer pushes (webContents.send; SSE events on the bridge). */
export interface EventChannels {
  'monitor:round': Round;
  /** Sent whenever what is wrong changes: a condition rose or cleared, a kill aged out. */
  'monitor:verdict': Verdict;
  'monitor:host': HostState;
  'monitor:event': ContainerEvent;
  'monitor:alert': Alert;
  'settings:changed': Settings;
  /** The tray or a notification asks the window to show one container. */
  'ui:focus-container': { readonly key: string };
}

export type InvokeChannel = keyof InvokeChannels;
export type EventChannel = keyof EventChannels;

export const INVOKE_CHANNELS: readonly InvokeChannel[] = [
  'monitor:snapshot',
  'monitor:history',
  'monitor:visible',
  'settings:set',
  'alerts:mute',
  'hosts:list',
  'hosts:test',
];
export const EVENT_CHANNELS: readonly EventChannel[] = [
  'monitor:round',
  'monitor:host',
  'monitor:event',
  'monitor:alert',
  'monitor:verdict',
  'settings:changed',
  'ui:focus-container',
];

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

const KEY = /^[^\s]{1,300}$/;
const HOST_NAME = new RegExp(HOST_NAME_PATTERN);
const MAX_MUTE_MS = 7 * 24 * 3_600_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks an invoke payload from an untrusted side (a renderer, a browser) before main acts on it.
 * Only the shape is checked here; settings values are judged by the settings schema.
 */
export function checkRequest<C extends InvokeChannel>(
  channel: C,
  request: unknown,
): Checked<InvokeChannels[C]['request']> {
  const ok = (value: unknown): Checked<InvokeChannels[C]['request']> => ({
    ok: true,
    value: value as InvokeChannels[C]['request'],
  });
  const bad = (error: string): Checked<InvokeChannels[C]['request']> => ({
    ok: false,
    error: `${channel}: ${error}`,
  });
  switch (channel as InvokeChannel) {
    case 'monitor:snapshot':
      return request === null || request === undefined ? ok(null) : bad('takes no payload');
    case 'monitor:history': {
      if (!isRecord(request)) return bad('expects { key, metric, window }');
      const { key, metric, window } = request;
      if (typeof key !== 'string' || !KEY.test(key)) return bad('key must be a container history key');
      if (!HISTORY_METRICS.includes(metric as HistoryMetric))
        return bad(`metric must be one of ${HISTORY_METRICS.join(', ')}`);
      if (typeof window !== 'string' || !(window in HISTORY_WINDOWS))
        return bad('window must be 5m, 1h or 24h');
      return ok({ key, metric, window });
    }
    case 'monitor:visible':
      return isRecord(request) && typeof request['visible'] === 'boolean'
        ? ok({ visible: request['visible'] })
        : bad('expects { visible: boolean }');
    case 'settings:set':
      return isRecord(request) ? ok(request) : bad('expects an object of settings to change');
    case 'alerts:mute': {
      if (!isRecord(request)) return bad('expects a mute request');
      if (request['scope'] === 'none') return ok({ scope: 'none' });
      if (request['scope'] === 'all' && request['until'] === 'tomorrow')
        return ok({ scope: 'all', until: 'tomorrow' });
      if (request['scope'] === 'all') {
        const forMs = request['forMs'];
        return typeof forMs === 'number' && Number.isInteger(forMs) && forMs > 0 && forMs <= MAX_MUTE_MS
          ? ok({ scope: 'all', forMs })
          : bad('forMs must be a whole number of ms up to 7 days');
      }
      if (request['scope'] === 'container') {
        const { key, muted } = request;
        return typeof key === 'string' && KEY.test(key) && typeof muted === 'boolean'
          ? ok({ scope: 'container', key, muted })
          : bad('expects { scope: "container", key, muted }');
      }
      return bad('scope must be all, container or none');
    }
    case 'hosts:list':
      return request === null || request === undefined ? ok(null) : bad('takes no payload');
    case 'hosts:test': {
      if (!isRecord(request) || Object.keys(request).length !== 1)
        return bad('expects { name } of a saved host or { url } of a new one');
      const { name, url } = request;
      if (name !== undefined)
        return typeof name === 'string' && HOST_NAME.test(name)
          ? ok({ name })
          : bad('name must be the name of a saved host');
      const checked = checkRemoteUrl(url);
      return checked.ok ? ok({ url: checked.url }) : bad(checked.error);
    }
    default:
      return bad('is not a channel');
  }
}
