import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { APP_URL } from '../../../main/app-protocol.ts';
import { forwardEvents, registerIpc, type IpcMainLike } from '../../../main/ipc.ts';
import type { MonitorService } from '../../../src/service/monitor.ts';

type Handler = (event: IpcMainInvokeEvent, request: unknown) => Promise<unknown>;

export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

/** A window's webContents as main/ipc.ts sees it: a main frame at `url`, and what main sent it. */
export function fakeContents(url = APP_URL) {
  const mainFrame = { url };
  const sent: [string, unknown][] = [];
  return {
    mainFrame,
    sent,
    send: (channel: string, payload: unknown) => sent.push([channel, payload]),
    isDestroyed: () => false,
  };
}

export type FakeContents = ReturnType<typeof fakeContents>;

/** The invoke handlers and the event forwarding wired to our window, as main/index.ts wires them. */
export function wireWindow(service: MonitorService) {
  const ipc = new FakeIpcMain();
  const window = fakeContents();
  const stopIpc = registerIpc({
    ipcMain: ipc as unknown as IpcMainLike,
    service,
    window: () => window as unknown as WebContents,
    warn: () => undefined,
  });
  const stopEvents = forwardEvents(service, () => window as unknown as WebContents);
  return {
    window,
    /** An invoke from our window's main frame. */
    invoke(channel: string, request: unknown): Promise<unknown> {
      const handler = ipc.handlers.get(channel);
      if (handler === undefined) throw new Error(`no handler for ${channel}`);
      return handler(
        { sender: window, senderFrame: window.mainFrame } as unknown as IpcMainInvokeEvent,
        request,
      );
    },
    stop(): void {
      stopEvents();
      stopIpc();
    },
  };
}
