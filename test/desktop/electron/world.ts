/**
 * What the stand-in Electron knows about the machine and what main did to it: the one place a
 * test sets the scene (paths, Chromium, switches, failing notifications) and reads the outcome
 * (windows, trays, menus, dialogs, notifications, the exit). One per process, as Electron is.
 */
import type { Browser } from 'playwright-core';

export interface Paths {
  readonly home: string;
  readonly appData: string;
  readonly userData: string;
  readonly temp: string;
  readonly downloads: string;
  readonly logs: string;
}

export interface ShownNotification {
  readonly title: string;
  readonly body: string;
  readonly urgency: string;
  /** The user's click on it while it is up: `click`, as Electron emits it. */
  click(): void;
}

/** Settings of the machine the app runs on, set before it starts. */
export interface Scene {
  readonly browser: Browser;
  /** What `app.getAppPath()` answers: the checkout, as under `npm start`. */
  readonly appPath: string;
  readonly paths: Paths;
  readonly name: string;
  readonly version: string;
  /** Command-line switches, as `app.commandLine` reads them. */
  readonly switches?: Readonly<Record<string, string>>;
}

type Exit = { readonly code: number; readonly how: 'quit' | 'exit' };

class World {
  #scene: Scene | null = null;
  /** Set: every Notification shown fails with this message, as Electron's `failed` says it. */
  notificationFailure: string | null = null;
  readonly notifications: ShownNotification[] = [];
  readonly errorBoxes: { title: string; content: string }[] = [];
  readonly messageBoxes: unknown[] = [];
  /** Exceptions thrown by main's listeners when a user action (a click, a close) ran them. */
  readonly errors: Error[] = [];
  #exit: Promise<Exit> = Promise.resolve({ code: 0, how: 'exit' });
  #exited: (exit: Exit) => void = () => undefined;
  #resets: (() => void)[] = [];

  get scene(): Scene {
    if (this.#scene === null)
      throw new Error('the stand-in Electron has no scene: call desktop.setScene() first');
    return this.#scene;
  }

  /** A fresh machine for the next boot of main. */
  setScene(scene: Scene): void {
    this.#scene = scene;
    this.notificationFailure = null;
    this.notifications.length = 0;
    this.errorBoxes.length = 0;
    this.messageBoxes.length = 0;
    this.errors.length = 0;
    for (const reset of this.#resets) reset();
    this.#exit = new Promise((resolve) => (this.#exited = resolve));
  }

  /** Each stand-in module forgets its state (windows, handlers, listeners) on a new scene. */
  onReset(reset: () => void): void {
    this.#resets.push(reset);
  }

  /** Resolves when the app quit or exited, with its exit code. */
  get exit(): Promise<Exit> {
    return this.#exit;
  }

  exited(exit: Exit): void {
    this.#exited(exit);
  }

  /** Runs what a user did (a click, a key), keeping what main threw, as Electron logs it. */
  userAction(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.errors.push(error as Error);
    }
  }
}

export const world = new World();
