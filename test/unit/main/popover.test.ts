import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserWindowConstructorOptions, Rectangle, Screen } from 'electron';
import {
  createAppNotifier,
  chooseNotificationBackend,
  type ElectronNotificationLike,
} from '../../../main/notifier.ts';
import {
  BLUR_CLICK_MS,
  createPopoverWindow,
  hardenContents,
  Popover,
  POPOVER_SIZE,
  type HardenedContents,
  type PopoverWindow,
} from '../../../main/popover.ts';
import { popoverPosition, taskbarEdge } from '../../../main/popover-position.ts';
import { APP_URL } from '../../../main/app-protocol.ts';
import { saveDownloadsWithDialog, type Download, type DownloadSession } from '../../../main/downloads.ts';
import { windowStyle, type WindowStyle } from '../../../main/window-style.ts';
import { Emitter, GIB, harness, hostState, sample, settle, T0 } from './fakes.ts';
import { timelineNotificationId } from '../../../src/service/timeline.ts';

const display = (workArea: Rectangle) => ({ bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea });
const size = { width: 400, height: 600 };
const none = { x: 0, y: 0, width: 0, height: 0 };

describe('popover position', () => {
  it('sits under a top bar (macOS, GNOME), centred on the icon', () => {
    const p = popoverPosition({
      tray: { x: 1500, y: 0, width: 24, height: 24 },
      window: size,
      display: display({ x: 0, y: 25, width: 1920, height: 1055 }),
      cursor: { x: 1510, y: 10 },
    });
    assert.deepEqual(p, { edge: 'top', x: 1312, y: 29 });
  });

  it('sits above a bottom taskbar (Windows default) and stays inside the work area at the corner', () => {
    const p = popoverPosition({
      tray: { x: 1880, y: 1045, width: 32, height: 32 },
      window: size,
      display: display({ x: 0, y: 0, width: 1920, height: 1040 }),
      cursor: { x: 1890, y: 1060 },
    });
    assert.deepEqual(p, { edge: 'bottom', x: 1516, y: 436 });
  });

  it('sits beside a left or right taskbar', () => {
    const left = popoverPosition({
      tray: { x: 10, y: 900, width: 32, height: 32 },
      window: size,
      display: display({ x: 60, y: 0, width: 1860, height: 1080 }),
      cursor: { x: 20, y: 910 },
    });
    assert.deepEqual(left, { edge: 'left', x: 64, y: 476 });
    const right = popoverPosition({
      tray: { x: 1880, y: 500, width: 32, height: 32 },
      window: size,
      display: display({ x: 0, y: 0, width: 1860, height: 1080 }),
      cursor: { x: 1890, y: 510 },
    });
    assert.deepEqual(right, { edge: 'right', x: 1456, y: 216 });
  });

  it('uses the cursor where the tray does not tell its bounds, and the nearest edge for a hidden taskbar', () => {
    assert.equal(
      taskbarEdge(display(none).bounds, display({ x: 0, y: 0, width: 1920, height: 1080 }).workArea, {
        x: 900,
        y: 1075,
      }),
      'bottom',
    );
    const p = popoverPosition({
      tray: none,
      window: size,
      display: display({ x: 0, y: 0, width: 1920, height: 1080 }),
      cursor: { x: 1900, y: 5 },
    });
    assert.deepEqual(p, { edge: 'top', x: 1516, y: 4 });
  });
});

class FakeContents extends Emitter {
  readonly sent: [string, unknown][] = [];
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  isDestroyed(): boolean {
    return false;
  }
}

/**
 * As Electron's BrowserWindow: `close()` emits a cancellable `close` and, unless prevented,
 * destroys the window, after which every call throws "Object has been destroyed".
 */
class FakeWindow extends Emitter {
  readonly webContents = new FakeContents();
  readonly loaded: string[] = [];
  readonly workspaces: unknown[][] = [];
  bounds: Rectangle | null = null;
  shown = false;
  #destroyed = false;
  show(): void {
    this.#alive();
    this.shown = true;
    this.emit('show');
  }
  hide(): void {
    this.#alive();
    this.shown = false;
    this.emit('hide');
  }
  focus(): void {
    this.#alive();
  }
  isVisible(): boolean {
    this.#alive();
    return this.shown;
  }
  isDestroyed(): boolean {
    return this.#destroyed;
  }
  setBounds(bounds: Rectangle): void {
    this.#alive();
    this.bounds = bounds;
  }
  setVisibleOnAllWorkspaces(...args: unknown[]): void {
    this.workspaces.push(args);
  }
  close(): void {
    this.#alive();
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.#destroyed = true;
    this.shown = false;
    this.emit('closed');
  }
  async loadURL(url: string): Promise<void> {
    this.#alive();
    this.loaded.push(url);
  }
  #alive(): void {
    if (this.#destroyed) throw new TypeError('Object has been destroyed');
  }
}

const screen = {
  getCursorScreenPoint: () => ({ x: 1500, y: 10 }),
  getDisplayNearestPoint: () => display({ x: 0, y: 25, width: 1920, height: 1055 }),
} as unknown as Pick<Screen, 'getDisplayNearestPoint' | 'getCursorScreenPoint'>;

function popover(
  h: ReturnType<typeof harness>,
  over: { style?: WindowStyle; platform?: NodeJS.Platform; quitting?: () => boolean } = {},
) {
  const win = new FakeWindow();
  let now = T0;
  const p = new Popover({
    window: win as unknown as PopoverWindow,
    style: over.style ?? 'popover',
    platform: over.platform ?? 'linux',
    screen,
    trayBounds: () => ({ x: 1500, y: 0, width: 24, height: 24 }),
    service: h.service,
    quitting: over.quitting ?? (() => false),
    now: () => now,
    warn: (text) => assert.fail(text),
  });
  return { win, p, tick: (ms: number) => (now += ms) };
}

describe('popover window', () => {
  it('is created sandboxed, isolated, without Node, and hardened against navigation and permissions', () => {
    class Recorder {
      readonly options: BrowserWindowConstructorOptions;
      constructor(o: BrowserWindowConstructorOptions) {
        this.options = o;
      }
    }
    const { options } = createPopoverWindow(Recorder, '/app/main/dist/preload.cjs');
    const prefs = options.webPreferences;
    assert.equal(prefs?.contextIsolation, true);
    assert.equal(prefs?.sandbox, true);
    assert.equal(prefs?.nodeIntegration, false);
    assert.equal(prefs?.webSecurity, true);
    assert.equal(prefs?.preload, '/app/main/dist/preload.cjs');
    assert.equal(options.frame, false);

    const contents = new Emitter() as Emitter & Record<string, unknown>;
    let openHandler: (() => { action: string }) | undefined;
    let request: ((c: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
    let check: (() => boolean) | undefined;
    Object.assign(contents, {
      setWindowOpenHandler: (h: () => { action: string }) => (openHandler = h),
      session: {
        setPermissionRequestHandler: (h: typeof request) => (request = h),
        setPermissionCheckHandler: (h: typeof check) => (check = h),
      },
    });
    hardenContents(contents as unknown as HardenedContents);
    assert.deepEqual(openHandler?.(), { action: 'deny' });
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      contents.emit(event, { preventDefault: () => (prevented = true) });
      assert.ok(prevented, event);
    }
    let granted: boolean | null = null;
    request?.(null, 'media', (ok) => (granted = ok));
    assert.equal(granted, false);
    assert.equal(check?.(), false);
  });

  it('toggles on the tray click, hides on blur, and ignores the click that caused the blur', () => {
    const h = harness();
    const { win, p, tick } = popover(h);
    p.toggle();
    assert.equal(win.shown, true);
    assert.deepEqual(win.bounds, { x: 1292, y: 29, ...POPOVER_SIZE });
    p.toggle();
    assert.equal(win.shown, false);

    p.toggle();
    win.emit('blur');
    assert.equal(win.shown, false, 'losing focus hides it');
    tick(BLUR_CLICK_MS - 1);
    p.toggle();
    assert.equal(win.shown, false, 'the tray click that took the focus does not reopen it');
    tick(1);
    p.toggle();
    assert.equal(win.shown, true);
    void h.service.stop();
  });

  it('switches the collectors to the fast rate while shown and back to the tray rate when hidden', async () => {
    const h = harness();
    const { win, p } = popover(h);
    assert.equal(h.collector.lastMode, 'tray');
    p.show();
    await settle();
    assert.equal(h.collector.lastMode, 'fast');
    win.emit('blur');
    await settle();
    assert.equal(h.collector.lastMode, 'tray');
    await h.service.stop();
  });

  it('sends a focus request only once the page listens, and opens settings by its hash', () => {
    const h = harness();
    const { win, p } = popover(h);
    p.load();
    assert.deepEqual(win.loaded, [APP_URL]);
    win.webContents.emit('did-navigate');
    p.focusContainer('local/docker/api/1');
    assert.equal(win.shown, true);
    assert.deepEqual(win.webContents.sent, []);
    p.rendererReady();
    assert.deepEqual(win.webContents.sent, [['ui:focus-container', { key: 'local/docker/api/1' }]]);
    p.focusContainer('local/docker/worker/1');
    assert.deepEqual(win.webContents.sent.at(-1), ['ui:focus-container', { key: 'local/docker/worker/1' }]);
    p.openSettings();
    assert.equal(win.loaded.at(-1), `${APP_URL}#/settings`);
    void h.service.stop();
  });

  it('hides on close (Cmd+W, Alt+F4), so the next tray click finds the window; closes for good while quitting', () => {
    const h = harness();
    let quitting = false;
    const { win, p, tick } = popover(h, { quitting: () => quitting });
    p.show();
    win.close();
    assert.equal(win.isDestroyed(), false);
    assert.equal(win.shown, false);
    tick(BLUR_CLICK_MS);
    p.toggle();
    assert.equal(win.shown, true, 'the tray click shows it again, no "Object has been destroyed"');
    quitting = true;
    win.close();
    assert.equal(win.isDestroyed(), true, 'a close refused while quitting would cancel the quit');
    void h.service.stop();
  });

  it('sets position and size in one call (mixed-DPI Windows), and joins full-screen spaces on macOS', () => {
    const h = harness();
    const mac = popover(h, { platform: 'darwin' });
    assert.deepEqual(mac.win.workspaces, [
      [true, { visibleOnFullScreen: true, skipTransformProcessType: true }],
    ]);
    mac.p.show();
    assert.deepEqual(mac.win.bounds, { x: 1292, y: 29, width: 440, height: 620 });
    assert.deepEqual(popover(h, { platform: 'linux' }).win.workspaces, []);
    void h.service.stop();
  });

  it('stays up while a save dialog it opened has the focus', () => {
    const h = harness();
    const { win, p } = popover(h);
    const session = new Emitter();
    saveDownloadsWithDialog({
      session: session as unknown as DownloadSession,
      folder: '/home/me/Downloads',
      holdOpen: () => p.holdOpen(),
    });
    const item = Object.assign(new Emitter(), {
      dialog: null as unknown,
      getFilename: () => 'docker-worker-1.csv',
      setSaveDialogOptions(options: unknown) {
        item.dialog = options;
      },
      once(event: string, listener: () => void) {
        return item.on(event, listener);
      },
    });
    p.show();
    session.emit('will-download', {}, item as unknown as Download, win.webContents);
    assert.deepEqual(item.dialog, {
      title: 'Save export',
      defaultPath: '/home/me/Downloads/docker-worker-1.csv',
    });
    win.emit('blur');
    assert.equal(win.shown, true, 'the save dialog took the focus; the window stays');
    item.emit('done', {}, 'completed');
    win.emit('blur');
    assert.equal(win.shown, false, 'after the download, losing focus hides it again');
    void h.service.stop();
  });

  it('is a framed window on Wayland: shown from the menu where the compositor puts it, never hidden on blur', () => {
    const h = harness();
    const { win, p } = popover(h, { style: 'window' });
    p.toggle();
    p.toggle();
    assert.equal(win.shown, true, 'a tray click brings it up, never away');
    assert.equal(win.bounds, null, 'Wayland clients cannot place windows');
    win.emit('blur');
    assert.equal(win.shown, true);
    class Recorder {
      readonly options: BrowserWindowConstructorOptions;
      constructor(o: BrowserWindowConstructorOptions) {
        this.options = o;
      }
    }
    const { options } = createPopoverWindow(Recorder, '/p.cjs', 'window');
    assert.equal(options.frame, true);
    assert.equal(options.skipTaskbar, false);
    assert.equal(options.alwaysOnTop, false);
    assert.equal(options.webPreferences?.sandbox, true);
    void h.service.stop();
  });

  it('is chosen by the display server Electron runs on', () => {
    const linux = { platform: 'linux' as const, ozonePlatform: '' };
    assert.equal(windowStyle({ ...linux, sessionType: 'wayland' }), 'window');
    assert.equal(windowStyle({ ...linux, sessionType: 'x11' }), 'popover');
    assert.equal(windowStyle({ ...linux, sessionType: undefined }), 'popover');
    assert.equal(
      windowStyle({ ...linux, sessionType: 'wayland', ozonePlatform: 'x11' }),
      'popover',
      'XWayland',
    );
    assert.equal(windowStyle({ ...linux, sessionType: 'x11', ozonePlatform: 'wayland' }), 'window');
    assert.equal(windowStyle({ platform: 'darwin', sessionType: 'wayland', ozonePlatform: '' }), 'popover');
  });
});

describe('notification click', () => {
  it('opens the window on the container the alert was about (node-notifier)', async () => {
    const calls: {
      options: Record<string, unknown>;
      done: (e: Error | null, r: string | undefined) => void;
    }[] = [];
    let route: (key: string | null) => void = () => undefined;
    const notifier = createAppNotifier({
      backend: 'node-notifier',
      platform: 'darwin',
      nodeNotifier: { notify: (options, done) => calls.push({ options, done }) },
      createNotification: () => assert.fail('not the Electron path'),
      electronSupported: () => true,
      appId: 'ai.dify.monitor',
      iconPath: null,
      onClick: (key) => route(key),
      onProblem: () => assert.fail('no problem'),
    });
    const h = harness({ notifier });
    const { win, p } = popover(h);
    route = (key) => void p.openAlert(key);
    p.rendererReady();
    h.collector.host(hostState('local', 'up', { memTotalBytes: 64 * GIB }));
    h.collector.round(T0, [
      sample('docker-api-1', 0.1 * GIB),
      sample('docker-worker-1', 0.96 * GIB, { memLimitBytes: GIB, memLimitSource: 'container' }),
    ]);
    for (let i = 0; i < 5 && calls.length === 0; i++) await settle();
    assert.equal(calls.length, 1);
    assert.match(String(calls[0]?.options['title']), /docker-worker-1/);
    assert.equal(calls[0]?.options['wait'], true);
    assert.equal(calls[0]?.options['appID'], 'ai.dify.monitor');

    calls[0]?.done(null, 'activate');
    await settle();
    assert.equal(win.shown, true);
    assert.deepEqual(win.webContents.sent.at(-1), ['ui:focus-container', { key: 'local/docker/worker/1' }]);
    await h.service.stop();
  });

  it('does the same through Electron’s Notification, and only shows the overview for a host alert', async () => {
    const made: (Emitter & { shown: boolean })[] = [];
    const clicked: (string | null)[] = [];
    const notifier = createAppNotifier({
      backend: 'electron',
      platform: 'linux',
      nodeNotifier: { notify: () => assert.fail('not the node-notifier path') },
      createNotification: () => {
        const n = Object.assign(new Emitter(), { shown: false, show: () => (n.shown = true) });
        made.push(n);
        return n as unknown as ElectronNotificationLike;
      },
      electronSupported: () => true,
      appId: 'ai.dify.monitor',
      iconPath: null,
      onClick: (key) => clicked.push(key),
      onProblem: () => assert.fail('no problem'),
    });
    const result = await notifier.notify({
      title: 'OOM risk',
      body: 'x',
      urgency: 'critical',
      id: 'local/docker/api/1',
    });
    assert.deepEqual(result, { ok: true });
    assert.equal(made[0]?.shown, true);
    made[0]?.emit('click');
    assert.deepEqual(clicked, ['local/docker/api/1']);

    const h = harness();
    const { win, p } = popover(h);
    p.rendererReady();
    await p.openAlert('local');
    assert.equal(win.shown, true);
    assert.deepEqual(win.webContents.sent, [], 'a host key is not a container page');
    await p.openAlert(timelineNotificationId(T0 + 5));
    assert.equal(
      win.loaded.at(-1),
      `${APP_URL}#/timeline?at=${T0 + 5}`,
      'a morning report opens the timeline',
    );
    await h.service.stop();
  });

  it('falls back to node-notifier when Electron’s notification fails, and says why for the tray menu', async () => {
    const made: Emitter[] = [];
    const sent: { options: Record<string, unknown>; done: (e: Error | string | null, r?: string) => void }[] =
      [];
    const problems: (string | null)[] = [];
    const notifier = createAppNotifier({
      backend: 'electron',
      platform: 'linux',
      nodeNotifier: { notify: (options, done) => sent.push({ options, done }) },
      createNotification: () => {
        const n = Object.assign(new Emitter(), { show: () => undefined });
        made.push(n);
        return n as unknown as ElectronNotificationLike;
      },
      electronSupported: () => true,
      appId: 'ai.dify.monitor',
      iconPath: null,
      onClick: () => undefined,
      onProblem: () => problems.push(notifier.problem),
    });
    const alert = { title: 'OOM risk: docker-worker-1', body: '96 %', urgency: 'critical' as const };
    await notifier.notify(alert);
    made[0]?.emit('show');
    assert.equal(notifier.problem, null);
    await notifier.notify(alert);
    made[1]?.emit('failed', {}, '');
    assert.equal(sent.length, 1, 'the failed one goes out again through notify-send');
    assert.deepEqual(sent[0]?.options, {
      title: 'OOM risk: docker-worker-1',
      message: '96 %',
      urgency: 'critical',
      'expire-time': 0,
      'app-name': 'Dify Monitor',
    });
    sent[0]?.done('', '');
    await settle();
    assert.equal(
      notifier.problem,
      "Electron's notification failed: the notification server refused it; shown through notify-send instead",
    );
    const third = notifier.notify(alert);
    await settle();
    assert.equal(made.length, 2, 'Electron is not tried again');
    sent[1]?.done(new Error('notify-send must be installed on the system.'));
    assert.deepEqual(await third, { ok: false, error: 'notify-send must be installed on the system.' });
    assert.equal(
      notifier.problem,
      "Electron's notification failed: the notification server refused it; notify-send failed: notify-send must be installed on the system.",
    );
    assert.equal(problems.length, 2);
  });

  it('picks node-notifier where it reports clicks and Electron where it cannot', () => {
    assert.equal(chooseNotificationBackend('darwin', 'x64', false).backend, 'node-notifier');
    assert.equal(chooseNotificationBackend('darwin', 'arm64', true).backend, 'node-notifier');
    assert.equal(chooseNotificationBackend('darwin', 'arm64', false).backend, 'electron');
    assert.equal(chooseNotificationBackend('win32', 'x64', false).backend, 'node-notifier');
    assert.equal(chooseNotificationBackend('linux', 'x64', false).backend, 'electron');
  });
});
