import type { ContainerMeta, Reading } from '../model.ts';

export type SourceResult =
  | { readonly ok: true; readonly reading: Reading; readonly previous: Reading | null }
  | { readonly ok: false; readonly error: string };

/** Where the numbers come from: the kernel's cgroup files, or the engine's stats API. */
export interface StatsSource {
  readonly kind: 'cgroup' | 'api';
  /** The latest reading of each running container; a container missing from the map had none yet. */
  read(containers: readonly ContainerMeta[]): Promise<Map<string, SourceResult>>;
  /** The host's OOM kill count (/proc/vmstat), read before the containers; absent where it cannot be read. */
  hostOomKills?(): number | null;
  /** The collector's interval changed (tray ↔ window): a source may change strategy. */
  setInterval(ms: number): void;
  forget(id: string): void;
  close(): void;
}
