/**
 * Follows the logs of a collector's running containers through the engine's API (so on every
 * transport), from "now": from when watching began for a container already running, from its
 * start for one that started since. Never from a log's beginning: old lines are old news.
 *
 * Bounded whatever a container prints: a line is cut at MAX_LINE_BYTES (a 100 MB line costs that
 * much memory), and at most LINES_PER_SECOND lines a second per container are decoded and matched;
 * the rest are only counted, so an endless log costs bounded CPU and the rounds keep their pace.
 */
import { historyKey } from '../dify/discovery.ts';
import type { EngineClient, Subscription } from '../docker/client.ts';
import type { ContainerMeta, LogMatch } from '../model.ts';
import { createDemuxer } from './frames.ts';
import { createLogLineSplitter } from './log-lines.ts';
import { Matcher, type UserPattern } from './matcher.ts';

/** Longer lines keep their start, where a signature would be. */
export const MAX_LINE_BYTES = 16 * 1024;
export const LINES_PER_SECOND = 1_000;
/** A follow the engine ended with an error is not reopened sooner than this. */
const RETRY_MS = 5_000;
const CLEAN_END_WAIT_MS = 1_000;
const LINE_CHARS = 500;
/** `2024-05-20T10:15:42.123456789Z ` that `timestamps=1` puts before each line. */
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) /;

export interface LogWatchOptions {
  readonly client: EngineClient;
  readonly host: string;
  readonly now: () => number;
  readonly emit: (match: LogMatch) => void;
  readonly linesPerSecond?: number;
}

interface Follower {
  readonly subscription: Subscription;
  /** When the engine logged the latest line read: where a follow reopened after an error resumes. */
  lastTs: number;
  second: number;
  used: number;
}

/** The engine's time of a line, and the line without it; the time it arrived when it has none. */
export function splitTimestamp(text: string, fallback: number): { ts: number; line: string } {
  const found = TIMESTAMP.exec(text);
  if (found === null) return { ts: fallback, line: text };
  const ts = Date.parse(found[1] ?? '');
  return { ts: Number.isFinite(ts) ? ts : fallback, line: text.slice(found[0].length) };
}

export class LogWatch {
  readonly #o: LogWatchOptions;
  readonly #startedAt: number;
  readonly #followers = new Map<string, Follower>();
  /** Per container, where its next follow starts and when it may be opened again. */
  readonly #resume = new Map<string, { from: number; notBefore: number }>();
  #matcher = new Matcher();

  constructor(options: LogWatchOptions) {
    this.#o = options;
    this.#startedAt = options.now();
  }

  setPatterns(user: readonly UserPattern[]): void {
    this.#matcher = new Matcher(user);
  }

  /** Follows each running container of the round not yet followed; stops following the others. */
  follow(containers: readonly ContainerMeta[]): void {
    const running = new Map(containers.filter((c) => c.state === 'running').map((c) => [c.id, c]));
    for (const [id, follower] of this.#followers) {
      if (running.has(id)) continue;
      follower.subscription.close();
      this.#followers.delete(id);
      this.#resume.set(id, { from: follower.lastTs + 1, notBefore: 0 });
    }
    const now = this.#o.now();
    for (const meta of running.values()) {
      if (this.#followers.has(meta.id) || (this.#resume.get(meta.id)?.notBefore ?? 0) > now) continue;
      this.#open(meta);
    }
    const known = new Set(containers.map((c) => c.id));
    for (const id of this.#resume.keys()) if (!known.has(id)) this.#resume.delete(id);
  }

  close(): void {
    for (const follower of this.#followers.values()) follower.subscription.close();
    this.#followers.clear();
  }

  #open(meta: ContainerMeta): void {
    const started = meta.startedAt === null ? NaN : Date.parse(meta.startedAt);
    const from = Math.max(
      this.#startedAt,
      this.#resume.get(meta.id)?.from ?? -Infinity,
      Number.isFinite(started) ? started : -Infinity,
    );
    const key = historyKey(this.#o.host, meta);
    const budget = this.#o.linesPerSecond ?? LINES_PER_SECOND;
    let follower: Follower | null = null;
    const onLine = (bytes: Buffer): void => {
      if (follower === null) return;
      const now = this.#o.now();
      const second = Math.floor(now / 1000);
      if (second !== follower.second) {
        follower.second = second;
        follower.used = 0;
      }
      // Over the budget a line is not even decoded: the rest of this second's lines go unread.
      if (follower.used >= budget) return;
      follower.used++;
      const { ts, line } = splitTimestamp(bytes.toString('utf8'), now);
      follower.lastTs = ts;
      const matched = this.#matcher.match(line);
      if (matched === null) return;
      this.#o.emit({
        type: 'log',
        host: this.#o.host,
        key,
        id: meta.id,
        name: meta.name,
        ts,
        line: line.slice(0, LINE_CHARS),
        ...matched,
      });
    };
    const split = createLogLineSplitter(MAX_LINE_BYTES, onLine);
    // stdout and stderr each have their own partial line.
    const splitErr = createLogLineSplitter(MAX_LINE_BYTES, onLine);
    const onData =
      meta.tty === true
        ? split
        : createDemuxer((stream, bytes) => (stream === 'stdout' ? split : splitErr)(bytes));
    const subscription = this.#o.client.logs(meta.id, from / 1000, {
      onData,
      onEnd: (error) => {
        if (follower === null || this.#followers.get(meta.id) !== follower) return;
        this.#followers.delete(meta.id);
        // A clean end is the container stopping, which the next round shows; an error waits longer.
        const wait = error === null ? CLEAN_END_WAIT_MS : RETRY_MS;
        this.#resume.set(meta.id, { from: follower.lastTs + 1, notBefore: this.#o.now() + wait });
      },
    });
    follower = { subscription, lastTs: from, second: 0, used: 0 };
    this.#followers.set(meta.id, follower);
  }
}
