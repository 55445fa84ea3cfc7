/**
 * Stand-ins for what main/ is handed: a collector the test drives, and Electron objects that
 * record what was done to them. The monitor service itself is always the real one.
 */
import type { CollectorListeners, Mode, Round } from '../../src/collect/collector.ts';
import type { HostState, Sample } from '../../src/model.ts';
import { createMonitorService, type MonitorSource } from '../../src/service/create-monitor.ts';
import type { MonitorService } from '../../src/service/monitor.ts';
import type { DesktopNotification, Notifier } from '../../src/notify/notifier.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../src/settings/schema.ts';
import { memorySettingsStore, type SettingsStore } from '../../src/settings/store.ts';
import type { Clock } from '../../src/util/clock.ts';

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;
export const T0 = 1_700_000_000_000;

export class FakeCollector implements MonitorSource {
  readonly modes: Mode[] = [];
  readonly #listeners: CollectorListeners[] = [];
  state: HostState;

  constructor(host: string) {
    this.state = hostState(host, 'connecting');
  }

  on(listeners: CollectorListeners): () => void {
    this.#listeners.push(listeners);
    return () => this.#listeners.splice(this.#listeners.indexOf(listeners), 1);
  }
  setMode(mode: Mode): void {
    this.modes.push(mode);
  }
  start(): void {}
  stop(): void {}
  host(state: HostState): void {
    this.state = state;
    for (const l of this.#listeners) l.host?.(state);
  }
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

export function hostState(host: string, state: HostState['state'], over: Partial<HostState> = {}): HostState {
  return {
    type: 'host',
    ts: T0,
    host,
    state,
    message: state,
    endpoint: 'unix:///var/run/docker.sock',
    reason: 'test',
    ...over,
  };
}

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

export function sample(name: string, memUsageBytes: number, over: Partial<Sample> = {}): Sample {
  const n = name.split('-').at(-1) ?? '1';
  const service = name.split('-').slice(1, -1).join('-') || 'api';
  return {
    type: 'sample',
    ts: T0,
    host: 'local',
    stack: 'docker',
    role: 'api',
    service,
    name,
    id: `id-${name}`,
    image: 'langgenius/dify-api:1.10.1',
    state: 'running',
    health: 'none',
    cpuPercent: 1,
    cpuOfLimitPercent: 1,
    memUsageBytes,
    memLimitBytes: 8 * GIB,
    memLimitSource: 'host',
    memPercent: (memUsageBytes / (8 * GIB)) * 100,
    netRxBytes: 0,
    netTxBytes: 0,
    blockReadBytes: 0,
    blockWriteBytes: 0,
    pids: 3,
    restartCount: 0,
    oomKilled: false,
    exitCode: null,
    key: `local/docker/${service}/${n}`,
    ...over,
  };
}

export interface Harness {
  readonly clock: ReturnType<typeof fakeClock>;
  readonly collector: FakeCollector;
  readonly settings: SettingsStore;
  readonly service: MonitorService;
  readonly notified: DesktopNotification[];
}

/** A real MonitorService over one fake collector, with a notifier that records or is given. */
export function harness(options: { settings?: Settings; notifier?: Notifier } = {}): Harness {
  const clock = fakeClock();
  const collector = new FakeCollector('local');
  const settings = memorySettingsStore(options.settings ?? DEFAULT_SETTINGS);
  const notified: DesktopNotification[] = [];
  const notifier: Notifier = options.notifier ?? {
    available: true,
    check: async () => true,
    notify: async (n) => {
      notified.push(n);
      return { ok: true };
    },
  };
  const service = createMonitorService({ collectors: [collector], clock, settings, notifier });
  return { clock, collector, settings, service, notified };
}

/** Lets the promise callbacks queued so far run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

type Listener = (...args: unknown[]) => void;

/** Records `on` listeners by event name and fires them on demand. */
export class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
}
