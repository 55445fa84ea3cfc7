import type { EventChannel, EventChannels, InvokeChannel, InvokeChannels } from '../api.ts';

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
  /** Someone is looking (window shown, browser tab open): collect at the fast rate. Counted per viewer. */
  addViewer(): () => void;
  /** Stops or resumes collection (tray "Pause monitoring"). */
  setPaused(paused: boolean): void;
  stop(): Promise<void>;
}
