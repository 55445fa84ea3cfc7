import { AlertEngine } from '../alerts/engine.ts';
import { loadAlertLog } from '../alerts/log-file.ts';
import { createAlertRecorder } from '../alerts/recorder.ts';
import type { Alert } from '../alerts/types.ts';
import {
  HISTORY_WINDOWS,
  type EventChannel,
  type EventChannels,
  type HistoryRequest,
  type HistoryResponse,
  type InvokeChannel,
  type InvokeChannels,
  type MuteRequest,
  type SettingsResult,
  type Snapshot,
} from '../api.ts';
import type { CollectorListeners, Mode } from '../collect/collector.ts';
import { HistoryStore } from '../history/store.ts';
import { fileReferencesChanged } from '../hosts/saved.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { HostState, Sample } from '../model.ts';
import { applySettingsPatch, type Settings, type SettingsPatch } from '../settings/schema.ts';
import type { SettingsStore } from '../settings/store.ts';
import type { Clock } from '../util/clock.ts';
import type { CurrentState, MonitorService } from './monitor.ts';

/** The part of a Collector the service drives; tests hand in fakes with the same shape. */
export interface MonitorSource {
  on(listeners: CollectorListeners): () => void;
  setMode(mode: Mode): void;
  start(): void;
  stop(): void;
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
}

/** "Snooze until tomorrow" ends at this local hour of the next day, when a working day starts. */
const TOMORROW_HOUR = 8;

type Listener = (payload: never) => void;

export function createMonitorService(options: MonitorServiceOptions): MonitorService {
  const { clock, collectors } = options;
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

  const unsubscribers = collectors.map((collector) =>
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

  function applyMode(): void {
    const mode: Mode = viewers > 0 ? 'fast' : 'tray';
    for (const collector of collectors) collector.setMode(mode);
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
    for (const collector of collectors) states.set(collector.state.host, collector.state);
    for (const [host, state] of hosts) states.set(host, state);
    return [...states.values()];
  }

  function snapshot(): Snapshot {
    const settings = options.settings.get();
    return {
      hosts: hostStates(),
      samples: [...rounds.values()].flat(),
      alerts: [...engine.log.entries],
      settings,
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
    try {
      options.settings.set(next);
    } catch (error) {
      return {
        ok: false,
        errors: [{ path: '/', message: `could not be saved: ${(error as Error).message}` }],
      };
    }
    engine.updateSettings(next.alerts);
    emit('settings:changed', next);
    return { ok: true, settings: next };
  }

  function setSettings(patch: SettingsPatch): SettingsResult {
    const applied = applySettingsPatch(options.settings.get(), patch);
    if (applied.ok && fileReferencesChanged(options.settings.get().hosts, applied.settings.hosts)) {
      return {
        ok: false,
        errors: [{ path: '/hosts', message: 'TLS and SSH key files are set with `dify-monitor hosts add`' }],
      };
    }
    return applied.ok ? save(applied.settings) : applied;
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
      default:
        throw new Error(`unknown channel ${String(channel)}`);
    }
  }

  applyMode();
  for (const collector of collectors) collector.start();

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
      for (const collector of collectors) {
        if (paused) collector.stop();
        else collector.start();
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const unsubscribe of unsubscribers) unsubscribe();
      for (const collector of collectors) collector.stop();
      listeners.clear();
    },
  };
}
