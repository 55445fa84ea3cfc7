import type { ActiveAlert } from '../alerts/types.ts';
import type { Verdict } from '../alerts/verdict.ts';
import type { Round } from '../model.ts';
import type { EventChannel, EventChannels, InvokeChannel, InvokeChannels } from '../api.ts';
import type { HostState, Sample } from '../model.ts';

/** The latest of everything that is true now, without copies of the log: what a scrape reads. */
export interface CurrentState {
  /** Each host's latest round's samples, all hosts together. */
  readonly samples: readonly Sample[];
  /** Each host's latest round. */
  readonly rounds: readonly Round[];
  readonly hosts: readonly HostState[];
  readonly active: readonly ActiveAlert[];
  /** OOM kills per container key since the monitor started. */
  readonly oomKills: ReadonlyMap<string, number>;
  /** What is wrong now: the one answer every shell shows. */
  readonly verdict: Verdict;
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
