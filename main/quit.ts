/**
 * Quitting in order. Electron emits `before-quit` and then closes every window; with
 * `event.preventDefault()` it does neither, and a later `app.quit()` starts over with a fresh
 * `before-quit` (Browser::Quit in shell/browser/browser.cc). So the first one is held back until
 * the monitor and the exporter have stopped (no collector left mid-request, no port left open),
 * and the second is let through. Only then is the app `quitting`, and the window may close.
 */
import type { App } from 'electron';

export interface QuitOptions {
  readonly app: Pick<App, 'on' | 'quit'>;
  /** Stops whatever runs; a failure is reported and the quit goes on. */
  readonly stop: () => Promise<void>;
  readonly warn: (text: string) => void;
}

export interface QuitState {
  readonly quitting: boolean;
}

export function quitInOrder(options: QuitOptions): QuitState {
  let phase: 'running' | 'stopping' | 'stopped' = 'running';
  let quitting = false;
  options.app.on('before-quit', (event) => {
    if (phase === 'stopped') {
      quitting = true;
      return;
    }
    event.preventDefault();
    if (phase === 'stopping') return;
    phase = 'stopping';
    void options
      .stop()
      .catch((error: Error) => options.warn(`Could not stop cleanly: ${error.message}`))
      .then(() => {
        phase = 'stopped';
        options.app.quit();
      });
  });
  return {
    get quitting() {
      return quitting;
    },
  };
}
