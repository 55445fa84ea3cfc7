/**
 * Opening the app again shows the dashboard: a second launch (the single-instance lock hands it
 * to us as `second-instance`), and on macOS Finder, Spotlight or the Dock (`activate`, which a
 * menu-bar app gets even with no window on screen).
 */
import type { App } from 'electron';

export function showOnReopen(app: Pick<App, 'on'>, show: () => void): void {
  app.on('second-instance', () => show());
  app.on('activate', () => show());
}
