import { AlertEngine } from '../alerts/engine.ts';
import { loadAlertLog } from '../alerts/log-file.ts';
import { createAlertRecorder, type AlertRecorder } from '../notify/recorder.ts';
import type { Alert } from '../alerts/types.ts';
import { verdictOf, type Verdict } from '../alerts/verdict.ts';
import {
  HISTORY_WINDOWS,
  type EventChannels,
  type InvokeChannel,
  type InvokeChannels,
  type InvokeHandlers,
  type Snapshot,
} from '../api.ts';
import type { Round } from '../model.ts';
import type { DiskHistory } from '../history/disk.ts';
import { HistoryStore } from '../history/store.ts';
import { HISTORY_BATCH_MS, limitsOf } from './disk-history.ts';
import { hostsFromPage, hostView, settingsForPage } from './page-hosts.ts';
import { fileReferencesChanged } from '../hosts/saved.ts';
import type { HostState, ProcessTable, Sample } from '../model.ts';
import type { Notifier } from '../notify/notifier.ts';
import {
  applySettingsPatch,
  DEFAULT_CHANNELS,
  type Settings,
  type SettingsPatch,
} from '../settings/schema.ts';
import type { SettingsStore } from '../settings/store.ts';
import type { Clock } from '../util/clock.ts';
import { Emitter } from '../util/emitter.ts';
import { channelHandlers, noChannelHandlers, type ChannelsOptions } from './channels.ts';
import { HOST_TEST_TIMEOUT_MS, testHostRequest } from './host-test.ts';
import type { CurrentState, MonitorService } from './monitor.ts';
import { activeMuteUntil, mutedAfter } from './mute.ts';
import { closeSource, SavedHosts, type MakeCollector } from './saved-hosts.ts';
import type { MonitorSource } from './sources.ts';
import { Viewers } from './viewers.ts';
import { MonitorTimeline } from './timeline.ts';
import { MemoryJournal, type TimelineJournal } from '../history/journal.ts';

export interface MonitorServiceOptions {
  readonly collectors: readonly MonitorSource[];
  readonly clock: Clock;
  readonly settings: SettingsStore;
  /** Where the alert log is kept across runs; in memory only when absent. */
  readonly alertLogPath?: string;
  readonly notifier?: Notifier;
  readonly history?: HistoryStore;
  /** Where the timeline is kept across runs (the app database); in memory only when absent. */
  readonly journal?: TimelineJournal;
  /** Keeps `history` on disk: fed each stored sample, written every `historyBatchMs` (HISTORY_BATCH_MS). */
  readonly disk?: DiskHistory;
  readonly historyBatchMs?: number;
  /** Problems worth telling the user that do not stop the monitor (a corrupt log, a failed save). */
  readonly warn?: (text: string) => void;
  /** Local time as a Date, for "until tomorrow"; the machine's own by default. */
  readonly localDate?: (ts: number) => Date;
  /**
   * Set when the monitor watches the saved hosts (not `--host`): builds the collector for a host
   * the user added or changed while it runs. Without it, host changes apply at the next start.
   */
  readonly savedHostCollector?: MakeCollector;
  /** How long `hosts:test` waits for an engine; 10 s by default. */
  readonly hostTestTimeoutMs?: number;
  /** Someone looks for as long as the monitor runs (`watch` in a terminal): the fast rate from the first round. */
  readonly alwaysViewed?: boolean;
  /** Where the channels' outbox and secrets are, for the `channels:*` answers; without it a page adds none. */
  readonly channels?: Pick<ChannelsOptions, 'dir' | 'secrets' | 'secretsKept'>;
}

/**
 * The running monitor every shell holds: the collectors of every watched engine, the history, the
 * alert engine with its log and notifier, and the settings. It answers the channels of src/api.ts
 * and pushes what changes; the verdict it pushes is the one answer to "what is wrong now".
 */
class Monitor implements MonitorService {
  readonly #o: MonitorServiceOptions;
  readonly #warn: (text: string) => void;
  readonly #events: Emitter<EventChannels>;
  readonly #sources = new Map<MonitorSource, () => void>();
  readonly #hosts = new Map<string, HostState>();
  readonly #rounds = new Map<string, Round>();
  readonly #history: HistoryStore;
  #batchTimer: unknown = null;
  /** Why history is not written to disk now: shown as every host's warning, as a plain tcp:// one is. */
  #historyProblem: string | null = null;
  readonly #engine: AlertEngine;
  readonly #recorder: AlertRecorder;
  readonly #viewers: Viewers;
  readonly #saved: SavedHosts | null;
  readonly #stopExternal: () => void;
  readonly #handlers: InvokeHandlers;
  readonly #timeline: MonitorTimeline;
  /** The settings last put into effect: what an outside change of the file is compared with. */
  #known: Settings;
  #verdict: Verdict = { findings: [] };
  #verdictText = JSON.stringify(this.#verdict);
  #paused = false;
  #stopped = false;

  constructor(options: MonitorServiceOptions) {
    this.#o = options;
    this.#warn = options.warn ?? (() => undefined);
    this.#events = new Emitter((channel, error) =>
      this.#warn(`A ${String(channel)} listener failed: ${(error as Error).message}`),
    );
    this.#history = options.history ?? new HistoryStore();
    this.#known = options.settings.get();
    const loaded =
      options.alertLogPath === undefined ? null : loadAlertLog(options.alertLogPath, options.clock.now());
    if (loaded?.warning !== undefined) this.#warn(loaded.warning);
    this.#engine = new AlertEngine({
      clock: options.clock,
      settings: options.settings.get().alerts,
      ...(loaded === null ? {} : { log: loaded.log }),
    });
    this.#recorder = createAlertRecorder({
      log: this.#engine.log,
      warn: this.#warn,
      ...(options.alertLogPath === undefined || loaded?.save === false
        ? {}
        : { logPath: options.alertLogPath }),
      ...(options.notifier === undefined ? {} : { notifier: options.notifier }),
    });
    this.#timeline = new MonitorTimeline({
      journal: options.journal ?? new MemoryJournal(),
      clock: options.clock,
      ...(options.notifier === undefined ? {} : { notifier: options.notifier }),
      notify: () => options.settings.get().notifications,
      localDate: options.localDate ?? ((ts) => new Date(ts)),
      emitEntry: (entry) => this.#events.emit('monitor:timeline', entry),
      onReport: (report) => this.#events.emit('monitor:report', report),
      warn: this.#warn,
    });
    this.#viewers = new Viewers((mode) => {
      if (!this.#stopped) for (const source of this.#sources.keys()) source.setMode(mode);
    });
    for (const source of options.collectors) this.#attach(source);
    this.#saved =
      options.savedHostCollector === undefined
        ? null
        : new SavedHosts(
            {
              make: options.savedHostCollector,
              current: () => options.settings.get().hosts,
              attach: (source) => this.#attachLate(source),
              detach: (source, name) => this.#detach(source, name),
              warn: this.#warn,
            },
            options.collectors,
          );
    this.#stopExternal =
      options.settings.onExternalChange?.((next) => this.#applied(this.#known, next)) ?? (() => undefined);
    this.#handlers = {
      'monitor:snapshot': () => this.#snapshot(),
      'monitor:history': (r) => {
        const now = options.clock.now();
        return this.#history.range(r.key, r.metric, now - HISTORY_WINDOWS[r.window], now);
      },
      'monitor:processes': (r) => this.#processes(r.key),
      'timeline:list': (r) => ({ entries: this.#timeline.list(r.from, r.to) }),
      'monitor:visible': (r) => {
        this.#viewers.setWindowVisible(r.visible);
        return null;
      },
      'settings:set': (patch) => this.#setSettings(patch),
      'alerts:mute': (r) => {
        const current = options.settings.get();
        const result = this.#setSettings({
          alerts: mutedAfter(
            r,
            current.alerts,
            options.clock.now(),
            options.localDate ?? ((ts) => new Date(ts)),
          ),
        });
        return {
          mutedUntil: activeMuteUntil(
            (result.ok ? result : { settings: current }).settings.alerts,
            options.clock.now(),
          ),
        };
      },
      'history:info': () => options.disk?.info() ?? null,
      'hosts:list': () => ({ hosts: options.settings.get().hosts.map(hostView), live: this.#saved !== null }),
      'hosts:test': (r) =>
        testHostRequest(
          r,
          options.settings.get().hosts,
          options.clock,
          options.hostTestTimeoutMs ?? HOST_TEST_TIMEOUT_MS,
        ),
      ...(options.channels === undefined
        ? noChannelHandlers(options.settings)
        : channelHandlers({
            ...options.channels,
            settings: options.settings,
            clock: options.clock,
            saveList: (list) => {
              const channels = { ...(options.settings.get().channels ?? DEFAULT_CHANNELS), list };
              const saved = this.#setSettings({ channels }, true);
              return saved.ok ? null : saved.errors.map((e) => `${e.path} ${e.message}`).join('; ');
            },
          })),
    };
    if (options.alwaysViewed === true) this.#viewers.add();
    for (const source of this.#sources.keys()) source.setMode(this.#viewers.mode);
    for (const source of this.#sources.keys()) source.start();
    this.#scheduleBatch();
  }

  handle<C extends InvokeChannel>(
    channel: C,
    request: InvokeChannels[C]['request'],
  ): Promise<InvokeChannels[C]['response']> {
    const handler = this.#handlers[channel] as (
      r: InvokeChannels[C]['request'],
    ) => InvokeChannels[C]['response'];
    return Promise.resolve().then(() => handler(request));
  }

  on<C extends keyof EventChannels>(channel: C, listener: (payload: EventChannels[C]) => void): () => void {
    return this.#events.on(channel, listener);
  }

  current(): CurrentState {
    return {
      samples: this.#samples(),
      rounds: [...this.#rounds.values()],
      hosts: this.#hostStates(),
      active: this.#engine.active(),
      oomKills: this.#engine.oomKills(),
      verdict: this.#verdict,
    };
  }

  addViewer(): () => void {
    return this.#viewers.add();
  }

  setPaused(paused: boolean): void {
    if (paused === this.#paused || this.#stopped) return;
    this.#paused = paused;
    this.#timeline.setPaused(paused);
    for (const source of this.#sources.keys()) {
      if (paused) source.stop();
      else source.start();
    }
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopExternal();
    this.#timeline.stop();
    if (this.#batchTimer !== null) this.#o.clock.clearTimeout(this.#batchTimer);
    this.#o.disk?.close(this.#o.clock.now());
    // For good: pooled engine connections (SSH sessions too) are dropped, not left to idle out.
    for (const [source, unsubscribe] of this.#sources) {
      unsubscribe();
      closeSource(source);
    }
    this.#events.clear();
  }

  #attach(source: MonitorSource): void {
    source.setLogPatterns?.(this.#o.settings.get().logPatterns ?? []);
    this.#sources.set(
      source,
      source.on({
        round: (round) => {
          for (const sample of round.samples) if (this.#history.add(sample)) this.#o.disk?.note(sample);
          this.#rounds.set(round.host, round);
          this.#events.emit('monitor:round', round);
          this.#timeline.onRound(round);
          this.#raised(this.#engine.onRound(round.host, round.samples, round.hostOomKills));
        },
        host: (state) => {
          this.#hosts.set(state.host, state);
          this.#events.emit('monitor:host', this.#withHistoryProblem(state));
          this.#timeline.onHost(state);
          this.#raised(this.#engine.onHost(state));
        },
        event: (event) => {
          this.#events.emit('monitor:event', event);
          this.#timeline.onEvent(event);
          this.#raised(this.#engine.onEvent(event));
        },
        processes: (tables) => this.#engine.onProcesses(tables),
        log: (match) => this.#raised(this.#engine.onLogMatch(match)),
      }),
    );
  }

  /** A saved host's collector made while the monitor runs; false when it stopped meanwhile. */
  #attachLate(source: MonitorSource): boolean {
    if (this.#stopped) return false;
    const name = source.state.host;
    // Samples, history keys and alerts are keyed by host name: a second engine of one name would hide the first.
    if ([...this.#sources.keys()].some((other) => other.state.host === name)) {
      this.#warn(
        `The saved host "${name}" is not watched: an engine found by itself already goes by that name. Rename the saved host.`,
      );
      return false;
    }
    this.#attach(source);
    source.setMode(this.#viewers.mode);
    this.#hosts.set(source.state.host, source.state);
    this.#events.emit('monitor:host', this.#withHistoryProblem(source.state));
    if (!this.#paused) source.start();
    return true;
  }

  #detach(source: MonitorSource | undefined, name: string): void {
    if (source !== undefined) {
      this.#sources.get(source)?.();
      this.#sources.delete(source);
      closeSource(source);
    }
    this.#hosts.delete(name);
    this.#rounds.delete(name);
    this.#engine.forgetHost(name);
    this.#judge();
  }

  /** Alerts go to the log, the notifier and the page; then the verdict is judged afresh. */
  #raised(alerts: readonly Alert[]): void {
    this.#recorder.record(alerts, { notify: this.#o.settings.get().notifications.enabled });
    for (const alert of alerts) this.#events.emit('monitor:alert', alert);
    this.#timeline.onAlerts(alerts);
    this.#judge();
  }

  /** Pushed only when it reads differently, so a quiet stack costs one comparison a round. */
  #judge(): void {
    const next = verdictOf(this.#engine.active(), this.#engine.log.entries, this.#o.clock.now());
    const text = JSON.stringify(next);
    if (text === this.#verdictText) return;
    this.#verdict = next;
    this.#verdictText = text;
    this.#events.emit('monitor:verdict', next);
  }

  /** The processes of the container a page shows, from the collector of its host. */
  async #processes(key: string): Promise<ProcessTable | null> {
    const sample = this.#samples().find((s) => s.key === key);
    if (sample === undefined) return null;
    const source = [...this.#sources.keys()].find((s) => s.state.host === sample.host);
    return (await source?.processes?.(sample.id)) ?? null;
  }

  #samples(): Sample[] {
    return [...this.#rounds.values()].flatMap((r) => r.samples);
  }

  #hostStates(): HostState[] {
    const states = new Map<string, HostState>();
    for (const source of this.#sources.keys()) states.set(source.state.host, source.state);
    for (const [host, state] of this.#hosts) states.set(host, state);
    return [...states.values()].map((state) => this.#withHistoryProblem(state));
  }

  #withHistoryProblem(state: HostState): HostState {
    const problem = this.#historyProblem;
    if (problem === null) return state;
    return { ...state, warning: state.warning === undefined ? problem : `${state.warning} ${problem}` };
  }

  /** Off the collectors' path: their rounds only note samples, this writes them in one transaction. */
  #scheduleBatch(): void {
    const disk = this.#o.disk;
    if (disk === undefined || this.#stopped) return;
    this.#batchTimer = this.#o.clock.setTimeout(() => {
      disk.flush(this.#o.clock.now());
      if (disk.problem !== this.#historyProblem) this.#historyProblemChanged(disk.problem);
      this.#scheduleBatch();
    }, this.#o.historyBatchMs ?? HISTORY_BATCH_MS);
  }

  /** Said once on the warning path and pushed with each host, so the page's banner and `watch` show it. */
  #historyProblemChanged(problem: string | null): void {
    this.#historyProblem = problem;
    if (problem !== null) this.#warn(problem);
    for (const state of this.#hostStates()) this.#events.emit('monitor:host', state);
  }

  #snapshot(): Snapshot {
    const settings = this.#o.settings.get();
    return {
      hosts: this.#hostStates(),
      samples: this.#samples(),
      alerts: [...this.#engine.log.entries],
      settings: settingsForPage(settings),
      mutedUntil: activeMuteUntil(settings.alerts, this.#o.clock.now()),
      verdict: this.#verdict,
    };
  }

  /** `channelsToo`: the list of channels changes only with `channels:*`, which keep their secrets beside it. */
  #setSettings(patch: SettingsPatch, channelsToo = false) {
    const settings = this.#o.settings;
    if (!channelsToo && channelListChanged(settings.get(), patch)) {
      return {
        ok: false as const,
        errors: [
          {
            path: '/channels/list',
            message: 'channels are added and removed in Channels, with their secrets',
          },
        ],
      };
    }
    let checked: unknown = patch;
    if (patch.hosts !== undefined) {
      const hosts = hostsFromPage(settings.get().hosts, patch.hosts);
      if (!hosts.ok) return hosts;
      checked = { ...patch, hosts: hosts.hosts };
    }
    const applied = applySettingsPatch(settings.get(), checked);
    if (!applied.ok) return applied;
    if (fileReferencesChanged(settings.get().hosts, applied.settings.hosts)) {
      return {
        ok: false as const,
        errors: [{ path: '/hosts', message: 'TLS and SSH key files are set with `dify-monitor hosts add`' }],
      };
    }
    const before = settings.get();
    try {
      settings.set(applied.settings);
    } catch (error) {
      return {
        ok: false as const,
        errors: [{ path: '/', message: `could not be saved: ${(error as Error).message}` }],
      };
    }
    return { ok: true as const, settings: this.#applied(before, applied.settings) };
  }

  /** Settings that changed, here or in the file by another process, take effect at once. */
  #applied(before: Settings, next: Settings): Settings {
    this.#known = next;
    this.#engine.updateSettings(next.alerts);
    const limits = limitsOf(next.history);
    this.#o.disk?.setLimits(limits.days, limits.maxBytes);
    for (const source of this.#sources.keys()) source.setLogPatterns?.(next.logPatterns ?? []);
    this.#saved?.follow(before.hosts, next.hosts);
    const shown = settingsForPage(next);
    this.#events.emit('settings:changed', shown);
    this.#judge();
    return shown;
  }
}

/** A page could otherwise point a saved e-mail channel at its own SMTP server and be sent the password. */
function channelListChanged(current: Settings, patch: SettingsPatch): boolean {
  const list = (patch as { channels?: { list?: unknown } }).channels?.list;
  return list !== undefined && JSON.stringify(list) !== JSON.stringify(current.channels?.list ?? []);
}

export function createMonitorService(options: MonitorServiceOptions): MonitorService {
  return new Monitor(options);
}
