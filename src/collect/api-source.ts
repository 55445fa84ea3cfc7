import type { ContainerMeta } from '../model.ts';
import type { EngineClient, Subscription } from '../docker/client.ts';
import type { Clock } from '../util/clock.ts';
import { mapLimit } from '../util/limit.ts';
import { readingFromStats, readingFromPrecpu } from '../stats/reading.ts';
import type { SourceResult, StatsSource } from './source.ts';

/** dockerd samples streaming stats once a second, so polling faster than this gains nothing. */
const ENGINE_STREAM_PERIOD_MS = 1000;
/** Up to this interval a stream is cheaper than a request per sample; above it, one-shot polls win. */
const STREAM_UP_TO_MS = 2 * ENGINE_STREAM_PERIOD_MS;

export interface ApiSourceOptions {
  readonly client: EngineClient;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly requestTimeoutMs: number;
  readonly concurrency: number;
}

interface StreamState {
  subscription: Subscription;
  latest: SourceResult | null;
  /** The latest line arrived after the previous read took it. */
  fresh: boolean;
}

/**
 * A read in stream mode waits up to this share of the interval for every stream's next line, so
 * that rounds lock onto the engine's once-a-second rhythm instead of drifting across it and now and
 * then finding nothing new.
 */
const STREAM_WAIT_SHARE = 0.5;

/**
 * Stats from the engine's API, for remote engines, macOS and Windows.
 * Fast mode keeps one stream per container, as `docker stats` does; tray mode polls
 * one-shot, so the engine does no work between samples.
 */
export function createApiSource(options: ApiSourceOptions): StatsSource {
  const { client, clock } = options;
  let intervalMs = options.intervalMs;
  const streams = new Map<string, StreamState>();
  const inFlight = new Set<string>();
  let wake: (() => void) | null = null;

  const parse = (json: unknown): SourceResult => {
    const now = clock.now();
    const current = readingFromStats(json, now);
    if (!current.ok) return current;
    const previous = readingFromPrecpu(json, now);
    return { ok: true, reading: current.reading, previous: previous.ok ? previous.reading : null };
  };

  const openStream = (id: string): StreamState => {
    const state: StreamState = {
      latest: null,
      fresh: false,
      subscription: client.statsStream(id, {
        onLine(line) {
          let json: unknown;
          try {
            json = JSON.parse(line);
          } catch {
            state.latest = { ok: false, error: 'the engine sent a stats line that is not JSON' };
            return;
          }
          state.latest = parse(json);
          state.fresh = true;
          wake?.();
        },
        onEnd(error) {
          // The next read reopens it; a stopped container simply is not asked again.
          if (streams.get(id) === state) streams.delete(id);
          if (error !== null) state.latest = { ok: false, error: error.message };
          // Nothing more will come: a read must not wait for it.
          state.fresh = true;
          wake?.();
        },
      }),
    };
    streams.set(id, state);
    return state;
  };

  const closeStreams = (keep: ReadonlySet<string>): void => {
    for (const [id, state] of streams) {
      if (keep.has(id)) continue;
      state.subscription.close();
      streams.delete(id);
    }
  };

  const poll = async (id: string): Promise<SourceResult | null> => {
    if (inFlight.has(id)) return null;
    inFlight.add(id);
    try {
      return parse(await client.statsOnce(id, AbortSignal.timeout(options.requestTimeoutMs)));
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    } finally {
      inFlight.delete(id);
    }
  };

  const untilAllFresh = (states: readonly StreamState[], maxWaitMs: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        if (timer !== null) clock.clearTimeout(timer);
        wake = null;
        resolve();
      };
      if (states.every((s) => s.fresh)) {
        resolve();
        return;
      }
      const timer: unknown = clock.setTimeout(done, maxWaitMs);
      wake = () => {
        if (states.every((s) => s.fresh)) done();
      };
    });

  return {
    kind: 'api',
    async read(containers: readonly ContainerMeta[]) {
      const results = new Map<string, SourceResult>();
      const running = containers.filter((c) => c.state === 'running');
      if (intervalMs <= STREAM_UP_TO_MS) {
        closeStreams(new Set(running.map((c) => c.id)));
        const states = running.map((c) => streams.get(c.id) ?? openStream(c.id));
        await untilAllFresh(states, intervalMs * STREAM_WAIT_SHARE);
        running.forEach((c, i) => {
          const state = states[i];
          if (state?.latest) results.set(c.id, state.latest);
          if (state) state.fresh = false;
        });
        return results;
      }
      closeStreams(new Set());
      const polled = await mapLimit(running, options.concurrency, (c) => poll(c.id));
      running.forEach((c, i) => {
        const result = polled[i];
        if (result) results.set(c.id, result);
      });
      return results;
    },
    setInterval(ms) {
      intervalMs = ms;
    },
    forget(id) {
      streams.get(id)?.subscription.close();
      streams.delete(id);
    },
    close() {
      closeStreams(new Set());
    },
  };
}
