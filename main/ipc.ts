/**
 * The window's side of `src/api.ts` in Electron: one `ipcMain.handle` per invoke channel and a
 * `webContents.send` per event. Every invoke is checked twice before the monitor sees it: the
 * sender must be our window's top frame on our own origin, and the payload must pass
 * `checkRequest`. A refused call rejects with a message; nothing a renderer sends can throw here.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import {
  checkRequest,
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  type EventChannel,
  type EventChannels,
  type InvokeChannel,
  type InvokeChannels,
} from '../src/api.ts';
import type { MonitorService } from '../src/service/monitor.ts';
import { isAppUrl } from './app-protocol.ts';

export type IpcMainLike = Pick<IpcMain, 'handle' | 'removeHandler'>;
export type InvokeSender = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;
export type EventTarget = Pick<WebContents, 'send' | 'isDestroyed'>;

/**
 * Our window, and only its top frame showing our app:// page: not another window, not a frame
 * inside ours, not a page that somehow navigated elsewhere.
 */
export function isTrustedSender(event: InvokeSender, ours: WebContents | null): boolean {
  if (ours === null || event.sender !== ours) return false;
  const frame = event.senderFrame;
  if (frame === null || frame !== ours.mainFrame) return false;
  return isAppUrl(frame.url);
}

export interface IpcOptions {
  readonly ipcMain: IpcMainLike;
  readonly service: Pick<MonitorService, 'handle'>;
  /** The window's webContents, or null while there is none. */
  readonly window: () => WebContents | null;
  /** A refused call is worth a line in the log: it means a bug or an attack. */
  readonly warn: (text: string) => void;
}

async function answer<C extends InvokeChannel>(
  options: IpcOptions,
  channel: C,
  event: IpcMainInvokeEvent,
  request: unknown,
): Promise<InvokeChannels[C]['response']> {
  if (!isTrustedSender(event, options.window())) {
    options.warn(`Refused ${channel} from a sender that is not the Dify Monitor window.`);
    throw new Error(`${channel}: refused, the sender is not the Dify Monitor window`);
  }
  const checked = checkRequest(channel, request);
  if (!checked.ok) {
    options.warn(`Refused ${checked.error}`);
    throw new Error(checked.error);
  }
  return options.service.handle(channel, checked.value);
}

/** Registers every invoke channel; the returned function removes them again. */
export function registerIpc(options: IpcOptions): () => void {
  for (const channel of INVOKE_CHANNELS) {
    options.ipcMain.handle(channel, (event: IpcMainInvokeEvent, request: unknown) =>
      answer(options, channel, event, request),
    );
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) options.ipcMain.removeHandler(channel);
  };
}

/** Pushes every monitor event to the window while it exists; returns the function that stops. */
export function forwardEvents(
  service: Pick<MonitorService, 'on'>,
  target: () => EventTarget | null,
): () => void {
  const send = <C extends EventChannel>(channel: C, payload: EventChannels[C]): void => {
    const contents = target();
    if (contents !== null && !contents.isDestroyed()) contents.send(channel, payload);
  };
  const stops = EVENT_CHANNELS.map((channel) => service.on(channel, (payload) => send(channel, payload)));
  return () => {
    for (const stop of stops) stop();
  };
}
