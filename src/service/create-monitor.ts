import { AlertEngine } from '../alerts/engine.ts';
import { loadAlertLog } from '../alerts/log-file.ts';
import { createAlertRecorder } from '../notify/recorder.ts';
import type { Alert } from '../alerts/types.ts';
import {
  HISTORY_WINDOWS,
  type EventChannel,
  type EventChannels,
  type HistoryRequest,
  type HistoryResponse,
  type HostList,
  type HostTestRequest,
  type HostTestResult,
  type InvokeChannel,
  type InvokeChannels,
  type MuteRequest,
  type SettingsResult,
  type Snapshot,
} from '../api.ts';
import type { CollectorListeners, Mode } from '../collect/collector.ts';
import { HistoryStore } from '../history/store.ts';
import { hostChanges, hostsFromPage, hostView, settingsForPage } from './page-hosts.ts';
import { fileReferencesChanged } from '../hosts/saved.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { HostState, Sample } from '../model.ts';
import {
  applySettingsPatch,
  type HostSetting,
  type Settings,
  type SettingsPatch,
} from '../settings/schema.ts';
import type { SettingsStore } from '../settings/store.ts';
import type { Clock } from '../util/clock.ts';
import type { CurrentState, MonitorService } from './monitor.ts';

/** The part of a Collector the service drives; tests hand in fakes with the same shape. */
export interface MonitorSource {
  on(listeners: CollectorListeners): () => void;
  setMode(mode: Mode): void;
  start(): void;
  stop(): void;
  /** Stops for good, connections and all: the host was removed from settings. */
  close?(): void;
  readonly state: HostState;
}

export interface MonitorServiceOptions {
  readonly collectors: readonly MonitorSource[];
  readonly clock: Clock;
  readonly settings: SettingsStore;
  /** Where the alert log is kept across runs; in memory only when absent. */
  readonly alertLogPath?: string;
  readonly notifier?: Notifier;
  readonly history?: HistoryStore;
  /** Problems worth telling the user that do not stop the monitor (a corrupt log, a failed save). */
  readonly warn?: (text: string) => void;
  /** Local time as a Date, for "until tomorrow"; the machine's own by default. */
  readonly localDate?: (ts: number) => Date;
  /**
   * Set when the monitor watches the saved hosts (not `--host`): builds the collector for a host
   * the user added or changed while it runs. Without it, host changes apply at the next start.
   */
  readonly savedHostCollector?: (
    host: HostSetting,
  ) => Promise<{ ok: true; collector: MonitorSource } | { ok: false; error: string }>;
  /** How long `hosts:test` waits for an engine; 10 s by default. */
  readonly hostTestTimeoutMs?: number;
}

/** "Snooze until tomorrow" ends at this local hour of the next day, when a working day starts. */
const TOMORROW_HOUR = 8;
const HOST_TEST_TIMEOUT_MS = 10_000;

type Listener = (payload: never) => void;

export function createMonitorService(options: MonitorServiceOptions): MonitorService {
  const { clock } = options;
  const collectors = new Map<MonitorSource, () => void>();
  const warn = options.warn ?? (() => undefined);
  const history = options.history ?? new HistoryStore();
  const localDate = options.localDate ?? ((ts: number) => new Date(ts));
  const listeners = new Map<EventChannel, Set<Listener>>();
  const hosts = new Map<string, HostState>();
  const rounds = new Map<string, readonly Sample[]>();
  let viewers = 0;
  let windowViewer: (() => void) | null = null;
  let paused = false;
  let stopped = false;

  const loaded = options.alertLogPath === undefined ? null : loadAlertLog(options.alertLogPath, clock.now());
  if (loaded?.warning !== undefined) warn(loaded.warning);
  const engine = new AlertEngine({
    clock,
    settings: options.settings.get().alerts,
    ...(loaded === null ? {} : { log: loaded.log }),
  });
  const recorder = createAlertRecorder({
    log: engine.log,
    warn,
    ...(options.alertLogPath === undefined || loaded?.save === false
      ? {}
      : { logPath: options.alertLogPath }),
    ...(options.notifier === undefined ? {} : { notifier: options.notifier }),
  });

  function emit<C extends EventChannel>(channel: C, payload: EventChannels[C]): void {
    for (const listener of listeners.get(channel) ?? []) {
      try {
        (listener as (p: EventChannels[C]) => void)(payload);
      } catch (error) {
        // One broken subscriber (a closed window, a dead socket) must not stop the others.
        warn(`A ${channel} listener failed: ${(error as Error).message}`);
      }
    }
  }

  function raised(alerts: readonly Alert[]): void {
    recorder.record(alerts, { notify: options.settings.get().notifications.enabled });
    for (const alert of alerts) emit('monitor:alert', alert);
  }

  function attach(collector: MonitorSource): void {
    collectors.set(
      collector,
      collector.on({
        round(round) {
          for (const sample of round.samples) history.add(sample);
          rounds.set(round.host, round.samples);
          emit('monitor:round', { host: round.host, ts: round.ts, samples: round.samples });
          raised(engine.onRound(round.host, round.samples));
        },
        host(state) {
          hosts.set(state.host, state);
          emit('monitor:host', state);
          raised(engine.onHost(state));
        },
        event(event) {
          emit('monitor:event', event);
          raised(engine.onEvent(event));
        },
      }),
    );
  }
  for (const collector of options.collectors) attach(collector);

  function applyMode(): void {
    const mode: Mode = viewers > 0 ? 'fast' : 'tray';
    for (const collector of collectors.keys()) collector.setMode(mode);
  }

  function addViewer(): () => void {
    viewers++;
    applyMode();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      viewers--;
      if (!stopped) applyMode();
    };
  }

  function mutedUntil(settings: Settings): number | null {
    const until = settings.alerts.muteUntil;
    return until !== null && until > clock.now() ? until : null;
  }

  function hostStates(): HostState[] {
    const states = new Map<string, HostState>();
    for (const collector of collectors.keys()) states.set(collector.state.host, collector.state);
    for (const [host, state] of hosts) states.set(host, state);
    return [...states.values()];
  }

  function snapshot(): Snapshot {
    const settings = options.settings.get();
    return {
      hosts: hostStates(),
      samples: [...rounds.values()].flat(),
      alerts: [...engine.log.entries],
      settings: settingsForPage(settings),
      mutedUntil: mutedUntil(settings),
    };
  }

  function current(): CurrentState {
    return {
      samples: [...rounds.values()].flat(),
      hosts: hostStates(),
      active: engine.active(),
      oomKills: engine.oomKills(),
    };
  }

  function historyOf(request: HistoryRequest): HistoryResponse {
    const now = clock.now();
    return history.range(request.key, request.metric, now - HISTORY_WINDOWS[request.window], now);
  }

  function save(next: Settings): SettingsResult {
    const before = options.settings.get().hosts;
    try {
      options.settings.set(next);
    } catch (error) {
      return {
        ok: false,
        errors: [{ path: '/', message: `could not be saved: ${(error as Error).message}` }],
      };
    }
    engine.updateSettings(next.alerts);
    followHosts(before, next.hosts);
    const shown = settingsForPage(next);
    emit('settings:changed', shown);
    return { ok: true, settings: shown };
  }

  function setSettings(patch: SettingsPatch): SettingsResult {
    let checked: unknown = patch;
    if (patch.hosts !== undefined) {
      const hosts = hostsFromPage(options.settings.get().hosts, patch.hosts);
      if (!hosts.ok) return hosts;
      checked = { ...patch, hosts: hosts.hosts };
    }
    const applied = applySettingsPatch(options.settings.get(), checked);
    if (applied.ok && fileReferencesChanged(options.settings.get().hosts, applied.settings.hosts)) {
      return {
        ok: false,
        errors: [{ path: '/hosts', message: 'TLS and SSH key files are set with `dify-monitor hosts add`' }],
      };
    }
    return applied.ok ? save(applied.settings) : applied;
  }

  /** The collector of each saved host this service watches, by host name. */
  const savedCollectors = new Map<string, MonitorSource>();
  for (const host of options.settings.get().hosts) {
    const watched = [...collectors.keys()].find((c) => c.state.host === host.name);
    if (watched !== undefined) savedCollectors.set(host.name, watched);
  }
  let following: Promise<void> = Promise.resolve();

  function detach(name: string): void {
    const collector = savedCollectors.get(name);
    savedCollectors.delete(name);
    if (collector !== undefined) {
      collectors.get(collector)?.();
      collectors.delete(collector);
      if (collector.close === undefined) collector.stop();
      else collector.close();
    }
    hosts.delete(name);
    rounds.delete(name);
    engine.forgetHost(name);
  }

  async function watchHost(host: HostSetting): Promise<void> {
    const made = await options.savedHostCollector?.(host);
    if (made === undefined) return;
    if (!made.ok) {
      warn(made.error);
      return;
    }
    const current = options.settings.get().hosts.find((h) => h.name === host.name);
    if (stopped || savedCollectors.has(host.name) || current?.url !== host.url) {
      if (made.collector.close === undefined) made.collector.stop();
      else made.collector.close();
      return;
    }
    savedCollectors.set(host.name, made.collector);
    attach(made.collector);
    made.collector.setMode(viewers > 0 ? 'fast' : 'tray');
    hosts.set(host.name, made.collector.state);
    emit('monitor:host', made.collector.state);
    if (!paused) made.collector.start();
  }

  /** Saved hosts added, changed or removed at runtime are watched, restarted or dropped at once. */
  function followHosts(before: readonly HostSetting[], after: readonly HostSetting[]): void {
    if (options.savedHostCollector === undefined) return;
    const { stop, start } = hostChanges(before, after);
    for (const name of stop) detach(name);
    // One change at a time, in order: a quick rename back and forth must end as the settings say.
    following = following
      .then(async () => {
        for (const host of start) await watchHost(host);
      })
      .catch((error: unknown) => warn(`Could not watch the changed hosts: ${(error as Error).message}`));
  }

  function hostList(): HostList {
    return {
      hosts: options.settings.get().hosts.map(hostView),
      live: options.savedHostCollector !== undefined,
    };
  }

  async function testHost(request: HostTestRequest): Promise<HostTestResult> {
    let target: string | HostSetting;
    if ('name' in request) {
      const saved = options.settings.get().hosts.find((h) => h.name === request.name);
      if (saved === undefined)
        return { ok: false, state: 'down', message: `No saved host is named "${request.name}".` };
      target = saved;
    } else {
      target = request.url;
    }
    // Loaded on use: one engine dial is not every monitor's to pay for at start.
    const { testHost: connectOnce } = await import('../collect/connect.ts');
    const timeoutMs = options.hostTestTimeoutMs ?? HOST_TEST_TIMEOUT_MS;
    let timer: unknown;
    // The SSH handshake keeps its own, longer timeout; the page gets an answer in time regardless.
    const late = new Promise<{ ok: false; state: 'down'; error: string }>((resolve) => {
      timer = clock.setTimeout(
        () =>
          resolve({ ok: false, state: 'down', error: `Timed out: no answer within ${timeoutMs / 1000} s.` }),
        timeoutMs,
      );
    });
    const result = await Promise.race([connectOnce(target, timeoutMs), late]);
    clock.clearTimeout(timer);
    if (!result.ok) {
      const state = result.state === 'auth-failed' || result.state === 'tls-failed' ? result.state : 'down';
      return { ok: false, state, message: result.error };
    }
    const { engine } = result;
    return {
      ok: true,
      product: engine.product ?? 'Docker',
      version: engine.version,
      apiVersion: engine.apiVersion,
      os: engine.operatingSystem === '' ? engine.os : `${engine.operatingSystem} (${engine.os})`,
      memTotalBytes: engine.memTotalBytes,
      cpus: engine.cpus,
      summary: result.summary,
      ...(result.warning === undefined ? {} : { warning: result.warning }),
    };
  }

  function tomorrowMorning(now: number): number {
    const d = localDate(now);
    d.setDate(d.getDate() + 1);
    d.setHours(TOMORROW_HOUR, 0, 0, 0);
    return d.getTime();
  }

  function mute(request: MuteRequest): { readonly mutedUntil: number | null } {
    const current = options.settings.get();
    const alerts = current.alerts;
    let muteUntil = alerts.muteUntil;
    let mutedKeys = alerts.mutedKeys;
    switch (request.scope) {
      case 'all':
        muteUntil = 'forMs' in request ? clock.now() + request.forMs : tomorrowMorning(clock.now());
        break;
      case 'container':
        mutedKeys = request.muted
          ? [...new Set([...mutedKeys, request.key])]
          : mutedKeys.filter((key) => key !== request.key);
        break;
      case 'none':
        muteUntil = null;
        mutedKeys = [];
        break;
    }
    const result = setSettings({ alerts: { muteUntil, mutedKeys } });
    return { mutedUntil: mutedUntil(result.ok ? result.settings : current) };
  }

  function setVisible(visible: boolean): null {
    if (visible && windowViewer === null) windowViewer = addViewer();
    if (!visible && windowViewer !== null) {
      windowViewer();
      windowViewer = null;
    }
    return null;
  }

  async function handle<C extends InvokeChannel>(
    channel: C,
    request: InvokeChannels[C]['request'],
  ): Promise<InvokeChannels[C]['response']> {
    type Response = InvokeChannels[C]['response'];
    switch (channel as InvokeChannel) {
      case 'monitor:snapshot':
        return snapshot() as Response;
      case 'monitor:history':
        return historyOf(request as HistoryRequest) as Response;
      case 'monitor:visible':
        return setVisible((request as { visible: boolean }).visible) as Response;
      case 'settings:set':
        return setSettings(request as SettingsPatch) as Response;
      case 'alerts:mute':
        return mute(request as MuteRequest) as Response;
      case 'hosts:list':
        return hostList() as Response;
      case 'hosts:test':
        return (await testHost(request as HostTestRequest)) as Response;
      default:
        throw new Error(`unknown channel ${String(channel)}`);
    }
  }

  applyMode();
  for (const collector of collectors.keys()) collector.start();

  return {
    handle,
    current,
    on(channel, listener) {
      let set = listeners.get(channel);
      if (set === undefined) {
        set = new Set();
        listeners.set(channel, set);
      }
      const entry = listener as Listener;
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
    addViewer,
    setPaused(next) {
      if (next === paused || stopped) return;
      paused = next;
      for (const collector of collectors.keys()) {
        if (paused) collector.stop();
        else collector.start();
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const [collector, unsubscribe] of collectors) {
        unsubscribe();
        collector.stop();
      }
      listeners.clear();
    },
  };
}
