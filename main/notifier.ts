/**
 * The core's `Notifier` for the desktop app, with clicks: a click on an alert's notification opens
 * the window on that container.
 *
 * node-notifier is used where it can report a click: macOS (terminal-notifier, its own signed
 * helper app, so notifications work even for an unsigned Dify Monitor) and Windows (SnoreToast,
 * under our AppUserModelID). Electron's own `Notification` is used where node-notifier cannot do
 * the job: on Apple Silicon without Rosetta 2 (terminal-notifier is an Intel-only binary) and on
 * Linux (notify-send, which node-notifier runs, cannot report a click; Electron talks to the
 * notification server over D-Bus itself).
 *
 * Electron's notifications can fail: on macOS an app that is not signed with a Developer ID may
 * not post any, and on Linux a notification server can refuse one. Electron then emits `failed`
 * (its docs say macOS and Windows only, but libnotify_notification.cc emits it on Linux too, with
 * an empty message). From the first failure on, notifications go through node-notifier instead,
 * and the reason is kept for the tray menu, so that a lost notification leaves a trace.
 */
import type { NotificationConstructorOptions } from 'electron';
import { t } from '../src/i18n/index.ts';
import { APP_NAME } from '../src/notify/node-notifier.ts';
import type { DesktopNotification, Notifier, NotifyResult } from '../src/notify/notifier.ts';

export type NotificationBackend = 'node-notifier' | 'electron';

export interface BackendChoice {
  readonly backend: NotificationBackend;
  /** Why Electron's notifications are used, for the log and the docs. */
  readonly reason: string | null;
}

export function chooseNotificationBackend(
  platform: NodeJS.Platform,
  arch: string,
  hasRosetta: boolean,
): BackendChoice {
  if (platform === 'win32') return { backend: 'node-notifier', reason: null };
  if (platform === 'darwin') {
    return arch === 'x64' || hasRosetta
      ? { backend: 'node-notifier', reason: null }
      : {
          backend: 'electron',
          reason: 'terminal-notifier needs Rosetta 2 on Apple Silicon; using Electron notifications',
        };
  }
  return { backend: 'electron', reason: 'notify-send cannot report clicks; using Electron notifications' };
}

/**
 * node-notifier's `notify` as used: the callback's `response` is "activate" after a click. Its
 * first argument is an Error only on failure; on success it is null or, from notify-send, ''.
 */
export interface NodeNotifierLike {
  notify(
    options: Record<string, unknown>,
    callback: (error: Error | string | null, response: string | undefined) => void,
  ): unknown;
}

export interface ElectronNotificationLike {
  on(event: 'click' | 'close' | 'show', listener: () => void): unknown;
  on(event: 'failed', listener: (event: unknown, error: string) => void): unknown;
  show(): void;
}

/** The helper node-notifier runs on each platform, named in what the tray menu says. */
export function nodeNotifierName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'terminal-notifier';
  if (platform === 'win32') return 'SnoreToast';
  return 'notify-send';
}

export interface AppNotifierOptions {
  readonly backend: NotificationBackend;
  readonly platform: NodeJS.Platform;
  /** The first backend where it reports clicks, else the fallback for Electron's. */
  readonly nodeNotifier: NodeNotifierLike;
  readonly createNotification: (options: NotificationConstructorOptions) => ElectronNotificationLike;
  /** Electron's `Notification.isSupported()`. */
  readonly electronSupported: () => boolean;
  /** The AppUserModelID on Windows: the toast is ours, and its click comes back to us. */
  readonly appId: string;
  /** A real file (outside the asar) for the helpers to show. */
  readonly iconPath: string | null;
  /** A click on the notification about `key` (an alert's key), or null when it named none. */
  readonly onClick: (key: string | null) => void;
  /** The problem changed (see `AppNotifier.problem`). */
  readonly onProblem: () => void;
}

export interface AppNotifier extends Notifier {
  /** Why notifications fail or go another way than planned; null while they work. */
  readonly problem: string | null;
}

/** terminal-notifier gives up waiting for a click after this long; the banner itself may stay. */
const MAC_WAIT_SECONDS = 60;
/** Electron drops a Notification's handlers once it is garbage-collected: keep the latest few alive. */
const KEPT_NOTIFICATIONS = 20;

/** What node-notifier passes on: terminal-notifier and SnoreToast take unknown keys as flags. */
function nodeNotifierOptions(
  n: DesktopNotification,
  options: Pick<AppNotifierOptions, 'platform' | 'appId' | 'iconPath'>,
): Record<string, unknown> {
  const icon = options.iconPath === null ? {} : { icon: options.iconPath };
  if (options.platform !== 'darwin' && options.platform !== 'win32') {
    // notify-send: a critical alert stays until dismissed (expire-time 0).
    const seconds = n.urgency === 'critical' ? 0 : 10;
    return {
      title: n.title,
      message: n.body,
      urgency: n.urgency,
      'expire-time': seconds,
      'app-name': APP_NAME,
      ...icon,
    };
  }
  return {
    title: n.title,
    message: n.body,
    sound: n.urgency === 'critical',
    wait: true,
    timeout: MAC_WAIT_SECONDS,
    appID: options.appId,
    ...icon,
  };
}

export function createAppNotifier(options: AppNotifierOptions): AppNotifier {
  const kept = new Set<ElectronNotificationLike>();
  const helper = nodeNotifierName(options.platform);
  let available: boolean | null = null;
  /** Why Electron's notifications failed, once one did; node-notifier shows them from then on. */
  let electronFailure: string | null = null;
  let problem: string | null = null;

  function report(next: string | null): void {
    if (next === problem) return;
    problem = next;
    options.onProblem();
  }

  function viaNodeNotifier(n: DesktopNotification): Promise<NotifyResult> {
    const before = electronFailure === null ? '' : t('tray:problem.then', { problem: electronFailure });
    return new Promise<NotifyResult>((resolve) => {
      try {
        options.nodeNotifier.notify(nodeNotifierOptions(n, options), (error, response) => {
          if (response === 'activate') options.onClick(n.id ?? null);
          // notify-send's path answers success with its stderr, '' (node-notifier's utils.command).
          resolve(error instanceof Error ? { ok: false, error: error.message } : { ok: true });
        });
      } catch (error) {
        resolve({ ok: false, error: (error as Error).message });
      }
    }).then((result) => {
      if (!result.ok) report(t('tray:problem.helperFailed', { before, helper, error: result.error }));
      else report(before === '' ? null : t('tray:problem.shownThrough', { before, helper }));
      return result;
    });
  }

  function electronFailed(n: DesktopNotification, error: string): void {
    const why = error === '' ? t('tray:problem.refused') : error;
    electronFailure = t('tray:problem.electronFailed', { why });
    void viaNodeNotifier(n);
  }

  function viaElectron(n: DesktopNotification): NotifyResult {
    const notification = options.createNotification({
      title: n.title,
      body: n.body,
      urgency: n.urgency,
      silent: n.urgency !== 'critical',
      ...(n.urgency === 'critical' ? { timeoutType: 'never' as const } : {}),
      ...(options.iconPath === null ? {} : { icon: options.iconPath }),
    });
    kept.add(notification);
    if (kept.size > KEPT_NOTIFICATIONS) kept.delete(kept.values().next().value as ElectronNotificationLike);
    notification.on('click', () => {
      kept.delete(notification);
      options.onClick(n.id ?? null);
    });
    notification.on('close', () => kept.delete(notification));
    notification.on('show', () => {
      if (electronFailure === null) report(null);
    });
    notification.on('failed', (_event, error) => {
      kept.delete(notification);
      electronFailed(n, error);
    });
    notification.show();
    return { ok: true };
  }

  async function check(): Promise<boolean> {
    available ??= options.backend === 'node-notifier' || options.electronSupported();
    return available;
  }

  return {
    get available() {
      return available;
    },
    get problem() {
      return problem;
    },
    check,
    async notify(n) {
      if (!(await check())) return { ok: false, error: 'this desktop shows no notifications' };
      return options.backend === 'electron' && electronFailure === null ? viaElectron(n) : viaNodeNotifier(n);
    },
  };
}
