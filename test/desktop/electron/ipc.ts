/**
 * `ipcMain`, and the renderer side a sandboxed preload gets: `ipcRenderer` and `contextBridge`.
 * The preload runs here in Node, as the sandboxed renderer runs it (a CommonJS function whose
 * `require` knows only electron, events, timers and url: lib/sandboxed_renderer/init.ts); what
 * it exposes reaches the page through the window's bridge (bridge.ts). Payloads are structured-
 * cloned both ways, and errors come back as lib/browser/ipc-dispatch.ts and
 * lib/renderer/api/ipc-renderer.ts word them.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import timers from 'node:timers';
import url from 'node:url';
import { world } from './world.ts';

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;

class StandInIpcMain extends EventEmitter {
  readonly #handlers = new Map<string, InvokeHandler>();

  handle(channel: string, handler: InvokeHandler): void {
    if (this.#handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.#handlers.set(channel, handler);
  }

  handleOnce(channel: string, handler: InvokeHandler): void {
    this.handle(channel, (event, ...args) => {
      this.removeHandler(channel);
      return handler(event, ...args);
    });
  }

  removeHandler(channel: string): void {
    this.#handlers.delete(channel);
  }

  reset(): void {
    this.#handlers.clear();
    this.removeAllListeners();
  }

  /** What the browser process does with an invoke from a frame: the handler's answer, or its error. */
  async dispatch(
    event: unknown,
    channel: string,
    args: unknown[],
  ): Promise<{ result?: unknown; error?: string }> {
    const handler = this.#handlers.get(channel);
    if (handler === undefined) return { error: String(new Error(`No handler registered for '${channel}'`)) };
    try {
      return { result: structuredClone(await handler(event, ...structuredClone(args))) };
    } catch (error) {
      return { error: String(error) };
    }
  }
}

export const ipcMain = new StandInIpcMain();
world.onReset(() => ipcMain.reset());

/** The sender as ipcMain's handlers see it: the window's webContents and its main frame. */
export interface IpcSender {
  readonly webContents: unknown;
  readonly mainFrame: unknown;
}

/** One renderer's `ipcRenderer`: invoke goes to ipcMain, `webContents.send` comes back as events. */
export class StandInIpcRenderer extends EventEmitter {
  readonly #sender: IpcSender;

  constructor(sender: IpcSender) {
    super();
    this.#sender = sender;
  }

  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const event = { sender: this.#sender.webContents, senderFrame: this.#sender.mainFrame, type: 'frame' };
    const { error, result } = await ipcMain.dispatch(event, channel, args);
    if (error !== undefined) throw new Error(`Error invoking remote method '${channel}': ${error}`);
    return result;
  }

  /** `webContents.send` from main: delivered on a later turn, as an IPC message is. */
  deliver(channel: string, args: unknown[]): void {
    const copy = structuredClone(args);
    setImmediate(() => this.emit(channel, { sender: this, senderId: 0 }, ...copy));
  }
}

/** What a preload exposed with `contextBridge.exposeInMainWorld`, by key. */
export type Exposed = Map<string, unknown>;

/** Runs a bundled sandboxed preload against this renderer; returns what it exposed. */
export function runPreload(path: string, ipcRenderer: StandInIpcRenderer): Exposed {
  const exposed: Exposed = new Map();
  const contextBridge = {
    exposeInMainWorld(key: string, api: unknown): void {
      if (exposed.has(key))
        throw new Error(`Cannot bind an API on top of an existing property on the window object`);
      exposed.set(key, api);
    },
  };
  const modules = new Map<string, unknown>([
    ['electron', { contextBridge, ipcRenderer }],
    ['events', EventEmitter],
    ['timers', timers],
    ['node:timers', timers],
    ['url', url],
    ['node:url', url],
  ]);
  const preloadRequire = (id: string): unknown => {
    if (!modules.has(id)) throw new Error(`module not found: ${id}`);
    return modules.get(id);
  };
  const module = { exports: {} };
  // The preload's own source, evaluated as Electron's sandboxed renderer evaluates it.
  const wrapped = new Function(
    'exports',
    'require',
    'module',
    '__filename',
    '__dirname',
    readFileSync(path, 'utf8'),
  );
  wrapped(
    module.exports,
    preloadRequire,
    module,
    path,
    url.fileURLToPath(new URL('.', url.pathToFileURL(path))),
  );
  return exposed;
}
