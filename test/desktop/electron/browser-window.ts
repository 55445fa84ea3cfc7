/**
 * `BrowserWindow`, its `webContents` and the default `session`, each window backed by a real
 * Chromium page (playwright-core) at the window's size. A custom scheme main registered with
 * `protocol.handle` (app://dify-monitor/…) is loaded from `http://dify-monitor.app.localhost/…`,
 * whose every request Playwright routes to that handler, and the page's URL is told to main in
 * the app:// form again. The preload runs on every new document (ipc.ts), and what it exposes is
 * bridged into the page (bridge.ts). A window can be closed (a cancellable `close`) and
 * destroyed; after that every call on it or its webContents throws "Object has been destroyed".
 */
import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions, Rectangle, SaveDialogOptions } from 'electron';
import type { BrowserContext, Download, Page } from 'playwright-core';
import { app, electronEvent, protocolHandler, trackWindow, untrackWindow } from './app.ts';
import { bridgePage } from './bridge.ts';
import { runPreload, StandInIpcRenderer, type Exposed } from './ipc.ts';
import { world } from './world.ts';

const DESTROYED = 'Object has been destroyed';
const LOCALHOST = '.localhost';

/** app://dify-monitor/x → http://dify-monitor.app.localhost/x: a secure-context origin Chromium loads. */
export function pageUrlOf(url: string): string {
  const parsed = new URL(url);
  const scheme = parsed.protocol.slice(0, -1);
  if (!protocolHandler(scheme).privileged) return url;
  return `http://${parsed.host}.${scheme}${LOCALHOST}${parsed.pathname}${parsed.search}${parsed.hash}`;
}

/** The other way: what main is told a page's URL is. */
export function appUrlOf(pageUrl: string): string {
  const parsed = new URL(pageUrl);
  if (parsed.protocol !== 'http:' || !parsed.hostname.endsWith(LOCALHOST)) return pageUrl;
  const [host, scheme] = parsed.hostname.slice(0, -LOCALHOST.length).split('.');
  return `${scheme}://${host}${parsed.pathname}${parsed.search}${parsed.hash}`;
}

/** The save dialog Electron opens for a download whose path main did not set. */
export interface SaveDialog {
  readonly options: SaveDialogOptions;
  /** The user picks a file, or cancels (null). */
  answer(path: string | null): void;
}

class StandInSession extends EventEmitter {
  permissionRequest: unknown = null;
  permissionCheck: unknown = null;
  readonly saveDialogs: SaveDialog[] = [];
  #context: Promise<BrowserContext> | null = null;

  setPermissionRequestHandler(handler: unknown): void {
    this.permissionRequest = handler;
  }

  setPermissionCheckHandler(handler: unknown): void {
    this.permissionCheck = handler;
  }

  /** One Chromium context per session, as Electron's windows share the default session. */
  context(): Promise<BrowserContext> {
    this.#context ??= world.scene.browser.newContext({ acceptDownloads: true }).then(async (context) => {
      await context.route('**/*', async (route) => {
        const url = appUrlOf(route.request().url());
        const scheme = url.slice(0, url.indexOf(':'));
        const { handler } = protocolHandler(scheme);
        if (handler === undefined || url === route.request().url()) return route.abort('blockedbyclient');
        const response = await handler(new Request(url, { method: route.request().method() }));
        await route.fulfill({
          status: response.status,
          headers: Object.fromEntries(response.headers),
          body: Buffer.from(await response.arrayBuffer()),
        });
      });
      return context;
    });
    return this.#context;
  }

  reset(): void {
    this.removeAllListeners();
    this.saveDialogs.length = 0;
    const context = this.#context;
    this.#context = null;
    void context?.then((c) => c.close()).catch(() => undefined);
  }
}

export const session = { defaultSession: new StandInSession() };

class StandInDownloadItem extends EventEmitter {
  readonly #download: Download;
  #dialog: SaveDialogOptions = {};
  #path = '';

  constructor(download: Download) {
    super();
    this.#download = download;
  }
  getFilename(): string {
    return this.#download.suggestedFilename();
  }
  getURL(): string {
    return this.#download.url();
  }
  setSaveDialogOptions(options: SaveDialogOptions): void {
    this.#dialog = options;
  }
  getSaveDialogOptions(): SaveDialogOptions {
    return this.#dialog;
  }
  setSavePath(path: string): void {
    this.#path = path;
  }
  getSavePath(): string {
    return this.#path;
  }

  /** After `will-download`: the path main set, else a save dialog over the window, then done. */
  async complete(window: BrowserWindow): Promise<void> {
    let path: string | null = this.#path === '' ? null : this.#path;
    if (path === null) {
      window.dialogFocus(true);
      path = await new Promise<string | null>((resolve) =>
        session.defaultSession.saveDialogs.push({
          options: { title: this.getURL(), ...this.#dialog },
          answer: resolve,
        }),
      );
      window.dialogFocus(false);
    }
    if (path === null) {
      await this.#download.cancel();
      this.emit('done', electronEvent(), 'cancelled');
      return;
    }
    this.#path = path;
    await this.#download.saveAs(path);
    this.emit('done', electronEvent(), 'completed');
  }
}

let nextId = 1;

export class WebContents extends EventEmitter {
  readonly id = nextId++;
  readonly session = session.defaultSession;
  /** The main frame as ipcMain's senders name it: the same object for the life of the contents. */
  readonly mainFrame: { readonly url: string; readonly top: unknown };
  windowOpenHandler: unknown = null;
  readonly #window: BrowserWindow;
  readonly #preload: string | undefined;
  #page: Promise<Page>;
  #renderer: StandInIpcRenderer;
  #exposed: Exposed = new Map();
  /** The page once it exists: its main frame's URL is the document's as soon as it commits. */
  #current: Page | null = null;
  #destroyed = false;

  constructor(window: BrowserWindow, preload: string | undefined, size: { width: number; height: number }) {
    super();
    this.#window = window;
    this.#preload = preload;
    const url = (): string => (this.#current === null ? '' : appUrlOf(this.#current.mainFrame().url()));
    const frame = {
      get url() {
        return url();
      },
      get top() {
        return frame;
      },
    };
    this.mainFrame = frame;
    this.#renderer = this.#newRenderer();
    this.#page = this.session.context().then(async (context) => {
      const page = await context.newPage();
      this.#current = page;
      await page.setViewportSize(size);
      await bridgePage(page, () => this.#exposed);
      page.on('download', (download) => void this.#download(download));
      return page;
    });
  }

  page(): Promise<Page> {
    return this.#page;
  }

  isDestroyed(): boolean {
    return this.#destroyed;
  }

  getURL(): string {
    this.#alive();
    return this.mainFrame.url;
  }

  send(channel: string, ...args: unknown[]): void {
    this.#alive();
    this.#renderer.deliver(channel, args);
  }

  setWindowOpenHandler(handler: unknown): void {
    this.#alive();
    this.windowOpenHandler = handler;
  }

  /** A new document gets a fresh preload run; a hash change stays in the page (did-navigate-in-page). */
  async loadURL(url: string): Promise<void> {
    this.#alive();
    const page = await this.#page;
    const before = this.mainFrame.url;
    const sameDocument =
      before.startsWith('app:') && url.split('#')[0] === before.split('#')[0] && url.includes('#');
    if (!sameDocument) this.#renderer = this.#newRenderer();
    const response = await page.goto(pageUrlOf(url));
    if (sameDocument) {
      this.emit('did-navigate-in-page', electronEvent(), this.mainFrame.url, true, 0, 0);
      return;
    }
    this.emit('did-navigate', electronEvent(), this.mainFrame.url, response?.status() ?? 200, '');
    this.emit('did-finish-load', electronEvent());
  }

  setViewportSize(size: { width: number; height: number }): void {
    void this.#page.then((page) => page.setViewportSize(size));
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.emit('destroyed', electronEvent());
    void this.#page.then((page) => page.close()).catch(() => undefined);
  }

  #newRenderer(): StandInIpcRenderer {
    const renderer = new StandInIpcRenderer({ webContents: this, mainFrame: this.mainFrame });
    this.#exposed = this.#preload === undefined ? new Map() : runPreload(this.#preload, renderer);
    return renderer;
  }

  async #download(download: Download): Promise<void> {
    const item = new StandInDownloadItem(download);
    const event = electronEvent();
    this.session.emit('will-download', event, item, this);
    if (event.defaultPrevented) return download.cancel();
    return item.complete(this.#window);
  }

  #alive(): void {
    if (this.#destroyed) throw new TypeError(DESTROYED);
  }
}

const all = new Set<BrowserWindow>();

export class BrowserWindow extends EventEmitter {
  static getAllWindows(): BrowserWindow[] {
    return [...all];
  }

  readonly id = nextId++;
  readonly options: BrowserWindowConstructorOptions;
  readonly webContents: WebContents;
  /** What setVisibleOnAllWorkspaces was last called with. */
  workspaces: unknown[] | null = null;
  #bounds: Rectangle;
  #visible = false;
  #focused = false;
  #destroyed = false;

  constructor(options: BrowserWindowConstructorOptions = {}) {
    super();
    if (!app.isReady()) throw new Error('Cannot create BrowserWindow before app is ready');
    this.options = options;
    const width = options.width ?? 800;
    const height = options.height ?? 600;
    this.#bounds = { x: options.x ?? 0, y: options.y ?? 0, width, height };
    this.webContents = new WebContents(this, options.webPreferences?.preload, { width, height });
    all.add(this);
    trackWindow(this);
    app.emit('web-contents-created', electronEvent(), this.webContents);
    app.emit('browser-window-created', electronEvent(), this);
  }

  isDestroyed(): boolean {
    return this.#destroyed;
  }

  show(): void {
    this.#alive();
    if (!this.#visible) {
      this.#visible = true;
      this.emit('show');
    }
    this.focus();
  }

  /** Hidden first, then the focus goes: a listener of `blur` finds the window hidden already. */
  hide(): void {
    this.#alive();
    if (this.#visible) {
      this.#visible = false;
      this.emit('hide');
    }
    this.blur();
  }

  focus(): void {
    this.#alive();
    if (this.#focused) return;
    this.#focused = true;
    this.emit('focus');
  }

  /** Another window (the tray's menu, a dialog, another app) took the focus. */
  blur(): void {
    this.#alive();
    if (!this.#focused) return;
    this.#focused = false;
    this.emit('blur');
  }

  isVisible(): boolean {
    this.#alive();
    return this.#visible;
  }

  isFocused(): boolean {
    this.#alive();
    return this.#focused;
  }

  setBounds(bounds: Partial<Rectangle>): void {
    this.#alive();
    this.#bounds = { ...this.#bounds, ...bounds };
    this.webContents.setViewportSize({ width: this.#bounds.width, height: this.#bounds.height });
  }

  getBounds(): Rectangle {
    this.#alive();
    return { ...this.#bounds };
  }

  getSize(): number[] {
    this.#alive();
    return [this.#bounds.width, this.#bounds.height];
  }

  setPosition(x: number, y: number): void {
    this.#alive();
    this.#bounds = { ...this.#bounds, x, y };
  }

  setVisibleOnAllWorkspaces(...args: unknown[]): void {
    this.#alive();
    this.workspaces = args;
  }

  loadURL(url: string): Promise<void> {
    this.#alive();
    return this.webContents.loadURL(url);
  }

  /** Like Cmd+W, Alt+F4 or the title bar's button. */
  close(): void {
    this.#alive();
    this.tryClose();
  }

  tryClose(): boolean {
    const event = electronEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroy();
    return true;
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#visible = false;
    all.delete(this);
    untrackWindow(this);
    this.webContents.destroy();
    this.emit('closed');
    if (all.size === 0) app.allWindowsClosed();
  }

  /** A dialog parented to this window takes the focus while it is open. */
  dialogFocus(open: boolean): void {
    if (this.#destroyed) return;
    if (open) this.blur();
    else if (this.#visible) this.focus();
  }

  #alive(): void {
    if (this.#destroyed) throw new TypeError(DESTROYED);
  }
}

world.onReset(() => {
  all.clear();
  session.defaultSession.reset();
});
