/**
 * `DifyMonitorApi` over Electron IPC, as the preload exposes it. Only the channels of
 * `src/api.ts` pass; listeners get the payload alone, never the IPC event (which would hand the
 * page `ipcRenderer` through `event.sender`).
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import {
  isEventChannel,
  isInvokeChannel,
  type DifyMonitorApi,
  type EventChannel,
  type EventChannels,
} from '../src/api.ts';

export type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

export function createPreloadApi(ipc: IpcRendererLike): DifyMonitorApi {
  return {
    invoke(channel, request) {
      if (!isInvokeChannel(channel)) {
        return Promise.reject(new Error(`${String(channel)} is not a Dify Monitor channel`));
      }
      return ipc.invoke(channel, request);
    },
    on<C extends EventChannel>(channel: C, listener: (payload: EventChannels[C]) => void) {
      if (!isEventChannel(channel)) throw new Error(`${String(channel)} is not a Dify Monitor event`);
      // Typed as main sent it; the page checks it (renderer/validate.ts) before using it.
      const forward = (_event: IpcRendererEvent, payload: EventChannels[C]): void => listener(payload);
      ipc.on(channel, forward);
      return () => {
        ipc.removeListener(channel, forward);
      };
    },
  };
}
