/**
 * Keeps the tray icon, its tooltip and its context menu in step with the monitor. Every change the
 * monitor pushes (a round, a host, an alert, settings) leads to one fresh summary; the icon and
 * tooltip are only touched when what they say changes.
 */
import { join } from 'node:path';
import type { Menu, MenuItemConstructorOptions, NativeImage, Tray } from 'electron';
import type { MonitorService } from '../src/service/monitor.ts';
import { trayMenuTemplate, type MenuActions } from './menu-template.ts';
import { summarize, type TraySummary, type TrayState } from './tray-state.ts';

export type TrayLike = Pick<Tray, 'setImage' | 'setToolTip' | 'on' | 'popUpContextMenu' | 'setContextMenu'>;

/**
 * The icon file for a state: monochrome template images on macOS (the menu bar tints them for
 * light and dark), coloured ones elsewhere. Electron picks the `@2x` file beside each by itself.
 */
export function trayIconPath(assetsDir: string, state: TrayState, platform: NodeJS.Platform): string {
  return join(assetsDir, 'tray', platform === 'darwin' ? `${state}Template.png` : `${state}.png`);
}

export interface TrayControllerOptions {
  readonly tray: TrayLike;
  readonly service: Pick<MonitorService, 'handle' | 'on' | 'current'>;
  readonly icon: (state: TrayState) => NativeImage | string;
  readonly buildMenu: (template: MenuItemConstructorOptions[]) => Menu;
  readonly actions: MenuActions;
  readonly onLeftClick: () => void;
  readonly paused: () => boolean;
  /** Why notifications fail, for the menu; null while they work. */
  readonly notificationProblem: () => string | null;
  readonly now: () => number;
  /**
   * Linux tray hosts (AppIndicator) report no clicks: the menu must be attached to the icon, and
   * the left click reaches the dashboard through its first item.
   */
  readonly attachMenu: boolean;
  readonly warn: (text: string) => void;
}

export class TrayController {
  readonly #o: TrayControllerOptions;
  #summary: TraySummary | null = null;
  #template: MenuItemConstructorOptions[] = [];
  #attached = '';
  #running: Promise<void> | null = null;
  #again = false;
  readonly #stops: (() => void)[];

  constructor(options: TrayControllerOptions) {
    this.#o = options;
    options.tray.on('click', () => options.onLeftClick());
    options.tray.on('right-click', () => {
      if (!options.attachMenu) options.tray.popUpContextMenu(options.buildMenu(this.#template));
    });
    const changed = (): void => void this.refresh();
    this.#stops = (['monitor:round', 'monitor:verdict', 'monitor:host', 'settings:changed'] as const).map(
      (channel) => options.service.on(channel, changed),
    );
  }

  get summary(): TraySummary | null {
    return this.#summary;
  }

  get menuTemplate(): MenuItemConstructorOptions[] {
    return this.#template;
  }

  /** Re-reads the monitor; calls during a refresh are folded into one more. */
  refresh(): Promise<void> {
    if (this.#running !== null) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          await this.#update();
        } catch (error) {
          this.#o.warn(`Cannot update the tray: ${(error as Error).message}`);
        }
      } while (this.#again);
      this.#running = null;
    })();
    return this.#running;
  }

  stop(): void {
    for (const stop of this.#stops) stop();
  }

  async #update(): Promise<void> {
    const snapshot = await this.#o.service.handle('monitor:snapshot', null);
    const paused = this.#o.paused();
    const summary = summarize({
      hosts: snapshot.hosts,
      samples: snapshot.samples,
      verdict: snapshot.verdict,
      settings: snapshot.settings,
      paused,
      now: this.#o.now(),
    });
    const before = this.#summary;
    this.#summary = summary;
    if (before?.state !== summary.state) this.#o.tray.setImage(this.#o.icon(summary.state));
    if (before?.tooltip !== summary.tooltip) this.#o.tray.setToolTip(summary.tooltip);
    this.#template = trayMenuTemplate(
      {
        hosts: snapshot.hosts,
        levels: summary.levels,
        alerts: snapshot.alerts,
        mutedUntil: snapshot.mutedUntil,
        paused,
        startAtLogin: snapshot.settings.startAtLogin,
        notificationProblem: this.#o.notificationProblem(),
      },
      this.#o.actions,
    );
    if (this.#o.attachMenu) {
      // Rebuilt only when it reads differently: an AppIndicator menu flickers when replaced while open.
      const shape = JSON.stringify(this.#template.map((i) => [i.label, i.checked, i.enabled]));
      if (shape !== this.#attached) {
        this.#attached = shape;
        this.#o.tray.setContextMenu(this.#o.buildMenu(this.#template));
      }
    }
  }
}
