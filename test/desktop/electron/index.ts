/**
 * The `electron` module main/ imports, for Node: register.ts resolves the specifier here. Each
 * part follows Electron 45 on Linux as documented; test/desktop/STAND-IN.md lists where it
 * departs. `desktop` is the test's handle on the scene, not part of Electron.
 */
import { app, dialog, powerMonitor, protocol, screen, shell } from './app.ts';
import { BrowserWindow, session } from './browser-window.ts';
import { ipcMain } from './ipc.ts';
import { Notification } from './notification.ts';
import { safeStorage } from './safe-storage.ts';
import { Menu, nativeImage, Tray } from './tray.ts';
import { world } from './world.ts';

export {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
};
export const desktop = world;

export default {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
};
