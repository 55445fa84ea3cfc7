import type { ActiveAlert } from '../alerts/types.ts';
import type { EventChannel, EventChannels, InvokeChannel, InvokeChannels } from '../api.ts';
import type { HostState, Sample } from '../model.ts';

/** The latest of everything that is true now, without copies of the log: what a scrape reads. */
export interface CurrentState {
  /** Each host's latest round. */
  readonly samples: readonly Sample[];
  readonly hosts: readonly HostState[];
  readonly active: readonly ActiveAlert[];
  /** OOM kills per container key since the monitor started. */
  readonly oomKills: ReadonlyMap<string, number>;
}

/**
 * The running monitor as both shells see it: the Electron main process and the web bridge each
 * hold one and forward their channel to it. It owns the collectors, history, alert engine, alert
 * log and settings, so that neither shell decides anything on its own.
 */
export interface MonitorService {
  /** Answers an invoke whose payload was already checked with `checkRequest`. */
  handle<C extends InvokeChannel>(
    channel: C,
    request: InvokeChannels[C]['request'],
  ): Promise<InvokeChannels[C]['response']>;
  on<C extends EventChannel>(channel: C, listener: (payload: EventChannels[C]) => void): () => void;
  current(): CurrentState;
  /** Someone is looking (window shown, browser tab open): collect at the fast rate. Counted per viewer. */
  addViewer(): () => void;
  /** Stops or resumes collection (tray "Pause monitoring"). */
  setPaused(paused: boolean): void;
  stop(): Promise<void>;
}
