import type { CollectorListeners, Mode } from '../../src/collect/collector.ts';
import type { Round } from '../../src/model.ts';
import type { HostState, Sample } from '../../src/model.ts';
import type { MonitorSource } from '../../src/service/sources.ts';
import type { Clock } from '../../src/util/clock.ts';
import { makeHostState } from './samples.ts';

export const T0 = 1_700_000_000_000;

/** A collector the test drives: host states and rounds go to the monitor when the test says. */
export class FakeCollector implements MonitorSource {
  readonly modes: Mode[] = [];
  started = 0;
  stopped = 0;
  readonly #listeners: CollectorListeners[] = [];
  state: HostState;

  constructor(host: string) {
    this.state = makeHostState(host, 'connecting', { ts: T0 });
  }

  on(listeners: CollectorListeners): () => void {
    this.#listeners.push(listeners);
    return () => this.#listeners.splice(this.#listeners.indexOf(listeners), 1);
  }
  setMode(mode: Mode): void {
    this.modes.push(mode);
  }
  start(): void {
    this.started++;
  }
  stop(): void {
    this.stopped++;
  }
  host(state: HostState): void {
    this.state = state;
    for (const l of this.#listeners) l.host?.(state);
  }
  /** A complete round of this host: every sample fresh. */
  round(ts: number, samples: Sample[]): void {
    const round: Round = {
      host: this.state.host,
      ts,
      samples,
      fresh: samples.length,
      running: samples.length,
      durationMs: 1,
    };
    for (const l of this.#listeners) l.round?.(round);
  }
  get lastMode(): Mode | undefined {
    return this.modes.at(-1);
  }
}

/** A clock that moves only when told; its timers never fire. */
export function fakeClock(start = T0): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    setTimeout: () => null,
    clearTimeout: () => undefined,
    advance(ms) {
      now += ms;
    },
  };
}
