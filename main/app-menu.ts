/**
 * The application menu. Electron installs a default one at `will-finish-launching`
 * (lib/browser/default-menu.ts) with View > Reload, Force Reload and Toggle Developer Tools
 * (Ctrl+R, Ctrl+Shift+I; Cmd+R, Alt+Cmd+I) and Window > Close (Ctrl+W, Cmd+W): anyone at the
 * keyboard could reload the dashboard or open DevTools in the packaged app. Only an Edit menu is
 * kept, and only on macOS, where text fields get cut, copy, paste and select-all from its
 * accelerators alone. Windows and Linux get none: Chromium handles the editing keys itself there,
 * and no menu also means no menu bar on a framed window.
 */
import type { MenuItemConstructorOptions } from 'electron';

export function applicationMenu(platform: NodeJS.Platform): MenuItemConstructorOptions[] | null {
  return platform === 'darwin' ? [{ role: 'editMenu' }] : null;
}
