/**
 * The local engine, looked for until it is there. With "start at login" the app may start before
 * Docker Desktop, Colima or OrbStack, whose socket (or context) appears only once they run, and
 * the monitor looks for the local engine once. This source keeps looking, with backoff and at
 * once when asked (after a resume or an unlock), and from the moment it finds an engine it is
 * that engine's collector.
 *
 * While it looks it pushes nothing: the monitor reads its state ("not found yet") for snapshots
 * and the tray, and the alert engine is not told that an engine which never was is down.
 */
import type { CollectorListeners, Mode } from '../src/collect/collector.ts';
import type { HostState } from '../src/model.ts';
import type { MonitorSource } from '../src/service/sources.ts';
import type { Clock } from '../src/util/clock.ts';

/** How long to wait before each new look; the last one repeats. */
export const LOOK_AGAIN_MS = [1000, 2000, 5000, 10_000, 30_000, 60_000] as const;
/** What the host is called while nothing is found, as the monitor names a lone local engine. */
export const SEARCHING_NAME = 'local';

export type Found =
  { readonly ok: true; readonly collector: MonitorSource } | { readonly ok: false; readonly error: string };

export interface LateEngineOptions {
  /** One look: the local engine's collector (not started), or why there is none. */
  readonly find: () => Promise<Found>;
  /** The hosts the monitor watches: an engine it found meanwhile by itself is not watched twice. */
  readonly watched: () => readonly HostState[];
  readonly clock: Clock;
  /** Why the first look, the monitor's own, found nothing. */
  readonly firstError: string;
  /**
   * An engine was found and is watched now. The engine goes by its own name, not the one of the
   * search: a page that holds the search's host state must load afresh to drop it.
   */
  readonly onAdopted: () => void;
}

export class LateLocalEngine implements MonitorSource {
  readonly #o: LateEngineOptions;
  /** Each subscriber, with its subscription to the engine once there is one. */
  readonly #listeners = new Map<CollectorListeners, (() => void) | null>();
  #collector: MonitorSource | null = null;
  /** The endpoint of an engine the monitor watched already when this one was found. */
  #watchedElsewhere: string | null = null;
  #mode: Mode = 'tray';
  #running = false;
  #attempt = 0;
  #timer: unknown = null;
  #looking = false;
  #searching: HostState;

  constructor(options: LateEngineOptions) {
    this.#o = options;
    this.#searching = this.#notFound(options.firstError);
  }

  get state(): HostState {
    if (this.#collector !== null) return this.#collector.state;
    const elsewhere = this.#watchedElsewhere;
    if (elsewhere !== null) return this.#o.watched().find((h) => h.endpoint === elsewhere) ?? this.#searching;
    return this.#searching;
  }

  /** True once an engine is found (here or by the monitor): nothing is looked for any more. */
  get found(): boolean {
    return this.#collector !== null || this.#watchedElsewhere !== null;
  }

  on(listeners: CollectorListeners): () => void {
    this.#listeners.set(listeners, this.#collector?.on(listeners) ?? null);
    return () => {
      this.#listeners.get(listeners)?.();
      this.#listeners.delete(listeners);
    };
  }

  setMode(mode: Mode): void {
    this.#mode = mode;
    this.#collector?.setMode(mode);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (this.#collector !== null) this.#collector.start();
    else this.#schedule();
  }

  stop(): void {
    this.#running = false;
    this.#clearTimer();
    this.#collector?.stop();
  }

  close(): void {
    this.#running = false;
    this.#clearTimer();
    closeSource(this.#collector);
  }

  /** Looks now and starts the backoff over: the machine woke up or was unlocked. */
  lookNow(): void {
    if (!this.#running || this.found) return;
    this.#attempt = 0;
    this.#clearTimer();
    void this.#look();
  }

  #schedule(): void {
    if (this.found) return;
    this.#clearTimer();
    const delay = this.#delay();
    this.#searching = { ...this.#searching, retryInMs: delay };
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = null;
      void this.#look();
    }, delay);
  }

  async #look(): Promise<void> {
    if (this.#looking) return;
    this.#looking = true;
    const found = await this.#o.find().finally(() => (this.#looking = false));
    if (!found.ok) {
      this.#attempt++;
      this.#searching = this.#notFound(found.error);
      if (this.#running) this.#schedule();
      return;
    }
    const endpoint = found.collector.state.endpoint;
    if (!this.#running || this.found) {
      closeSource(found.collector);
      return;
    }
    if (this.#o.watched().some((h) => h.endpoint === endpoint)) {
      this.#watchedElsewhere = endpoint;
      closeSource(found.collector);
      return;
    }
    this.#adopt(found.collector);
  }

  #adopt(collector: MonitorSource): void {
    this.#collector = collector;
    for (const listeners of this.#listeners.keys()) this.#listeners.set(listeners, collector.on(listeners));
    collector.setMode(this.#mode);
    collector.start();
    this.#o.onAdopted();
  }

  #delay(): number {
    return LOOK_AGAIN_MS[Math.min(this.#attempt, LOOK_AGAIN_MS.length - 1)] ?? 60_000;
  }

  #notFound(error: string): HostState {
    return {
      type: 'host',
      ts: this.#o.clock.now(),
      host: SEARCHING_NAME,
      state: 'down',
      message: `No Docker engine found yet; looking again. ${error}`,
      endpoint: '',
      reason: 'looking for the local engine until one is up',
    };
  }

  #clearTimer(): void {
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}

function closeSource(source: MonitorSource | null): void {
  if (source === null) return;
  if (source.close === undefined) source.stop();
  else source.close();
}
