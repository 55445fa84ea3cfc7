import { hostChanges } from './page-hosts.ts';
import type { HostSetting } from '../settings/schema.ts';
import type { MonitorSource } from './sources.ts';

export type MakeCollector = (
  host: HostSetting,
) => Promise<{ ok: true; collector: MonitorSource } | { ok: false; error: string }>;

export interface SavedHostsOptions {
  readonly make: MakeCollector;
  /** The saved hosts as the settings hold them now. */
  readonly current: () => readonly HostSetting[];
  /** Starts watching a new collector; false when the monitor stopped meanwhile. */
  readonly attach: (collector: MonitorSource) => boolean;
  /** Stops and forgets a host's collector and everything known about the host. */
  readonly detach: (collector: MonitorSource | undefined, name: string) => void;
  readonly warn: (text: string) => void;
}

/**
 * Saved hosts added, changed or removed while the monitor runs are watched, restarted or dropped
 * at once, one change at a time and in order, so a quick rename back and forth ends as the
 * settings say.
 */
export class SavedHosts {
  readonly #o: SavedHostsOptions;
  readonly #byName = new Map<string, MonitorSource>();
  #following: Promise<void> = Promise.resolve();

  constructor(options: SavedHostsOptions, watched: readonly MonitorSource[]) {
    this.#o = options;
    for (const host of options.current()) {
      const collector = watched.find((c) => c.state.host === host.name);
      if (collector !== undefined) this.#byName.set(host.name, collector);
    }
  }

  follow(before: readonly HostSetting[], after: readonly HostSetting[]): void {
    const { stop, start } = hostChanges(before, after);
    for (const name of stop) {
      this.#o.detach(this.#byName.get(name), name);
      this.#byName.delete(name);
    }
    this.#following = this.#following
      .then(async () => {
        for (const host of start) await this.#watch(host);
      })
      .catch((error: unknown) =>
        this.#o.warn(`Could not watch the changed hosts: ${(error as Error).message}`),
      );
  }

  /** Resolves once every change asked for so far is in effect. */
  settled(): Promise<void> {
    return this.#following;
  }

  async #watch(host: HostSetting): Promise<void> {
    const made = await this.#o.make(host);
    if (!made.ok) {
      this.#o.warn(made.error);
      return;
    }
    const now = this.#o.current().find((h) => h.name === host.name);
    if (this.#byName.has(host.name) || now?.url !== host.url || !this.#o.attach(made.collector)) {
      closeSource(made.collector);
      return;
    }
    this.#byName.set(host.name, made.collector);
  }
}

/** Stops a collector for good, connections and all. */
export function closeSource(collector: MonitorSource): void {
  if (collector.close === undefined) collector.stop();
  else collector.close();
}
