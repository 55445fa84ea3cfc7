import type { CollectorListeners, Mode } from '../collect/collector.ts';
import type { HostState, ProcessTable } from '../model.ts';

/** The part of a Collector the service drives; tests hand in fakes with the same shape. */
export interface MonitorSource {
  on(listeners: CollectorListeners): () => void;
  setMode(mode: Mode): void;
  start(): void;
  stop(): void;
  /** Stops for good, connections and all: the host was removed from settings. */
  close?(): void;
  readonly state: HostState;
  /** The user's own log patterns (settings' `logPatterns`), where the collector follows logs. */
  setLogPatterns?(
    patterns: readonly { name: string; pattern: string; severity: 'warning' | 'critical' }[],
  ): void;
  /** A container's processes, where the collector can read them. */
  processes?(id: string): Promise<ProcessTable | null>;
}
