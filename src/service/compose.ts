/**
 * The one way a monitor is built, for the tray, `watch` and `serve` alike: the same settings file
 * (opened by the shell: electron-store on the desktop, a JSON file in the CLI), the same engines
 * (the `--host` URLs, else the local engine and the saved hosts), the same alert log, one alert
 * engine. What differs between the shells is only how they show it.
 */
import {
  createCollectorFor,
  createCollectors,
  type ConnectOptions,
  type SourceChoice,
} from '../collect/connect.ts';
import { t } from '../i18n/index.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { HostSetting } from '../settings/schema.ts';
import type { SettingsStore } from '../settings/store.ts';
import type { Clock } from '../util/clock.ts';
import { createMonitorService } from './create-monitor.ts';
import { openHistory } from './disk-history.ts';
import { withDelivery } from './with-delivery.ts';
import { SqliteJournal } from '../history/journal.ts';
import { ownerOnlyFileStore, type SecretStore } from '../delivery/secret-store.ts';
import type { MonitorService } from './monitor.ts';
import type { MonitorSource } from './sources.ts';

export interface ComposeOptions {
  readonly settings: SettingsStore;
  /** `--host` URLs: just these engines, and saved hosts are neither watched nor followed. */
  readonly hostFlags: readonly string[];
  readonly alertLogPath: string;
  /** The history database (`dataLocations().history`); history stays in memory when absent. */
  readonly historyPath?: string;
  /** How often history is written to it; HISTORY_BATCH_MS by default. */
  readonly historyBatchMs?: number;
  readonly clock: Clock;
  readonly warn: (text: string) => void;
  readonly notifier?: Notifier;
  readonly includeOthers?: boolean;
  readonly source?: SourceChoice;
  readonly requestTimeoutMs?: number;
  /** One interval for both rates (`watch --interval`); else the settings' fast and tray rates. */
  readonly intervalMs?: number;
  /** `watch`: a terminal shows every round, so the collectors start and stay at the fast rate. */
  readonly alwaysViewed?: boolean;
  /** The desktop app stays up with no engine at all and says so in the tray; the CLI exits. */
  readonly allowNoEngine?: boolean;
  /**
   * Alerts to channels too (settings' `channels`, `--webhook`): the data folder that holds their
   * outbox and secrets, and the run's `--webhook` URLs. Without it, alerts go to the log and desktop only.
   */
  readonly delivery?: {
    readonly dir: string;
    readonly webhooks: readonly string[];
    readonly dashboardUrl?: string;
    /** The desktop's keychain-sealed store; the owner-only file in `dir` otherwise. */
    readonly secrets?: SecretStore;
    /** Where `secrets` keeps them, in words for the page. */
    readonly secretsKept?: string;
  };
  /**
   * Sources the shell watches besides, made with the same connection options: the desktop's
   * search for a local engine that is not up yet (main/local-engine.ts).
   */
  readonly moreSources?: (connect: ConnectOptions) => readonly MonitorSource[];
}

export type Composed =
  | { readonly ok: true; readonly service: MonitorService; readonly hosts: readonly string[] }
  | { readonly ok: false; readonly error: string };

const REQUEST_TIMEOUT_MS = 5000;

export async function composeMonitor(options: ComposeOptions): Promise<Composed> {
  const intervals = options.settings.get().intervals;
  const connect: ConnectOptions = {
    intervalMs: options.intervalMs ?? intervals.fastMs,
    trayIntervalMs: options.intervalMs ?? intervals.trayMs,
    includeOthers: options.includeOthers ?? false,
    source: options.source ?? 'auto',
    requestTimeoutMs: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
  };
  const byFlag = options.hostFlags.length > 0;
  const made = await createCollectors(
    options.hostFlags,
    byFlag ? [] : options.settings.get().hosts,
    connect,
    options.warn,
  );
  if (!made.ok && options.allowNoEngine !== true) return made;
  if (!made.ok) options.warn(made.error);
  const collectors = made.ok ? made.collectors : [];
  const history =
    options.historyPath === undefined
      ? null
      : openHistory({
          path: options.historyPath,
          setting: options.settings.get().history,
          now: options.clock.now(),
          warn: options.warn,
        });
  const { delivery, settings, clock, warn } = options;
  const secrets = delivery === undefined ? null : (delivery.secrets ?? ownerOnlyFileStore(delivery.dir));
  const service = createMonitorService({
    collectors: [...collectors, ...(options.moreSources?.(connect) ?? [])],
    clock: options.clock,
    settings: options.settings,
    alertLogPath: options.alertLogPath,
    warn: options.warn,
    ...(options.notifier === undefined ? {} : { notifier: options.notifier }),
    ...(options.alwaysViewed === true ? { alwaysViewed: true } : {}),
    ...(history === null ? {} : { history: history.store }),
    ...(history === null || history.db === null
      ? {}
      : { journal: new SqliteJournal(history.db, options.clock.now()) }),
    ...(history === null || history.disk === null ? {} : { disk: history.disk }),
    ...(options.historyBatchMs === undefined ? {} : { historyBatchMs: options.historyBatchMs }),
    ...(byFlag ? {} : { savedHostCollector: (host: HostSetting) => createCollectorFor(host, connect) }),
    ...(delivery === undefined || secrets === null
      ? {}
      : {
          channels: {
            dir: delivery.dir,
            secrets,
            secretsKept: delivery.secretsKept ?? t('settings:channels.ownerOnlyFile'),
          },
        }),
  });
  const shown =
    delivery === undefined || secrets === null
      ? service
      : withDelivery(service, { ...delivery, secrets, settings, clock, warn });
  return { ok: true, service: shown, hosts: collectors.map((c) => c.state.host) };
}
