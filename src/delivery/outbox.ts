/**
 * Messages on their way, on disk: each is written (temp file, fsync, rename) before its first
 * attempt and removed only once its receiver answered, so a kill -9, a crash or a reboot loses
 * none, and after a restart a message is sent again only if no answer to it was ever recorded.
 * The open incidents are in the same file, written in the same step as the messages they caused,
 * so a restart neither repeats a message nor forgets the "resolved" it owes. Bounded: when full,
 * the oldest "resolved" messages go first (a firing one says more), and the user is told.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';
import type { Draft, Incident } from './incidents.ts';
import { MESSAGE_STATUSES, type OutgoingMessage } from './message.ts';

export interface ChannelStatus {
  readonly deliveredAt?: number;
  /** The last failure: a refusal (not retried), or why tries go on. Cleared by a delivery. */
  readonly error?: { readonly at: number; readonly why: string; readonly retrying: boolean };
  /** Messages dropped because the outbox was full. */
  readonly dropped?: number;
}

export interface OutboxState {
  readonly messages: readonly OutgoingMessage[];
  readonly incidents: readonly Incident[];
  readonly seq: Readonly<Record<string, number>>;
  readonly channels: Readonly<Record<string, ChannelStatus>>;
}

export const EMPTY_OUTBOX: OutboxState = { messages: [], incidents: [], seq: {}, channels: {} };

export const DEFAULT_MAX_MESSAGES = 500;

export function outboxPathIn(dir: string): string {
  return join(dir, 'outbox.json');
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function isMessage(v: unknown): v is OutgoingMessage {
  return (
    isRecord(v) &&
    typeof v['id'] === 'string' &&
    typeof v['channel'] === 'string' &&
    typeof v['seq'] === 'number' &&
    (MESSAGE_STATUSES as readonly unknown[]).includes(v['status']) &&
    Array.isArray(v['alerts'])
  );
}

function isIncident(v: unknown): v is Incident {
  return (
    isRecord(v) &&
    typeof v['id'] === 'string' &&
    typeof v['channel'] === 'string' &&
    Array.isArray(v['alerts'])
  );
}

/** The file's state, or why it cannot be used. */
export function parseOutbox(text: string): OutboxState | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  if (!isRecord(v) || v['version'] !== 1) return 'not an outbox of version 1';
  const { messages, incidents, seq, channels } = v;
  if (!Array.isArray(messages) || !messages.every(isMessage)) return 'its messages are not readable';
  if (!Array.isArray(incidents) || !incidents.every(isIncident)) return 'its incidents are not readable';
  if (!isRecord(seq) || !isRecord(channels)) return 'its channel records are not readable';
  return {
    messages,
    incidents,
    seq: seq as Record<string, number>,
    channels: channels as Record<string, ChannelStatus>,
  };
}

/** The outbox in `dir` as it stands, for a listing: null when there is none or it is unreadable (nothing is moved). */
export function peekOutbox(dir: string): OutboxState | null {
  try {
    const parsed = parseOutbox(readFileSync(outboxPathIn(dir), 'utf8'));
    return typeof parsed === 'string' ? null : parsed;
  } catch {
    return null;
  }
}

/** What is on disk; a missing file is an empty outbox, and one that cannot be read is kept aside, never deleted. */
export function readOutbox(path: string, now: number): { state: OutboxState; notice?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: EMPTY_OUTBOX };
    return { state: EMPTY_OUTBOX, notice: `Cannot read the outbox ${path}: ${(error as Error).message}` };
  }
  const parsed = parseOutbox(text);
  if (typeof parsed !== 'string') return { state: parsed };
  const aside = `${path}.corrupt-${now}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    return {
      state: EMPTY_OUTBOX,
      notice: `The outbox ${path} is unusable (${parsed}) and cannot be kept aside: ${(error as Error).message}`,
    };
  }
  return {
    state: EMPTY_OUTBOX,
    notice: `The outbox ${path} was unusable (${parsed}); kept it as ${aside} and started an empty one.`,
  };
}

export interface OutboxOptions {
  readonly path: string;
  readonly maxMessages?: number;
  readonly warn: (text: string) => void;
  readonly newId?: () => string;
}

export class Outbox {
  readonly #o: OutboxOptions;
  readonly #max: number;
  #messages: OutgoingMessage[];
  #incidents: Incident[];
  readonly #seq: Map<string, number>;
  readonly #channels: Map<string, ChannelStatus>;

  constructor(options: OutboxOptions, state: OutboxState) {
    this.#o = options;
    this.#max = options.maxMessages ?? DEFAULT_MAX_MESSAGES;
    this.#messages = [...state.messages];
    this.#incidents = [...state.incidents];
    this.#seq = new Map(Object.entries(state.seq));
    this.#channels = new Map(Object.entries(state.channels));
  }

  get incidents(): readonly Incident[] {
    return this.#incidents;
  }

  set incidents(list: readonly Incident[]) {
    this.#incidents = [...list];
  }

  /** Numbers the drafts per channel and queues them behind that channel's earlier messages. */
  enqueue(drafts: readonly Draft[], now: number, dashboardUrl: string | null): OutgoingMessage[] {
    const made = drafts.map((d) => {
      const seq = (this.#seq.get(d.channel) ?? 0) + 1;
      this.#seq.set(d.channel, seq);
      const id = this.#o.newId?.() ?? randomUUID();
      return { ...d, id, seq, createdAt: now, dashboardUrl };
    });
    this.#messages.push(...made);
    while (this.#messages.length > this.#max) this.#evict();
    return made;
  }

  #evict(): void {
    const resolved = this.#messages.findIndex((m) => m.status === 'resolved');
    const index = resolved === -1 ? 0 : resolved;
    const [gone] = this.#messages.splice(index, 1);
    if (gone === undefined) return;
    const status = this.status(gone.channel);
    this.#channels.set(gone.channel, { ...status, dropped: (status.dropped ?? 0) + 1 });
    this.#o.warn(
      `The alert outbox is full (${this.#max} messages waiting): dropped the oldest ${gone.status} message ` +
        `for channel "${gone.channel}" (incident since ${new Date(gone.startedAt).toISOString()}).`,
    );
  }

  /** The channel's next message, in the order they were queued. */
  head(channel: string): OutgoingMessage | undefined {
    return this.#messages.find((m) => m.channel === channel);
  }

  waiting(channel: string): number {
    return this.#messages.filter((m) => m.channel === channel).length;
  }

  /** Channels with something waiting. */
  channels(): string[] {
    return [...new Set(this.#messages.map((m) => m.channel))];
  }

  remove(id: string): void {
    this.#messages = this.#messages.filter((m) => m.id !== id);
  }

  /** Everything waiting for a channel that no longer exists; how many were dropped. */
  dropChannel(channel: string): number {
    const before = this.#messages.length;
    this.#messages = this.#messages.filter((m) => m.channel !== channel);
    this.#incidents = this.#incidents.filter((i) => i.channel !== channel);
    this.#channels.delete(channel);
    this.#seq.delete(channel);
    return before - this.#messages.length;
  }

  status(channel: string): ChannelStatus {
    return this.#channels.get(channel) ?? {};
  }

  setStatus(channel: string, status: ChannelStatus): void {
    this.#channels.set(channel, status);
  }

  /** Written whole and atomically; a failure is told and the state stays in memory, to be written next time. */
  save(): boolean {
    const state = {
      version: 1,
      messages: this.#messages,
      incidents: this.#incidents,
      seq: Object.fromEntries(this.#seq),
      channels: Object.fromEntries(this.#channels),
    };
    try {
      writeFileAtomic(this.#o.path, `${JSON.stringify(state)}\n`);
      return true;
    } catch (error) {
      this.#o.warn(`Cannot save the alert outbox ${this.#o.path}: ${(error as Error).message}`);
      return false;
    }
  }
}
