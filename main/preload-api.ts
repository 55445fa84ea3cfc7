/**
 * `DifyMonitorApi` over Electron IPC, as the preload exposes it. Only the channels of
 * `src/api.ts` pass; listeners get the payload alone, never the IPC event (which would hand the
 * page `ipcRenderer` through `event.sender`).
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import { EVENT_CHANNELS, INVOKE_CHANNELS, type DifyMonitorApi } from '../src/api.ts';

export type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

export function createPreloadApi(ipc: IpcRendererLike): DifyMonitorApi {
  return {
    invoke(channel, request) {
      if (!INVOKE_CHANNELS.includes(channel)) {
        return Promise.reject(new Error(`${String(channel)} is not a Dify Monitor channel`));
      }
      return ipc.invoke(channel, request);
    },
    on(channel, listener) {
      if (!EVENT_CHANNELS.includes(channel))
        throw new Error(`${String(channel)} is not a Dify Monitor event`);
      const forward = (_event: IpcRendererEvent, payload: unknown): void =>
        (listener as (payload: unknown) => void)(payload);
      ipc.on(channel, forward);
      return () => {
        ipc.removeListener(channel, forward);
      };
    },
  };
}
