/**
 * Alerts to chat, phones and mail: the monitor's alerts and verdict in, one message per incident
 * per channel out, through an outbox on disk. Nothing is opened, locked or written until a
 * channel exists (in the settings, or a `--webhook`), so a monitor without channels is unchanged.
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { isMuted, localMinuteOfDay } from '../alerts/mute.ts';
import type { AwayReport } from '../alerts/away-report.ts';
import type { Alert } from '../alerts/types.ts';
import type { Verdict } from '../alerts/verdict.ts';
import {
  DEFAULT_CHANNELS,
  type ChannelSetting,
  type ChannelsSetting,
  type Settings,
} from '../settings/schema.ts';
import { t } from '../i18n/index.ts';
import type { Clock } from '../util/clock.ts';
import { deliverTo, secretsFor } from './channels/index.ts';
import type { DeliveryContext } from './channels/module.ts';
import { Courier } from './courier.ts';
import { IncidentBook, type Incident } from './incidents.ts';
import { takeLock } from './lock.ts';
import { reportDraft, type OutgoingMessage } from './message.ts';
import { Outbox, outboxPathIn, readOutbox } from './outbox.ts';
import type { Attempt } from './outcome.ts';
import { ownerOnlyFileStore, type SecretStore } from './secret-store.ts';
import { maskedTarget, type StoredSecrets } from './secrets.ts';

/** What delivery reads of a running monitor; the service's MonitorService is one. */
export interface AlertFeed {
  on(channel: 'monitor:alert', listener: (alert: Alert) => void): () => void;
  on(channel: 'monitor:verdict', listener: (verdict: Verdict) => void): () => void;
  on(channel: 'settings:changed', listener: (settings: Settings) => void): () => void;
  on(channel: 'monitor:report', listener: (report: AwayReport) => void): () => void;
  current(): { readonly verdict: Verdict };
}

export interface DeliveryOptions {
  /** The data folder: the outbox, its lock and the channel secrets are here. */
  readonly dir: string;
  readonly settings: { get(): Settings };
  readonly clock: Clock;
  readonly warn: (text: string) => void;
  /** `--webhook` URLs: generic webhook channels for this run, besides the saved ones. */
  readonly webhooks?: readonly string[];
  /** Where the saved channels' secrets are: the owner-only file in `dir` unless the shell keeps them elsewhere. */
  readonly secrets?: SecretStore;
  /** The dashboard's address as others reach it; the settings' `channels.dashboardUrl` otherwise. */
  readonly dashboardUrl?: string;
  readonly minuteOfDay?: (ts: number) => number;
  readonly limits?: Partial<Pick<DeliveryContext, 'timeoutMs' | 'maxAnswerBytes' | 'ca'>> & {
    readonly maxMessages?: number;
  };
}

export interface AlertDelivery {
  follow(feed: AlertFeed): void;
  /** Stops trying; a message in flight may finish for a moment, so its answer is recorded. */
  stop(): Promise<void>;
}

export const REQUEST_TIMEOUT_MS = 15_000;
export const MAX_ANSWER_BYTES = 64 * 1024;
/** After a restart, incidents of the last run stay open this long: the trend needs minutes of data to hold again. */
const RESTART_HOLD_MS = 5 * 60_000;
const STOP_GRACE_MS = 2000;

/** A `--webhook` URL as a channel: named after the URL, so the same flag after a restart finds its queued messages. */
export function flagChannel(url: string): ChannelSetting {
  const name = `webhook-${createHash('sha256').update(url).digest('hex').slice(0, 8)}`;
  return {
    name,
    kind: 'webhook',
    enabled: true,
    target: maskedTarget(url),
    minSeverity: 'warning',
    stacks: [],
    rules: [],
  };
}

interface Running {
  readonly outbox: Outbox;
  readonly book: IncidentBook;
  readonly courier: Courier;
  readonly release: () => void;
}

class Delivery implements AlertDelivery {
  readonly #o: DeliveryOptions;
  readonly #flags: readonly { channel: ChannelSetting; url: string }[];
  readonly #unsubscribe: (() => void)[] = [];
  #running: Running | null = null;
  #refused = false;
  #verdict: Verdict = { findings: [] };
  #timer: unknown = null;
  #stopped = false;
  /** The incidents as last written, so that a step that changed nothing writes nothing. */
  #savedIncidents = '';

  constructor(options: DeliveryOptions) {
    this.#o = options;
    this.#flags = (options.webhooks ?? []).map((url) => ({ channel: flagChannel(url), url }));
  }

  follow(feed: AlertFeed): void {
    this.#verdict = feed.current().verdict;
    this.#unsubscribe.push(
      feed.on('monitor:alert', (alert) => this.#alert(alert)),
      feed.on('monitor:verdict', (verdict) => {
        this.#verdict = verdict;
        this.#step();
      }),
      feed.on('settings:changed', () => this.#step()),
      feed.on('monitor:report', (report) => this.#report(report)),
    );
    // Messages an earlier run left in the outbox go out now, not at the next alert.
    if (this.#channels().length > 0) this.#step();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const off of this.#unsubscribe) off();
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    const running = this.#running;
    if (running === null) return;
    await running.courier.stop(STOP_GRACE_MS);
    running.outbox.save();
    running.release();
  }

  #setting(): ChannelsSetting {
    return this.#o.settings.get().channels ?? DEFAULT_CHANNELS;
  }

  /** Every channel that may be sent to now: the saved ones switched on, and the `--webhook` ones. */
  #channels(): ChannelSetting[] {
    return [...this.#setting().list.filter((c) => c.enabled), ...this.#flags.map((f) => f.channel)];
  }

  #alert(alert: Alert): void {
    const channels = this.#channels();
    if (channels.length === 0) return;
    const running = this.#open();
    if (running === null) return;
    running.book.add(alert, channels, this.#o.clock.now());
    // The monitor pushes a round's alerts, then the verdict they make: judge after that verdict.
    queueMicrotask(() => this.#step());
  }

  /** A morning report goes to every channel switched on, as one message through the outbox. */
  #report(report: AwayReport): void {
    const channels = this.#channels();
    if (channels.length === 0) return;
    const running = this.#open();
    if (running === null) return;
    const now = this.#o.clock.now();
    const drafts = channels.map((c) => reportDraft(c.name, report, now));
    running.outbox.enqueue(drafts, now, this.#o.dashboardUrl ?? this.#setting().dashboardUrl);
    running.outbox.save();
    running.courier.kick();
  }

  /** The outbox and its lock, taken at the first need; null when another process delivers for this folder. */
  #open(): Running | null {
    if (this.#running !== null || this.#refused || this.#stopped) return this.#running;
    const lock = takeLock(join(this.#o.dir, 'outbox.lock'));
    if (!lock.ok) {
      this.#refused = true;
      this.#o.warn(t('delivery:warn.otherProcess', { pid: lock.holder }));
      return null;
    }
    const now = this.#o.clock.now();
    const path = outboxPathIn(this.#o.dir);
    const read = readOutbox(path, now);
    if (read.notice !== undefined) this.#o.warn(read.notice);
    const outbox = new Outbox(
      {
        path,
        warn: this.#o.warn,
        ...(this.#o.limits?.maxMessages === undefined ? {} : { maxMessages: this.#o.limits.maxMessages }),
      },
      read.state,
    );
    const book = new IncidentBook(randomUUID, read.state.incidents, now, RESTART_HOLD_MS);
    const courier = new Courier({
      outbox,
      clock: this.#o.clock,
      warn: this.#o.warn,
      attempt: (message) => this.#attempt(message),
    });
    this.#running = { outbox, book, courier, release: lock.release };
    return this.#running;
  }

  /** Incidents due now become messages, written to the outbox, then handed to the courier. */
  #step(): void {
    if (this.#stopped || (this.#running === null && this.#channels().length === 0)) return;
    const running = this.#open();
    if (running === null) return;
    const { outbox, book, courier } = running;
    const now = this.#o.clock.now();
    const channels = this.#channels();
    this.#dropGone(outbox, channels);
    const setting = this.#setting();
    const quiet = (i: Incident): boolean => this.#quiet(i, now);
    const drafts = book.step(now, this.#verdict, channels, setting, quiet);
    const incidents = book.list();
    const text = JSON.stringify(incidents);
    if (drafts.length > 0 || text !== this.#savedIncidents) {
      outbox.enqueue(drafts, now, this.#o.dashboardUrl ?? setting.dashboardUrl);
      outbox.incidents = incidents;
      if (outbox.save()) this.#savedIncidents = text;
    }
    courier.kick();
    this.#schedule(book.nextDueAt(now, setting, quiet), now);
  }

  #schedule(at: number | null, now: number): void {
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = at === null ? null : this.#o.clock.setTimeout(() => this.#step(), Math.max(0, at - now));
  }

  /** Every container of it is muted now: mute all, quiet hours, or each one's own mute. */
  #quiet(i: Incident, now: number): boolean {
    const alerts = this.#o.settings.get().alerts;
    const minute = (this.#o.minuteOfDay ?? localMinuteOfDay)(now);
    const keys = i.alerts.length === 0 ? [i.group] : i.alerts.map((a) => a.key);
    return keys.every((key) => isMuted(key, now, minute, alerts));
  }

  /** A channel removed from the settings takes its waiting messages with it; the user is told how many. */
  #dropGone(outbox: Outbox, channels: readonly ChannelSetting[]): void {
    const known = new Set([...this.#setting().list.map((c) => c.name), ...channels.map((c) => c.name)]);
    for (const name of outbox.channels()) {
      if (known.has(name)) continue;
      const dropped = outbox.dropChannel(name);
      this.#savedIncidents = '';
      this.#o.warn(t('delivery:warn.dropped', { n: dropped, name }));
    }
  }

  async #attempt(message: OutgoingMessage): Promise<Attempt | null> {
    const channel = this.#channels().find((c) => c.name === message.channel);
    if (channel === undefined) return null;
    const stored = await this.#secretsOf(channel.name);
    if (typeof stored === 'string')
      return { outcome: { kind: 'retry', why: stored, afterMs: null }, answer: stored };
    const secrets = secretsFor(channel.kind, stored);
    if (!secrets.ok) {
      const why = `no ${secrets.missing} is saved for this channel; add it with dify-monitor channels add ${channel.name} --replace`;
      return { outcome: { kind: 'retry', why, afterMs: null }, answer: why };
    }
    const limits = this.#o.limits ?? {};
    const ctx: DeliveryContext = {
      now: this.#o.clock.now(),
      timeoutMs: limits.timeoutMs ?? REQUEST_TIMEOUT_MS,
      maxAnswerBytes: limits.maxAnswerBytes ?? MAX_ANSWER_BYTES,
      ...(limits.ca === undefined ? {} : { ca: limits.ca }),
    };
    return deliverTo(channel.kind, message, channel, secrets.secrets, ctx);
  }

  /** Read at every attempt, so a secret `channels add --replace` changed is used at once. */
  async #secretsOf(name: string): Promise<StoredSecrets | string> {
    const flag = this.#flags.find((f) => f.channel.name === name);
    if (flag !== undefined) return { url: flag.url };
    return (this.#o.secrets ?? ownerOnlyFileStore(this.#o.dir)).read(name);
  }
}

export function startDelivery(options: DeliveryOptions): AlertDelivery {
  return new Delivery(options);
}
