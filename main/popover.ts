/**
 * The popover: a frameless window next to the tray icon that shows the dashboard. A left click
 * toggles it, losing focus hides it, and while it is shown the monitor collects at the fast rate.
 * Where a desktop cannot place a window (Wayland) it is a normal framed window instead (see
 * window-style.ts). Closing it only hides it: the one window lives as long as the app.
 */
import type {
  BrowserWindow,
  BrowserWindowConstructorOptions,
  Point,
  Rectangle,
  Screen,
  Session,
  WebContents,
} from 'electron';
import type { MonitorService } from '../src/service/monitor.ts';
import { APP_URL } from './app-protocol.ts';
import { popoverPosition } from './popover-position.ts';
import type { WindowStyle } from './window-style.ts';
import { timelineMomentOf } from '../src/service/timeline.ts';

export const POPOVER_SIZE = { width: 440, height: 620 } as const;

/**
 * A tray click that arrives this soon after the popover hid on blur is the click that caused the
 * blur (the tray took the focus): it must not show the popover again.
 */
export const BLUR_CLICK_MS = 300;

export type PopoverContents = Pick<WebContents, 'send' | 'on' | 'isDestroyed'>;
export type HardenedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'> & {
  readonly session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;
};
export type PopoverWindow = Pick<
  BrowserWindow,
  'show' | 'hide' | 'focus' | 'isVisible' | 'setBounds' | 'setVisibleOnAllWorkspaces' | 'loadURL' | 'on'
> & { readonly webContents: PopoverContents };

/**
 * Creates the window: the page gets no Node, its own JS world, a sandbox, and only the preload's
 * API. The options are written out at the `new BrowserWindow` call so that Electronegativity,
 * which reads this file, checks the real ones. A `window` style is an ordinary framed window the
 * user moves and sizes, listed in the taskbar.
 */
export function createPopoverWindow<W>(
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => W,
  preload: string,
  style: WindowStyle = 'popover',
): W {
  const framed = style === 'window';
  return new BrowserWindow({
    width: POPOVER_SIZE.width,
    height: POPOVER_SIZE.height,
    show: false,
    frame: framed,
    resizable: framed,
    movable: framed,
    minimizable: framed,
    maximizable: framed,
    fullscreenable: false,
    skipTaskbar: !framed,
    alwaysOnTop: !framed,
    title: 'Dify Monitor',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // A middle click would otherwise ask for a new window; the open handler denies it anyway.
      disableBlinkFeatures: 'Auxclick',
    },
  });
}

/** The page may not open windows, navigate away, embed webviews or get any permission. */
export function hardenContents(contents: HardenedContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  contents.session.setPermissionCheckHandler(() => false);
}

export interface PopoverOptions {
  readonly window: PopoverWindow;
  readonly style: WindowStyle;
  readonly platform: NodeJS.Platform;
  readonly screen: Pick<Screen, 'getDisplayNearestPoint' | 'getCursorScreenPoint'>;
  readonly trayBounds: () => Rectangle;
  readonly service: Pick<MonitorService, 'handle'>;
  /** True once the app really quits: only then may the window close for good. */
  readonly quitting: () => boolean;
  readonly now: () => number;
  readonly warn: (text: string) => void;
}

export class Popover {
  readonly #o: PopoverOptions;
  #hiddenOnBlurAt = Number.NEGATIVE_INFINITY;
  /** The page subscribes to events only after its first `monitor:visible`; sends before that are lost. */
  #ready = false;
  #pendingFocus: string | null = null;
  /** Save dialogs open over the window: they take the focus, and the window must stay meanwhile. */
  #holds = 0;

  constructor(options: PopoverOptions) {
    this.#o = options;
    const win = options.window;
    // Cmd+W, Alt+F4 or a title bar's close would destroy the only window, and every later call on
    // it would throw "Object has been destroyed". Electron quits by closing every window after
    // `before-quit`; a close refused then would cancel the quit (Browser::OnWindowCloseCancelled).
    win.on('close', (event) => {
      if (options.quitting()) return;
      event.preventDefault();
      win.hide();
    });
    win.on('blur', () => {
      if (options.style === 'window' || this.#holds > 0 || !win.isVisible()) return;
      this.#hiddenOnBlurAt = options.now();
      win.hide();
    });
    // Over a full-screen app too. The transform would hide the Dock icon, which is hidden already.
    if (options.platform === 'darwin' && options.style === 'popover') {
      win.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true, skipTransformProcessType: true });
    }
    win.on('show', () => this.#visible(true));
    win.on('hide', () => this.#visible(false));
    // A new document (first load, reload after a crash), not a hash change within the page.
    win.webContents.on('did-navigate', () => {
      this.#ready = false;
    });
  }

  load(hash = ''): void {
    this.#o.window.loadURL(`${APP_URL}${hash}`).catch((error: Error) => {
      this.#o.warn(`Cannot load the dashboard: ${error.message}`);
    });
  }

  get visible(): boolean {
    return this.#o.window.isVisible();
  }

  /** The left click on the tray icon; a framed window is only brought up, never toggled away. */
  toggle(): void {
    if (this.#o.style === 'window') this.show();
    else if (this.visible) this.hide();
    else if (this.#o.now() - this.#hiddenOnBlurAt >= BLUR_CLICK_MS) this.show();
  }

  show(): void {
    const win = this.#o.window;
    // Position and size in one call: getSize() then setPosition() is scaled by the wrong
    // display's factor on Windows with mixed DPI (electron#10862). A framed window stays where
    // the user (or the compositor) put it.
    if (this.#o.style === 'popover') win.setBounds(this.#placement());
    win.show();
    win.focus();
  }

  /** Keeps the window up while something it opened has the focus; the returned function lets go. */
  holdOpen(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
    };
  }

  hide(): void {
    this.#o.window.hide();
  }

  /** The page said it listens (its first `monitor:visible`): anything waiting can be sent. */
  rendererReady(): void {
    this.#ready = true;
    if (this.#pendingFocus !== null) this.#send(this.#pendingFocus);
    this.#pendingFocus = null;
  }

  /** A notification or a menu item asks for one container's page. */
  focusContainer(key: string): void {
    if (!this.visible) this.show();
    if (this.#ready) this.#send(key);
    else this.#pendingFocus = key;
  }

  /**
   * A notification's click: its container's page when the key names a container, the timeline at
   * its first entry for a morning report, else the overview.
   */
  async openAlert(key: string | null): Promise<void> {
    const at = timelineMomentOf(key);
    if (at !== null) {
      if (!this.visible) this.show();
      this.load(`#/timeline?at=${at}`);
      return;
    }
    const { samples } = await this.#o.service.handle('monitor:snapshot', null);
    if (key !== null && samples.some((s) => s.key === key)) this.focusContainer(key);
    else if (!this.visible) this.show();
  }

  /** The page has no event for its settings view; a same-document navigation to its hash opens it. */
  openSettings(): void {
    if (!this.visible) this.show();
    this.load('#/settings');
  }

  #placement(): Rectangle {
    const tray = this.#o.trayBounds();
    const cursor: Point = this.#o.screen.getCursorScreenPoint();
    const near = tray.width > 0 ? { x: tray.x, y: tray.y } : cursor;
    const display = this.#o.screen.getDisplayNearestPoint(near);
    const { x, y } = popoverPosition({ tray, window: POPOVER_SIZE, display, cursor });
    return { x, y, ...POPOVER_SIZE };
  }

  #send(key: string): void {
    const contents = this.#o.window.webContents;
    if (!contents.isDestroyed()) contents.send('ui:focus-container', { key });
  }

  #visible(visible: boolean): void {
    this.#o.service.handle('monitor:visible', { visible }).catch((error: Error) => {
      this.#o.warn(`Cannot switch the collection rate: ${error.message}`);
    });
  }
}
