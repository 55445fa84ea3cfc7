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
import { Emitter, GIB, harness, hostState, sample, settle, T0 } from './fakes.ts';

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

class FakeWindow extends Emitter {
  readonly webContents = new FakeContents();
  readonly loaded: string[] = [];
  position: [number, number] | null = null;
  shown = false;
  show(): void {
    this.shown = true;
    this.emit('show');
  }
  hide(): void {
    this.shown = false;
    this.emit('hide');
  }
  focus(): void {}
  isVisible(): boolean {
    return this.shown;
  }
  isDestroyed(): boolean {
    return false;
  }
  setPosition(x: number, y: number): void {
    this.position = [x, y];
  }
  getSize(): number[] {
    return [POPOVER_SIZE.width, POPOVER_SIZE.height];
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
}

const screen = {
  getCursorScreenPoint: () => ({ x: 1500, y: 10 }),
  getDisplayNearestPoint: () => display({ x: 0, y: 25, width: 1920, height: 1055 }),
} as unknown as Pick<Screen, 'getDisplayNearestPoint' | 'getCursorScreenPoint'>;

function popover(h: ReturnType<typeof harness>) {
  const win = new FakeWindow();
  let now = T0;
  const p = new Popover({
    window: win as unknown as PopoverWindow,
    screen,
    trayBounds: () => ({ x: 1500, y: 0, width: 24, height: 24 }),
    service: h.service,
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
    assert.deepEqual(win.position, [1292, 29]);
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
      nodeNotifier: { notify: (options, done) => calls.push({ options, done }) },
      createNotification: () => assert.fail('not the Electron path'),
      electronSupported: () => true,
      appId: 'ai.dify.monitor',
      iconPath: null,
      onClick: (key) => route(key),
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
    const made: (Emitter & ElectronNotificationLike & { shown: boolean })[] = [];
    const clicked: (string | null)[] = [];
    const notifier = createAppNotifier({
      backend: 'electron',
      nodeNotifier: { notify: () => assert.fail('not the node-notifier path') },
      createNotification: () => {
        const n = Object.assign(new Emitter(), { shown: false, show: () => (n.shown = true) });
        made.push(n);
        return n;
      },
      electronSupported: () => true,
      appId: 'ai.dify.monitor',
      iconPath: null,
      onClick: (key) => clicked.push(key),
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
    await h.service.stop();
  });

  it('picks node-notifier where it reports clicks and Electron where it cannot', () => {
    assert.equal(chooseNotificationBackend('darwin', 'x64', false).backend, 'node-notifier');
    assert.equal(chooseNotificationBackend('darwin', 'arm64', true).backend, 'node-notifier');
    assert.equal(chooseNotificationBackend('darwin', 'arm64', false).backend, 'electron');
    assert.equal(chooseNotificationBackend('win32', 'x64', false).backend, 'node-notifier');
    assert.equal(chooseNotificationBackend('linux', 'x64', false).backend, 'electron');
  });
});
