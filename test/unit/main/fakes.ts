/**
 * Stand-ins for what main/ is handed: a collector the test drives, and Electron objects that
 * record what was done to them. The monitor service itself is always the real one.
 */
import type { HostState, Sample } from '../../../src/model.ts';
import { createMonitorService } from '../../../src/service/create-monitor.ts';
import type { MonitorService } from '../../../src/service/monitor.ts';
import type { DesktopNotification, Notifier } from '../../../src/notify/notifier.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/settings/schema.ts';
import { memorySettingsStore, type SettingsStore } from '../../../src/settings/store.ts';
import { FakeCollector, fakeClock, T0 } from '../../helpers/fake-collector.ts';
import { makeHostState, makeSample } from '../../helpers/samples.ts';

export { FakeCollector, fakeClock, T0 };

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;

export function hostState(host: string, state: HostState['state'], over: Partial<HostState> = {}): HostState {
  return makeHostState(host, state, { ts: T0, ...over });
}

export function sample(name: string, memUsageBytes: number, over: Partial<Sample> = {}): Sample {
  const n = name.split('-').at(-1) ?? '1';
  const service = name.split('-').slice(1, -1).join('-') || 'api';
  return makeSample({
    ts: T0,
    service,
    name,
    id: `id-${name}`,
    memUsageBytes,
    memPercent: (memUsageBytes / (8 * GIB)) * 100,
    key: `local/docker/${service}/${n}`,
    ...over,
  });
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
