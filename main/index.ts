/**
 * The Electron main process: the one place that imports Electron and wires the modules of main/
 * to the core. Everything that decides something lives in those modules, tested with fakes; this
 * file only connects them.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import {
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
  Tray,
} from 'electron';
import ElectronStore from 'electron-store';
import nodeNotifier from 'node-notifier';
import { startMetricsServer } from '../src/metrics/http.ts';
import { readOrCreateTokenFile } from '../src/auth/token-file.ts';
import { createCollectorFor } from '../src/collect/connect.ts';
import { defaultDeps } from '../src/docker/machine.ts';
import { resolveEndpoint } from '../src/docker/resolve.ts';
import { unreachableMessage } from '../src/docker/unreachable.ts';
import { chooseLanguage, languageOf, setLanguage } from '../src/i18n/index.ts';
import { composeMonitor } from '../src/service/compose.ts';
import { dataLocations } from '../src/settings/paths.ts';
import { relocateData } from '../src/settings/relocate.ts';
import { systemClock } from '../src/util/clock.ts';
import { applicationMenu } from './app-menu.ts';
import { openDesktopSecrets } from './channel-secrets.ts';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './app-protocol.ts';
import { saveDownloadsWithDialog } from './downloads.ts';
import { forwardEvents, registerIpc } from './ipc.ts';
import { createExporterControl } from './exporter.ts';
import { failStart } from './fatal.ts';
import { LateLocalEngine } from './local-engine.ts';
import { applyStartAtLogin, followStartAtLogin } from './login-item.ts';
import type { MenuActions } from './menu-template.ts';
import { chooseNotificationBackend, createAppNotifier, type NodeNotifierLike } from './notifier.ts';
import { createPopoverWindow, hardenContents, Popover } from './popover.ts';
import { followPower } from './power.ts';
import { quitInOrder, type QuitState } from './quit.ts';
import { showOnReopen } from './reopen.ts';
import { openDesktopSettings } from './settings-store.ts';
import { TrayController, trayIconPath } from './tray.ts';
import type { TrayState } from './tray-state.ts';
import { windowStyle } from './window-style.ts';

/** Also the AppUserModelID on Windows: electron-builder gives the Start-menu shortcut the same one. */
const APP_ID = 'ai.dify.monitor';
/** Time-based changes (a mute ending, an alert ageing out) need no event to show. */
const TRAY_REFRESH_MS = 30_000;

function warn(text: string): void {
  process.stderr.write(`${text}\n`);
}

function tell(text: string): void {
  warn(text);
  void dialog.showMessageBox({ type: 'warning', title: 'Dify Monitor', message: text });
}

/** Helpers run by another process (terminal-notifier, SnoreToast) need real files, not asar entries. */
function unpacked(path: string): string {
  return path.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
}

function nodeNotifierFor(platform: NodeJS.Platform): NodeNotifierLike {
  const root = dirname(createRequire(import.meta.url).resolve('node-notifier/package.json'));
  if (platform === 'darwin') {
    return new nodeNotifier.NotificationCenter({
      withFallback: false,
      customPath: unpacked(
        join(root, 'vendor/mac.noindex/terminal-notifier.app/Contents/MacOS/terminal-notifier'),
      ),
    });
  }
  if (platform === 'win32') {
    const snore = process.arch === 'x64' ? 'snoretoast-x64.exe' : 'snoretoast-x86.exe';
    return new nodeNotifier.WindowsToaster({
      withFallback: false,
      customPath: unpacked(join(root, 'vendor/snoreToast', snore)),
    });
  }
  return new nodeNotifier.NotifySend({ withFallback: false });
}

/** Starts everything; resolves to what stops it again, which quitting waits for. */
async function ready(quit: QuitState): Promise<() => Promise<void>> {
  const root = app.getAppPath();
  const assets = join(root, 'assets');

  protocol.handle(APP_SCHEME, appProtocolHandler({ root: join(root, 'dist/renderer') }));

  const relocated = relocateData(locations, Date.now());
  if (relocated.notice !== null) tell(relocated.notice);
  const settings = openDesktopSettings({
    dir: locations.dir,
    createStore: ({ configName, ...options }) => new ElectronStore({ ...options, name: configName }),
    now: Date.now,
    tell,
  });

  const initial = settings.store.get();
  // app.getLocale() "must be called after the `ready` event is emitted" (Electron's app.md), so here.
  const systemLanguage = languageOf(app.getLocale()) ?? 'en';
  setLanguage(chooseLanguage(initial.language, systemLanguage));

  const menu = applicationMenu(process.platform);
  Menu.setApplicationMenu(menu === null ? null : Menu.buildFromTemplate(menu));
  const style = windowStyle({
    platform: process.platform,
    sessionType: process.env['XDG_SESSION_TYPE'],
    ozonePlatform: app.commandLine.getSwitchValue('ozone-platform'),
  });
  const window = createPopoverWindow(BrowserWindow, join(root, 'main/dist/preload.cjs'), style);
  const tray = new Tray(nativeImage.createFromPath(trayIconPath(assets, 'disconnected', process.platform)));
  let popover: Popover | null = null;
  let controller: TrayController | null = null;

  const choice = chooseNotificationBackend(
    process.platform,
    process.arch,
    existsSync('/Library/Apple/usr/share/rosetta/rosetta'),
  );
  if (choice.reason !== null) warn(choice.reason);
  const iconFile = unpacked(join(assets, 'icon.png'));
  const notifier = createAppNotifier({
    backend: choice.backend,
    platform: process.platform,
    nodeNotifier: nodeNotifierFor(process.platform),
    createNotification: (options) => new Notification(options),
    electronSupported: () => Notification.isSupported(),
    appId: APP_ID,
    iconPath: existsSync(iconFile) ? iconFile : null,
    onClick: (key) => void popover?.openAlert(key),
    onProblem: () => {
      if (notifier.problem !== null) warn(`Notifications: ${notifier.problem}`);
      void controller?.refresh();
    },
  });

  // The local engine and the saved hosts; with none reachable the tray says so and the app stays up.
  // A local engine not up yet (Docker Desktop after login) is looked for until it is.
  const localNow = await resolveEndpoint(defaultDeps());
  const secrets = await openDesktopSecrets(safeStorage, process.platform, locations.dir);
  if (secrets.notice !== null) warn(secrets.notice);
  const searches: LateLocalEngine[] = [];
  const composed = await composeMonitor({
    settings: settings.store,
    hostFlags: [],
    alertLogPath: locations.alertLog,
    historyPath: locations.history,
    clock: systemClock,
    warn,
    notifier,
    allowNoEngine: true,
    // Alerts go to the channels as from `watch` and `serve`: the same data folder, outbox and lock.
    delivery: { dir: locations.dir, webhooks: [], secrets: secrets.store, secretsKept: secrets.kept },
    moreSources: (connect) => {
      if (localNow.endpoint !== null) return [];
      const search = new LateLocalEngine({
        find: () => createCollectorFor(null, connect),
        watched: () => service.current().hosts,
        clock: systemClock,
        firstError: unreachableMessage(localNow, 'no engine socket was found'),
        onAdopted: () => popover?.load(),
      });
      searches.push(search);
      return searches;
    },
  });
  if (!composed.ok) throw new Error(composed.error);
  const { service } = composed;

  popover = new Popover({
    window,
    style,
    platform: process.platform,
    screen,
    trayBounds: () => tray.getBounds(),
    service,
    quitting: () => quit.quitting,
    now: Date.now,
    warn,
  });
  const shown = popover;
  saveDownloadsWithDialog({
    session: window.webContents.session,
    folder: app.getPath('downloads'),
    holdOpen: () => shown.holdOpen(),
  });

  registerIpc({
    ipcMain,
    service: {
      handle(channel, request) {
        // The page's first `monitor:visible` comes right before it subscribes to events.
        if (channel === 'monitor:visible') shown.rendererReady();
        return service.handle(channel, request);
      },
    },
    window: () => (window.isDestroyed() ? null : window.webContents),
    warn,
  });
  forwardEvents(service, () => (window.isDestroyed() ? null : window.webContents));

  const loginItem = {
    app,
    platform: process.platform,
    configHome: process.env['XDG_CONFIG_HOME'] || join(homedir(), '.config'),
    exec: process.env['APPIMAGE'] ?? process.execPath,
  };
  followStartAtLogin(service, initial.startAtLogin, (enabled) => applyStartAtLogin(enabled, loginItem), tell);

  const exporterTokenPath = join(locations.dir, 'exporter.token');
  const exporter = createExporterControl({
    start: startMetricsServer,
    read: () => service.current(),
    token: () => readOrCreateTokenFile(exporterTokenPath),
    tokenPath: exporterTokenPath,
    tell,
    warn,
  });
  void exporter.apply(initial);
  service.on('settings:changed', (next) => void exporter.apply(next));
  // Before the tray's refresh reads it: that awaits a snapshot first.
  service.on('settings:changed', (next) => setLanguage(chooseLanguage(next.language, systemLanguage)));

  let paused = false;
  const report = (what: string) => (error: Error) => warn(`Cannot ${what}: ${error.message}`);
  const actions: MenuActions = {
    openDashboard: () => shown.show(),
    openContainer: (key) => shown.focusContainer(key),
    muteFor: (forMs) => void service.handle('alerts:mute', { scope: 'all', forMs }).catch(report('mute')),
    muteUntilTomorrow: () =>
      void service.handle('alerts:mute', { scope: 'all', until: 'tomorrow' }).catch(report('mute')),
    unmute: () =>
      void service.handle('settings:set', { alerts: { muteUntil: null } }).catch(report('unmute')),
    setPaused: (next) => {
      paused = next;
      service.setPaused(next);
      void trayController.refresh();
    },
    openSettings: () => shown.openSettings(),
    setStartAtLogin: (enabled) =>
      void service.handle('settings:set', { startAtLogin: enabled }).catch(report('change start at login')),
    quit: () => app.quit(),
  };
  const trayController = new TrayController({
    tray,
    service,
    icon: (state: TrayState) => nativeImage.createFromPath(trayIconPath(assets, state, process.platform)),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    actions,
    onLeftClick: () => shown.toggle(),
    paused: () => paused,
    notificationProblem: () => notifier.problem,
    now: Date.now,
    attachMenu: process.platform === 'linux',
    warn,
  });
  controller = trayController;
  tray.setIgnoreDoubleClickEvents(true);
  const timer = setInterval(() => void trayController.refresh(), TRAY_REFRESH_MS);
  void trayController.refresh();

  showOnReopen(app, () => shown.show());
  followPower({
    powerMonitor,
    service,
    userPaused: () => paused,
    lookAgain: () => searches.forEach((search) => search.lookNow()),
  });
  shown.load();
  return async () => {
    clearInterval(timer);
    trayController.stop();
    await Promise.all([exporter.stop(), service.stop()]);
  };
}

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

// The folder the CLI and `serve` use. Electron's own data and its single-instance lock go there too,
// where they were before the app had a productName (which would give them a folder of their own).
const locations = dataLocations();
try {
  mkdirSync(locations.dir, { recursive: true, mode: 0o700 });
  app.setPath('userData', locations.dir);
} catch (error) {
  warn(`Cannot use ${locations.dir}: ${(error as Error).message}`);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  // A tray app: no Dock icon (LSUIElement in the packaged Info.plist does the same before launch).
  app.dock?.hide();
  // Closing the window must not end the app; only Quit in the tray menu does.
  app.on('window-all-closed', () => undefined);
  // Any web contents, not only our window's: no popups, no navigation, no permissions.
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  let stopRunning = (): Promise<void> => Promise.resolve();
  const quit = quitInOrder({ app, stop: () => stopRunning(), warn });
  app
    .whenReady()
    .then(() => ready(quit))
    .then((stop) => {
      stopRunning = stop;
    })
    .catch((error: Error) => failStart({ dialog, app, warn }, error));
}
