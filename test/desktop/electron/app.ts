/**
 * `app`, `protocol`, `dialog`, `powerMonitor`, `screen` and `shell` as Electron 45 documents
 * them on Linux, for the calls main makes. Departures are listed in test/desktop/STAND-IN.md.
 */
import { EventEmitter } from 'node:events';
import type { CustomScheme, MessageBoxOptions, Rectangle, SaveDialogOptions } from 'electron';
import { world, type Paths } from './world.ts';

/** An Electron event: listeners may call preventDefault(). */
export interface StandInEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export function electronEvent(): StandInEvent {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

/** The windows app.quit() closes, as Electron's WindowList holds them. */
export interface Closable {
  isDestroyed(): boolean;
  /** Emits `close`; false when a listener prevented it, else the window is destroyed. */
  tryClose(): boolean;
  destroy(): void;
}

const windows = new Set<Closable>();

export function trackWindow(window: Closable): void {
  windows.add(window);
}

export function untrackWindow(window: Closable): void {
  windows.delete(window);
}

type Handler = (request: Request) => Promise<Response> | Response;
const protocolHandlers = new Map<string, Handler>();
const privileged: CustomScheme[] = [];

class StandInApp extends EventEmitter {
  readonly isPackaged = false;
  readonly commandLine = {
    getSwitchValue: (name: string): string => world.scene.switches?.[name] ?? '',
    hasSwitch: (name: string): boolean => world.scene.switches?.[name] !== undefined,
    appendSwitch: (): void => undefined,
  };
  /** `app.dock` exists on macOS only. */
  readonly dock = undefined;
  #ready = false;
  #readyResolve: () => void = () => undefined;
  #whenReady = new Promise<void>((resolve) => (this.#readyResolve = resolve));
  #quitting = false;
  #paths = new Map<string, string>();

  reset(): void {
    this.removeAllListeners();
    this.#ready = false;
    this.#quitting = false;
    this.#whenReady = new Promise<void>((resolve) => (this.#readyResolve = resolve));
    this.#paths = new Map(Object.entries(world.scene.paths));
  }

  get name(): string {
    return world.scene.name;
  }

  getName(): string {
    return this.name;
  }

  getVersion(): string {
    return world.scene.version;
  }

  /**
   * Chromium's l10n_util on Linux: `--lang`, else the first of LANGUAGE (a list), LC_ALL,
   * LC_MESSAGES and LANG that names a language ("zh_CN.UTF-8" is zh-CN; C and POSIX name none),
   * else en-US.
   */
  getLocale(): string {
    const lang = world.scene.switches?.['lang'];
    if (lang !== undefined && lang !== '') return lang;
    const { LANGUAGE = '', LC_ALL, LC_MESSAGES, LANG } = process.env;
    for (const value of [...LANGUAGE.split(':'), LC_ALL, LC_MESSAGES, LANG]) {
      const named = /^([a-z]{2,3})(?:_([A-Z]{2}))?(?:[.@]|$)/.exec(value ?? '');
      if (named === null) continue;
      const [, language = '', region] = named;
      if (region !== undefined) return `${language}-${region}`;
      return language === 'en' ? 'en-US' : language;
    }
    return 'en-US';
  }

  getAppPath(): string {
    return world.scene.appPath;
  }

  getPath(name: keyof Paths | string): string {
    const path = this.#paths.get(name);
    if (path === undefined) throw new Error(`Failed to get '${name}' path`);
    return path;
  }

  setPath(name: string, path: string): void {
    this.#paths.set(name, path);
  }

  isReady(): boolean {
    return this.#ready;
  }

  whenReady(): Promise<void> {
    return this.#whenReady;
  }

  /** What Electron does on start-up: the default menu at will-finish-launching, then ready. */
  launch(): void {
    this.emit('will-finish-launching');
    this.#ready = true;
    this.emit('ready', electronEvent(), {});
    this.#readyResolve();
  }

  /** One instance per test process: the lock is always ours. */
  requestSingleInstanceLock(): boolean {
    return true;
  }

  /**
   * Browser::Quit: `before-quit` (a preventDefault cancels), then every window is asked to close
   * (one that refuses cancels the quit), then `will-quit`, `quit`, and the process ends. Windows
   * close on a later turn of the loop, as they do in Electron.
   */
  quit(): void {
    if (this.#quitting) return;
    const event = electronEvent();
    this.emit('before-quit', event);
    if (event.defaultPrevented) return;
    this.#quitting = true;
    setImmediate(() => this.#closeAll());
  }

  /** The last window went: `window-all-closed`, except while quitting (Browser::OnWindowAllClosed). */
  allWindowsClosed(): void {
    if (!this.#quitting) this.emit('window-all-closed');
  }

  /** Ends at once: no before-quit, no close events, windows destroyed. */
  exit(code = 0): void {
    for (const window of [...windows]) window.destroy();
    world.exited({ code, how: 'exit' });
  }

  #closeAll(): void {
    for (const window of [...windows]) {
      if (window.isDestroyed()) continue;
      if (!window.tryClose()) {
        this.#quitting = false;
        return;
      }
    }
    const event = electronEvent();
    this.emit('will-quit', event);
    if (event.defaultPrevented) {
      this.#quitting = false;
      return;
    }
    this.emit('quit', electronEvent(), 0);
    world.exited({ code: 0, how: 'quit' });
  }
}

export const app = new StandInApp();

export const protocol = {
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void {
    if (app.isReady())
      throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
    privileged.push(...schemes);
  },
  handle(scheme: string, handler: Handler): void {
    if (!app.isReady()) throw new Error('protocol.handle is only available once the app is ready');
    protocolHandlers.set(scheme, handler);
  },
  isProtocolHandled: (scheme: string): boolean => protocolHandlers.has(scheme),
};

/** The handler main registered for a scheme, and whether the scheme was made privileged first. */
export function protocolHandler(scheme: string): { handler: Handler | undefined; privileged: boolean } {
  return { handler: protocolHandlers.get(scheme), privileged: privileged.some((s) => s.scheme === scheme) };
}

export const dialog = {
  showErrorBox(title: string, content: string): void {
    world.errorBoxes.push({ title, content });
  },
  async showMessageBox(options: MessageBoxOptions): Promise<{ response: number; checkboxChecked: boolean }> {
    world.messageBoxes.push(options);
    return { response: 0, checkboxChecked: false };
  },
  async showSaveDialog(options: SaveDialogOptions): Promise<{ canceled: boolean; filePath: string }> {
    world.messageBoxes.push(options);
    return { canceled: false, filePath: options.defaultPath ?? '' };
  },
};

export const powerMonitor = new EventEmitter();

/** One 1920×1080 display with a 32 px top bar (GNOME); the cursor at the tray's corner. */
const DISPLAY = {
  id: 1,
  bounds: { x: 0, y: 0, width: 1920, height: 1080 },
  workArea: { x: 0, y: 32, width: 1920, height: 1048 },
  size: { width: 1920, height: 1080 },
  workAreaSize: { width: 1920, height: 1048 },
  scaleFactor: 1,
  rotation: 0,
  internal: false,
  touchSupport: 'unknown',
} as const;

export const screen = {
  getCursorScreenPoint: () => ({ x: 1850, y: 16 }),
  getDisplayNearestPoint: () => DISPLAY,
  getDisplayMatching: (_rect: Rectangle) => DISPLAY,
  getPrimaryDisplay: () => DISPLAY,
  getAllDisplays: () => [DISPLAY],
};

export const shell = {
  openExternal: async (): Promise<void> => undefined,
  openPath: async (): Promise<string> => '',
};

world.onReset(() => {
  app.reset();
  windows.clear();
  protocolHandlers.clear();
  privileged.length = 0;
  powerMonitor.removeAllListeners();
});
