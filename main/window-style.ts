/**
 * Which kind of window the dashboard gets. Electron 38 and later run natively on Wayland when the
 * session is a Wayland one (docs/breaking-changes.md, "Removed: ELECTRON_OZONE_PLATFORM_HINT").
 * There a client may not place its windows, nor raise or focus them without user input
 * (docs/api/browser-window.md, "Platform notices"); `setPosition`, `setAlwaysOnTop`,
 * `skipTaskbar` and the cursor point do nothing. A frameless popover would open anywhere, show
 * in Alt-Tab, and might never lose the focus that hides it. So on Wayland the dashboard is a
 * normal framed window, opened from the tray menu; under X11 (also XWayland, with
 * `--ozone-platform=x11`), macOS and Windows it is the popover next to the tray icon.
 */

export type WindowStyle = 'popover' | 'window';

export interface DisplayServer {
  readonly platform: NodeJS.Platform;
  /** `$XDG_SESSION_TYPE`, which Chromium's `--ozone-platform=auto` (the default) goes by. */
  readonly sessionType: string | undefined;
  /** The `--ozone-platform` switch the app was started with, '' when none. */
  readonly ozonePlatform: string;
}

export function windowStyle(display: DisplayServer): WindowStyle {
  if (display.platform !== 'linux') return 'popover';
  const chosen = display.ozonePlatform === '' ? 'auto' : display.ozonePlatform;
  if (chosen === 'wayland') return 'window';
  if (chosen === 'auto' && display.sessionType === 'wayland') return 'window';
  return 'popover';
}
