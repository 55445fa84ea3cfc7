/**
 * Takes the outbox's messages to their receivers: one message in flight per channel, in the
 * order queued, each channel on its own so that a receiver that hangs holds up only itself. A
 * message waits behind its channel's head until that one is delivered or refused; a receiver that
 * is down, slow or answers 5xx is tried again with backoff (2 s, 4 s … 5 min), one that answers
 * 429 after its Retry-After.
 */
import { backoffDelay } from '../util/backoff.ts';
import type { Clock } from '../util/clock.ts';
import { t } from '../i18n/index.ts';
import type { OutgoingMessage } from './message.ts';
import type { Outbox } from './outbox.ts';
import type { Attempt } from './outcome.ts';

const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 5 * 60_000;

export interface CourierOptions {
  readonly outbox: Outbox;
  readonly clock: Clock;
  /** One attempt; null when the channel is switched off for now (its messages wait, untried). */
  readonly attempt: (message: OutgoingMessage) => Promise<Attempt | null>;
  readonly warn: (text: string) => void;
}

export class Courier {
  readonly #o: CourierOptions;
  readonly #busy = new Map<string, Promise<void>>();
  readonly #timers = new Map<string, unknown>();
  readonly #failures = new Map<string, number>();
  #stopped = false;

  constructor(options: CourierOptions) {
    this.#o = options;
  }

  /** Starts every channel that has mail and is neither sending nor waiting to retry. */
  kick(): void {
    if (this.#stopped) return;
    for (const channel of this.#o.outbox.channels()) {
      if (this.#busy.has(channel) || this.#timers.has(channel)) continue;
      const run = this.#run(channel).finally(() => this.#busy.delete(channel));
      this.#busy.set(channel, run);
    }
  }

  /** No new attempts; those in flight may finish (and be recorded) for up to `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers.values()) this.#o.clock.clearTimeout(timer);
    this.#timers.clear();
    let timer: unknown;
    const grace = new Promise<void>((resolve) => (timer = this.#o.clock.setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(this.#busy.values()), grace]);
    this.#o.clock.clearTimeout(timer);
  }

  async #run(channel: string): Promise<void> {
    const { outbox } = this.#o;
    for (
      let message = outbox.head(channel);
      message !== undefined && !this.#stopped;
      message = outbox.head(channel)
    ) {
      const attempt = await this.#o.attempt(message).catch((error: Error): Attempt => ({
        outcome: { kind: 'retry', why: error.message, afterMs: null },
        answer: '',
      }));
      if (attempt === null) return;
      const { outcome } = attempt;
      if (outcome.kind === 'retry') return this.#later(channel, outcome.why, outcome.afterMs);
      outbox.remove(message.id);
      const now = this.#o.clock.now();
      if (outcome.kind === 'delivered') this.#delivered(channel, now);
      else this.#refused(channel, message, outcome.why, now);
      outbox.save();
    }
  }

  #delivered(channel: string, now: number): void {
    const failures = this.#failures.get(channel) ?? 0;
    this.#failures.delete(channel);
    const { dropped } = this.#o.outbox.status(channel);
    this.#o.outbox.setStatus(channel, { deliveredAt: now, ...(dropped === undefined ? {} : { dropped }) });
    if (failures > 0) this.#o.warn(t('delivery:warn.deliveredAgain', { channel, n: failures }));
  }

  #refused(channel: string, message: OutgoingMessage, why: string, now: number): void {
    this.#failures.delete(channel);
    this.#o.outbox.setStatus(channel, {
      ...this.#o.outbox.status(channel),
      error: { at: now, why, retrying: false },
    });
    this.#o.warn(
      t('delivery:warn.refused', {
        channel,
        status: t(`delivery:status.${message.status}`),
        incident: message.incident,
        why,
      }),
    );
  }

  #later(channel: string, why: string, afterMs: number | null): void {
    const failures = (this.#failures.get(channel) ?? 0) + 1;
    this.#failures.set(channel, failures);
    const delay = afterMs ?? backoffDelay(failures - 1, FIRST_RETRY_MS, MAX_RETRY_MS);
    const status = this.#o.outbox.status(channel);
    this.#o.outbox.setStatus(channel, { ...status, error: { at: this.#o.clock.now(), why, retrying: true } });
    if (failures === 1) {
      this.#o.outbox.save();
      this.#o.warn(
        t('delivery:warn.later', {
          channel,
          why,
          seconds: Math.ceil(delay / 1000),
          n: this.#o.outbox.waiting(channel),
        }),
      );
    }
    this.#timers.set(
      channel,
      this.#o.clock.setTimeout(() => {
        this.#timers.delete(channel);
        this.kick();
      }, delay),
    );
  }
}
