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
 */
import type { NotificationConstructorOptions } from 'electron';
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

/** node-notifier's `notify` as used: the callback's `response` is "activate" after a click. */
export interface NodeNotifierLike {
  notify(
    options: Record<string, unknown>,
    callback: (error: Error | null, response: string | undefined) => void,
  ): unknown;
}

export interface ElectronNotificationLike {
  on(event: 'click' | 'close', listener: () => void): unknown;
  show(): void;
}

export interface AppNotifierOptions {
  readonly backend: NotificationBackend;
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
}

/** terminal-notifier gives up waiting for a click after this long; the banner itself may stay. */
const MAC_WAIT_SECONDS = 60;
/** Electron drops a Notification's handlers once it is garbage-collected: keep the latest few alive. */
const KEPT_NOTIFICATIONS = 20;

export function createAppNotifier(options: AppNotifierOptions): Notifier {
  const kept = new Set<ElectronNotificationLike>();
  let available: boolean | null = null;

  function viaNodeNotifier(n: DesktopNotification): Promise<NotifyResult> {
    return new Promise((resolve) => {
      try {
        options.nodeNotifier.notify(
          {
            title: n.title,
            message: n.body,
            sound: n.urgency === 'critical',
            wait: true,
            timeout: MAC_WAIT_SECONDS,
            appID: options.appId,
            ...(options.iconPath === null ? {} : { icon: options.iconPath }),
          },
          (error, response) => {
            if (response === 'activate') options.onClick(n.id ?? null);
            resolve(error === null ? { ok: true } : { ok: false, error: error.message });
          },
        );
      } catch (error) {
        resolve({ ok: false, error: (error as Error).message });
      }
    });
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
    check,
    async notify(n) {
      if (!(await check())) return { ok: false, error: 'this desktop shows no notifications' };
      return options.backend === 'node-notifier' ? viaNodeNotifier(n) : viaElectron(n);
    },
  };
}
