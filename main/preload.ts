/**
 * The preload: runs sandboxed, before the page, and gives it `window.difyMonitor` and nothing
 * else. Bundled to CommonJS (main/dist/preload.cjs), the only form a sandboxed preload can load.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './preload-api.ts';

contextBridge.exposeInMainWorld('difyMonitor', createPreloadApi(ipcRenderer));
