import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { App, MenuItemConstructorOptions } from 'electron';
import { applicationMenu } from '../../../main/app-menu.ts';
import { failStart } from '../../../main/fatal.ts';
import { quitInOrder } from '../../../main/quit.ts';
import { showOnReopen } from '../../../main/reopen.ts';
import { Emitter, harness, settle } from './fakes.ts';

interface Cancellable {
  preventDefault(): void;
}

/**
 * `app.quit()` as Browser::Quit does it (shell/browser/browser.cc): `before-quit`, unless
 * prevented every window is asked to close, a refused close cancels the quit, then `will-quit`.
 */
class QuittingApp extends Emitter {
  readonly windows: Emitter[] = [];
  readonly order: string[] = [];
  #quitting = false;
  quit(): void {
    if (this.#quitting) return;
    if (this.#cancelled('before-quit')) return;
    this.#quitting = true;
    for (const win of this.windows) {
      if (this.#cancelled('close', win)) {
        this.#quitting = false;
        return;
      }
      this.order.push('window closed');
    }
    this.order.push('will-quit');
  }
  #cancelled(event: string, target: Emitter = this): boolean {
    let prevented = false;
    const e: Cancellable = { preventDefault: () => (prevented = true) };
    target.emit(event, e);
    return prevented;
  }
}

describe('quitting', () => {
  it('waits for the monitor and the exporter to stop before Electron closes windows and quits', async () => {
    const app = new QuittingApp();
    const h = harness();
    let finishStop: () => void = () => undefined;
    const state = quitInOrder({
      app: app as unknown as Pick<App, 'on' | 'quit'>,
      stop: async () => {
        app.order.push('stopping');
        await new Promise<void>((resolve) => (finishStop = resolve));
        await h.service.stop();
        app.order.push('stopped');
      },
      warn: (text) => assert.fail(text),
    });
    const window = new Emitter();
    window.on('close', (event: unknown) => {
      if (!state.quitting) (event as Cancellable).preventDefault();
    });
    app.windows.push(window);

    app.quit();
    app.quit();
    assert.deepEqual(app.order, ['stopping'], 'held back, and asked once');
    assert.equal(state.quitting, false);
    finishStop();
    await settle();
    await settle();
    assert.deepEqual(app.order, ['stopping', 'stopped', 'window closed', 'will-quit']);
    assert.equal(state.quitting, true);
  });

  it('quits even when stopping fails, and says so', async () => {
    const app = new QuittingApp();
    const warned: string[] = [];
    quitInOrder({
      app: app as unknown as Pick<App, 'on' | 'quit'>,
      stop: () => Promise.reject(new Error('the exporter’s port is stuck')),
      warn: (text) => warned.push(text),
    });
    app.quit();
    await settle();
    assert.deepEqual(app.order, ['will-quit']);
    assert.deepEqual(warned, ['Could not stop cleanly: the exporter’s port is stuck']);
  });
});

describe('the app’s other ways in and out', () => {
  it('shows a failed start in a box that waits for the user, then exits', () => {
    const calls: string[] = [];
    failStart(
      {
        dialog: { showErrorBox: (title, content) => calls.push(`box ${title}: ${content}`) },
        app: { exit: (code) => calls.push(`exit ${code}`) },
        warn: (text) => calls.push(`log ${text}`),
      },
      new Error('settings.json is a directory'),
    );
    assert.deepEqual(calls, [
      'log Dify Monitor could not start: settings.json is a directory',
      'box Dify Monitor could not start: settings.json is a directory',
      'exit 1',
    ]);
  });

  it('shows the dashboard on a second launch and on macOS’ activate (Finder, Spotlight)', () => {
    const app = new Emitter();
    let shown = 0;
    showOnReopen(app as never, () => shown++);
    app.emit('second-instance', {}, [], '/');
    app.emit('activate', {}, false);
    assert.equal(shown, 2);
  });

  it('has an Edit menu on macOS and no menu elsewhere: no reload, no DevTools, no Close shortcut', () => {
    const mac = applicationMenu('darwin');
    assert.deepEqual(mac, [{ role: 'editMenu' }]);
    const roles = (items: readonly MenuItemConstructorOptions[]): string[] =>
      items.flatMap((i) => [
        String(i.role ?? ''),
        ...(Array.isArray(i.submenu) ? roles(i.submenu as MenuItemConstructorOptions[]) : []),
      ]);
    for (const role of ['reload', 'forceReload', 'toggleDevTools', 'viewMenu', 'windowMenu', 'close'])
      assert.equal(roles(mac ?? []).includes(role), false, role);
    assert.equal(applicationMenu('linux'), null);
    assert.equal(applicationMenu('win32'), null);
  });
});
