import type {
  ContainerEvent,
  ContainerMeta,
  HostState,
  LogMatch,
  ProcessTable,
  Reading,
  Round,
  Sample,
} from '../model.ts';
import { CONTAINER_EVENT_ACTIONS, isOneOf } from '../model.ts';
import type { EngineClient, EngineInfo, Subscription } from '../docker/client.ts';
import { parseEvent, type EngineEvent } from '../docker/events.ts';
import { fromInspect } from '../docker/inspect.ts';
import { historyKey } from '../dify/discovery.ts';
import { computeUsage, type Usage } from '../stats/usage.ts';
import { cpuSeconds } from '../stats/cpu.ts';
import { classifyFailure, retryDelay, type FailureState } from '../docker/failure.ts';
import type { Clock } from '../util/clock.ts';
import { mapLimit } from '../util/limit.ts';
import { LogWatch } from '../logs/log-watch.ts';
import type { UserPattern } from '../logs/matcher.ts';
import { Inventory } from './inventory.ts';
import type { ProcessReader } from './process-reading.ts';
import { ProcessWatch } from './process-watch.ts';
import type { SourceResult, StatsSource } from './source.ts';

export type Mode = 'fast' | 'tray';

/** One pass over every watched container. */
export interface CollectorListeners {
  round?(round: Round): void;
  host?(state: HostState): void;
  event?(event: ContainerEvent): void;
  /** Who held the memory: from /proc before each round, through the engine's top as its answers come. */
  processes?(tables: readonly ProcessTable[]): void;
  /** A line of a container's log that a signature knows. */
  log?(match: LogMatch): void;
}

export interface SourceFactory {
  /** Picks the cheapest source that works for this engine and says why. */
  (
    engine: EngineInfo,
    inventory: readonly ContainerMeta[],
  ): { source: StatsSource; reason: string; processes?: ProcessReader };
}

export interface CollectorOptions {
  readonly host: string;
  /** Where the engine was found, for messages: `unix:///var/run/docker.sock`. */
  readonly endpoint: string;
  /** Why that endpoint: "DOCKER_HOST is set", "found socket …". */
  readonly reason: string;
  readonly client: EngineClient;
  readonly createSource: SourceFactory;
  readonly clock: Clock;
  readonly intervals: { readonly fastMs: number; readonly trayMs: number };
  readonly mode: Mode;
  readonly includeOthers: boolean;
  readonly requestTimeoutMs?: number;
  readonly concurrency?: number;
  /** A daemon that stops answering (SIGSTOP, lost VPN) is noticed by this ping. */
  readonly healthCheckMs?: number;
  /** Text to help a user reach the engine, appended when it is not reachable. */
  readonly unreachableHint?: (cause: string) => string;
  /** Shown with every state of this host, e.g. that plain TCP is unauthenticated. */
  readonly warning?: string;
  /** Follow the running containers' logs for the signatures of src/logs; on unless false. */
  readonly followLogs?: boolean;
}

interface ContainerTrack {
  previous: Reading | null;
  usage: Usage | null;
}

/**
 * Watches one engine: keeps the container set current from events, reads every running
 * container once per interval through the chosen source, and turns readings into samples.
 * It survives the engine going away and comes back by itself.
 */
export class Collector {
  private readonly inventory = new Inventory();
  private readonly tracks = new Map<string, ContainerTrack>();
  private readonly listeners: CollectorListeners[] = [];
  private mode: Mode;
  private running = false;
  private generation = 0;
  private source: StatsSource | null = null;
  private processWatch: ProcessWatch | null = null;
  private logWatch: LogWatch | null = null;
  private logPatterns: readonly UserPattern[] = [];
  private events: Subscription | null = null;
  private engine: EngineInfo | null = null;
  private tickTimer: unknown = null;
  private healthTimer: unknown = null;
  private retryTimer: unknown = null;
  private attempt = 0;
  /** Each failure state backs off on its own: a tls-failed host that turns down starts again at 1 s. */
  private failedAs: FailureState | null = null;
  private hostState: HostState;
  /** Per container, the events still being handled: they reach listeners in the engine's order. */
  private readonly eventQueues = new Map<string, Promise<void>>();

  private readonly options: CollectorOptions;

  constructor(options: CollectorOptions) {
    this.options = options;
    this.mode = options.mode;
    this.hostState = this.stateOf('connecting', `Connecting to ${options.endpoint}`);
  }

  on(listeners: CollectorListeners): () => void {
    this.listeners.push(listeners);
    return () => {
      const index = this.listeners.indexOf(listeners);
      if (index !== -1) this.listeners.splice(index, 1);
    };
  }

  get state(): HostState {
    return this.hostState;
  }

  get engineInfo(): EngineInfo | null {
    return this.engine;
  }

  containers(): readonly ContainerMeta[] {
    return this.inventory.inScope(this.options.includeOthers);
  }

  stacks(): ReturnType<Inventory['stacks']> {
    return this.inventory.stacks();
  }

  intervalMs(): number {
    return this.mode === 'fast' ? this.options.intervals.fastMs : this.options.intervals.trayMs;
  }

  /**
   * The processes of a container the page shows, and a reason to keep reading them through the
   * engine's top endpoint for a while; null when they cannot be read.
   */
  async processes(id: string): Promise<ProcessTable | null> {
    const meta = this.inventory.get(id);
    if (meta === undefined || this.processWatch === null) return null;
    return this.processWatch.tableOf(meta, this.options.clock.now());
  }

  /** The user's own log patterns from settings, beside the built-in signatures. */
  setLogPatterns(patterns: readonly UserPattern[]): void {
    this.logPatterns = patterns;
    this.logWatch?.setPatterns(patterns);
  }

  /** Fast while someone looks at charts, cheap while only the tray shows. */
  setMode(mode: Mode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.source?.setInterval(this.intervalMs());
    if (this.running && this.hostState.state === 'up') this.scheduleTick(0);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    this.teardown();
    this.clear('retryTimer');
  }

  /** Stops for good: pooled connections (SSH sessions included) are dropped too. */
  close(): void {
    this.stop();
    this.options.client.close();
  }

  private emit<K extends keyof CollectorListeners>(
    kind: K,
    value: Parameters<NonNullable<CollectorListeners[K]>>[0],
  ): void {
    for (const listener of this.listeners)
      (listener[kind] as ((v: typeof value) => void) | undefined)?.(value);
  }

  private stateOf(state: HostState['state'], message: string, extra: Partial<HostState> = {}): HostState {
    return {
      type: 'host',
      ts: this.options.clock.now(),
      host: this.options.host,
      state,
      message,
      endpoint: this.options.endpoint,
      reason: this.options.reason,
      ...(this.options.warning === undefined ? {} : { warning: this.options.warning }),
      ...extra,
    };
  }

  private setState(state: HostState): void {
    this.hostState = state;
    this.emit('host', state);
  }

  private clear(timer: 'tickTimer' | 'healthTimer' | 'retryTimer'): void {
    if (this[timer] !== null) this.options.clock.clearTimeout(this[timer]);
    this[timer] = null;
  }

  private teardown(): void {
    this.generation++;
    this.clear('tickTimer');
    this.clear('healthTimer');
    this.events?.close();
    this.events = null;
    this.source?.close();
    this.source = null;
    this.processWatch?.close();
    this.processWatch = null;
    this.logWatch?.close();
    this.logWatch = null;
  }

  private signal(): AbortSignal {
    return AbortSignal.timeout(this.options.requestTimeoutMs ?? 5000);
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    const { client } = this.options;
    this.setState(this.stateOf('connecting', `Connecting to ${this.options.endpoint}`));
    try {
      const engine = await client.describe(this.signal());
      if (generation !== this.generation) return;
      this.engine = engine;
      // Subscribe before listing, so nothing that happens in between is missed. Asking for past
      // events instead would replay a `docker rm -f` from before we started without its kill,
      // and its exit 137 would read as an OOM kill.
      this.events = client.events({
        onLine: (line) => this.onEventLine(line, generation),
        onEnd: (error) => {
          if (generation === this.generation && this.running) {
            this.fail(error ?? new Error('the engine closed its event stream'));
          }
        },
      });
      await this.untilOpen(this.events);
      if (generation !== this.generation) return;
      const ids = await client.listContainerIds(this.signal());
      const inspected = await mapLimit(ids, this.options.concurrency ?? 8, (id) =>
        client.inspect(id, this.signal()).then(fromInspect, () => null),
      );
      if (generation !== this.generation) return;
      this.inventory.replaceAll(inspected.filter((c) => c !== null));
      this.forgetGone();
      const chosen = this.options.createSource(engine, this.inventory.all());
      this.source = chosen.source;
      this.source.setInterval(this.intervalMs());
      this.processWatch =
        chosen.processes === undefined
          ? null
          : new ProcessWatch(chosen.processes, this.options.host, (tables) => this.emit('processes', tables));
      if (this.options.followLogs !== false) {
        this.logWatch = new LogWatch({
          client,
          host: this.options.host,
          now: () => this.options.clock.now(),
          emit: (match) => this.emit('log', match),
        });
        this.logWatch.setPatterns(this.logPatterns);
      }
      this.attempt = 0;
      this.failedAs = null;
      this.setState(
        this.stateOf(
          'up',
          `Connected to ${engine.product ?? 'Docker'} ${engine.version} at ${this.options.endpoint}; ${chosen.reason}`,
          {
            engineVersion: engine.version,
            memTotalBytes: engine.memTotalBytes,
            cpus: engine.cpus,
            source: chosen.source.kind,
          },
        ),
      );
      this.scheduleHealthCheck(generation);
      this.scheduleTick(0);
    } catch (error) {
      if (generation === this.generation) this.fail(error);
    }
  }

  /** An engine that accepts the connection but never answers must not hold the collector forever. */
  private untilOpen(subscription: Subscription): Promise<void> {
    const timeout = this.signal();
    return new Promise((resolve, reject) => {
      void subscription.opened.then(resolve);
      timeout.addEventListener('abort', () => reject(timeout.reason as Error), { once: true });
    });
  }

  private fail(error: unknown): void {
    if (!this.running) return;
    this.teardown();
    const failure = classifyFailure(error);
    if (failure.state !== this.failedAs) this.attempt = 0;
    this.failedAs = failure.state;
    const delay = retryDelay(failure.state, this.attempt++);
    const message =
      failure.state === 'down'
        ? (this.options.unreachableHint?.(failure.reason) ??
          `Docker is not reachable at ${this.options.endpoint}: ${failure.reason}`)
        : `${failure.state === 'tls-failed' ? 'TLS' : 'Authentication'} with ${this.options.endpoint} failed: ${failure.reason}`;
    this.setState(this.stateOf(failure.state, message, { retryInMs: delay }));
    this.clear('retryTimer');
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = null;
      if (this.running) void this.connect();
    }, delay);
  }

  private scheduleHealthCheck(generation: number): void {
    const every = this.options.healthCheckMs ?? 5000;
    this.healthTimer = this.options.clock.setTimeout(async () => {
      try {
        await this.options.client.ping(this.signal());
        if (generation === this.generation) this.scheduleHealthCheck(generation);
      } catch (error) {
        if (generation === this.generation) this.fail(error);
      }
    }, every);
  }

  private scheduleTick(delayMs: number): void {
    this.clear('tickTimer');
    const generation = this.generation;
    this.tickTimer = this.options.clock.setTimeout(() => {
      this.tickTimer = null;
      void this.tick(generation);
    }, delayMs);
  }

  private ticking = false;

  private async tick(generation: number): Promise<void> {
    const source = this.source;
    if (source === null || this.ticking) return;
    this.ticking = true;
    const { clock } = this.options;
    const started = clock.now();
    try {
      const containers = this.containers();
      // The host's count before the containers': a kill inside a container that the host has
      // counted is then in that container's count too (see src/alerts/host-oom.ts).
      const hostOomKills = source.hostOomKills?.() ?? null;
      const results = await source.read(containers);
      if (generation !== this.generation) return;
      let fresh = 0;
      let running = 0;
      // One destroyed while the round was read is gone: a sample of it now would bring it back to
      // the alert engine and the history after its destroy event, for their forget timeout.
      const present = containers.filter((meta) => this.inventory.has(meta.id));
      const samples = present.map((meta) => {
        if (meta.state === 'running') running++;
        const result = results.get(meta.id);
        if (result !== undefined && this.absorb(meta.id, result)) fresh++;
        return this.sampleOf(meta, result, started);
      });
      await this.processWatch?.afterRound(present, samples, started);
      if (generation !== this.generation) return;
      this.emit('round', {
        host: this.options.host,
        ts: started,
        samples,
        fresh,
        running,
        durationMs: clock.now() - started,
        ...(hostOomKills === null ? {} : { hostOomKills }),
      });
      this.logWatch?.follow(present);
    } finally {
      this.ticking = false;
    }
    if (generation !== this.generation) return;
    const elapsed = clock.now() - started;
    this.scheduleTick(Math.max(0, this.intervalMs() - elapsed));
  }

  /** Folds a new reading into the container's track; true when it brought newer numbers. */
  private absorb(id: string, result: SourceResult): boolean {
    if (!result.ok) return false;
    const track = this.tracks.get(id) ?? { previous: null, usage: null };
    this.tracks.set(id, track);
    if (track.previous !== null && result.reading.ts <= track.previous.ts) return false;
    const meta = this.inventory.get(id);
    const previous = result.previous ?? track.previous;
    track.usage = computeUsage(previous, result.reading, meta?.cpuLimit ?? null, this.engine?.cpus ?? null);
    track.previous = result.reading;
    return true;
  }

  private sampleOf(meta: ContainerMeta, result: SourceResult | undefined, roundTs: number): Sample {
    const track = this.tracks.get(meta.id);
    const live = meta.state === 'running' && result?.ok !== false;
    const u = live ? (track?.usage ?? null) : null;
    const kernel = u === null ? undefined : track?.previous?.kernel;
    const memTotal = this.engine?.memTotalBytes ?? 0;
    const ownLimit = meta.memLimitBytes > 0 && (memTotal === 0 || meta.memLimitBytes < memTotal);
    return {
      type: 'sample',
      ts: u === null ? roundTs : (track?.previous?.ts ?? roundTs),
      host: this.options.host,
      stack: meta.stack,
      role: meta.role,
      service: meta.service,
      name: meta.name,
      id: meta.id,
      image: meta.image,
      state: meta.state,
      health: meta.health,
      cpuPercent: u?.cpuPercent ?? null,
      cpuSeconds: u === null || !track?.previous ? null : cpuSeconds(track.previous),
      cpuOfLimitPercent: u?.cpuOfLimitPercent ?? null,
      memUsageBytes: u?.memUsageBytes ?? null,
      memLimitBytes: u?.memLimitBytes ?? (ownLimit ? meta.memLimitBytes : memTotal || null),
      memLimitSource: ownLimit ? 'container' : 'host',
      memPercent: u?.memPercent ?? null,
      netRxBytes: u?.netRxBytes ?? null,
      netTxBytes: u?.netTxBytes ?? null,
      blockReadBytes: u?.blockReadBytes ?? null,
      blockWriteBytes: u?.blockWriteBytes ?? null,
      pids: u?.pids ?? null,
      restartCount: meta.restartCount,
      oomKilled: meta.oomKilled,
      exitCode: meta.state === 'running' ? null : meta.exitCode,
      ...(kernel === undefined ? {} : { kernel }),
      key: historyKey(this.options.host, meta),
    };
  }

  private forgetGone(): void {
    for (const id of this.tracks.keys()) {
      if (!this.inventory.has(id)) {
        this.tracks.delete(id);
        this.source?.forget(id);
        this.processWatch?.forget(id);
      }
    }
  }

  private onEventLine(line: string, generation: number): void {
    if (generation !== this.generation) return;
    const event = parseEvent(line, this.options.clock.now());
    if (event === null) return;
    if (event.action === 'start' || event.action === 'die') {
      // A restarted container's counters start again from zero.
      const track = this.tracks.get(event.id);
      if (track) track.previous = null;
      this.source?.forget(event.id);
    }
    // A die waits for its inspect; the destroy right behind it must not overtake it, nor the
    // kill before it be told after it, or a `docker rm -f` would read as an OOM kill.
    const previous = this.eventQueues.get(event.id) ?? Promise.resolve();
    const next = previous.then(() => this.handle(event, generation));
    this.eventQueues.set(event.id, next);
    void next.finally(() => {
      if (this.eventQueues.get(event.id) === next) this.eventQueues.delete(event.id);
    });
  }

  private async handle(event: EngineEvent, generation: number): Promise<void> {
    if (generation !== this.generation) return;
    if (event.action === 'destroy') {
      const meta = this.inventory.get(event.id);
      this.inventory.remove(event.id);
      this.forgetGone();
      this.publish(event, meta);
      return;
    }
    // A signal needs no fresh facts.
    if (event.action !== 'kill') await this.refresh(event.id, generation);
    if (generation === this.generation) this.publish(event, this.inventory.get(event.id));
  }

  /** Re-inspects the container an event is about, so listeners get up-to-date facts. */
  private async refresh(id: string, generation: number): Promise<void> {
    try {
      const inspected = fromInspect(await this.options.client.inspect(id, this.signal()));
      if (generation === this.generation && inspected !== null) this.inventory.upsert(inspected);
    } catch {
      // Gone before we asked: the destroy event follows.
    }
  }

  private publish(event: EngineEvent, meta: ContainerMeta | undefined): void {
    const action = event.action;
    if (!isOneOf(CONTAINER_EVENT_ACTIONS, action)) return;
    if (
      meta !== undefined &&
      !this.options.includeOthers &&
      meta.stack === null &&
      this.inventory.stacks().length > 0
    ) {
      return;
    }
    this.emit('event', {
      type: 'event',
      ts: event.ts,
      host: this.options.host,
      action,
      id: event.id,
      name: meta?.name ?? event.name,
      key: meta === undefined ? null : historyKey(this.options.host, meta),
      ...(event.exitCode === null ? {} : { exitCode: event.exitCode }),
      ...(event.health === null ? {} : { health: event.health }),
      ...(event.action === 'die' && meta?.id === event.id ? { oomKilled: meta.oomKilled } : {}),
    });
  }
}
