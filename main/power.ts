/**
 * Sleep and wake. While the machine sleeps the engine's streams (events, stats) go stale: their
 * sockets look open and nothing arrives, and after a wake a collector would wait for its health
 * check to fail first. So a suspend stops collection and a resume starts it afresh, every
 * collector connecting again, whether or not the suspend was seen. A resume or an unlock is also
 * when Docker Desktop may just have come up: the local engine is looked for at once. (Electron
 * emits `suspend` and `resume` everywhere, `unlock-screen` on macOS and Windows only.)
 */
import type { PowerMonitor } from 'electron';
import type { MonitorService } from '../src/service/monitor.ts';

export interface PowerOptions {
  readonly powerMonitor: Pick<PowerMonitor, 'on'>;
  readonly service: Pick<MonitorService, 'setPaused'>;
  /** The user's own "Pause monitoring": waking up does not undo it. */
  readonly userPaused: () => boolean;
  readonly lookAgain: () => void;
}

export function followPower(options: PowerOptions): void {
  const { powerMonitor, service } = options;
  powerMonitor.on('suspend', () => {
    if (!options.userPaused()) service.setPaused(true);
  });
  powerMonitor.on('resume', () => {
    if (!options.userPaused()) {
      service.setPaused(true);
      service.setPaused(false);
    }
    options.lookAgain();
  });
  powerMonitor.on('unlock-screen', () => options.lookAgain());
}
