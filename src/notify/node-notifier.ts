/**
 * Desktop notifications through node-notifier: notify-send on Linux and the BSDs, terminal-notifier
 * on macOS, SnoreToast on Windows. Only the notify-send path can be missing from a machine, and
 * then it is said once and nothing more is tried: the caller keeps logging alerts either way.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import nodeNotifier from 'node-notifier';
import { t } from '../i18n/index.ts';
import { findExecutable } from './find-executable.ts';
import type { DesktopNotification, Notifier, NotifyResult, Urgency } from './notifier.ts';

export const APP_NAME = 'Dify Monitor';

/** In the language of the moment it is said. */
export const notifySendMissing = (): string => t('notify:problem.notifySendMissing');

export interface DesktopNotifierOptions {
  /** Told once, when this machine cannot show notifications. */
  readonly onUnavailable?: (message: string) => void;
  /** Where notify-send is looked for; the process's PATH when absent. */
  readonly path?: string;
  /** An image shown with the notification; `assets/icon.png` when it exists, else none. */
  readonly iconPath?: string | null;
  /** How long to wait for the platform's helper before giving up on one notification. */
  readonly timeoutMs?: number;
  readonly platform?: NodeJS.Platform;
}

/** Seconds a notification stays on screen; a critical one stays until dismissed (0). */
const EXPIRE_SECONDS: Readonly<Record<Urgency, number>> = { low: 5, normal: 10, critical: 0 };
/** notify-send returns once the server took the notification, which takes milliseconds. */
const DEFAULT_TIMEOUT_MS = 10_000;
/** SnoreToast returns only when the toast is dismissed or times out (about 25 s). */
const WINDOWS_TIMEOUT_MS = 60_000;

type Send = (n: DesktopNotification, icon: string | null, done: (err: unknown) => void) => void;

interface Backend {
  readonly send: Send;
  readonly timeoutMs: number;
  /** Null when the platform always has what it needs, else why it cannot notify. */
  readonly unavailable: (path: string | undefined) => Promise<string | null>;
}

function notifySend(): Backend {
  // Our own PATH lookup decides availability: node-notifier caches its answer for the whole process.
  const senderOptions: nodeNotifier.Option & { suppressOsdCheck: boolean } = { suppressOsdCheck: true };
  const sender = new nodeNotifier.NotifySend(senderOptions);
  return {
    timeoutMs: DEFAULT_TIMEOUT_MS,
    unavailable: async (path) =>
      (await findExecutable('notify-send', path)) === null ? notifySendMissing() : null,
    send(n, icon, done) {
      const options = {
        title: n.title,
        message: n.body,
        urgency: n.urgency,
        timeout: EXPIRE_SECONDS[n.urgency],
        'app-name': APP_NAME,
        ...(icon === null ? {} : { icon }),
      };
      sender.notify(options, done);
    },
  };
}

function notificationCenter(): Backend {
  const sender = new nodeNotifier.NotificationCenter({ withFallback: false });
  return {
    timeoutMs: DEFAULT_TIMEOUT_MS,
    unavailable: async () => null,
    send(n, icon, done) {
      sender.notify(
        {
          title: n.title,
          message: n.body,
          sound: n.urgency === 'critical',
          // terminal-notifier would otherwise stay running until the banner goes away.
          timeout: false,
          ...(icon === null ? {} : { icon }),
        },
        done,
      );
    },
  };
}

function windowsToaster(): Backend {
  // The fallback is the balloon tip, for Windows before 8.
  const sender = new nodeNotifier.WindowsToaster({ withFallback: true });
  return {
    timeoutMs: WINDOWS_TIMEOUT_MS,
    unavailable: async () => null,
    send(n, icon, done) {
      sender.notify(
        {
          title: n.title,
          message: n.body,
          sound: n.urgency === 'critical',
          ...(icon === null ? {} : { icon }),
        },
        done,
      );
    },
  };
}

function backendFor(platform: NodeJS.Platform): Backend | string {
  switch (platform) {
    case 'linux':
    case 'freebsd':
    case 'openbsd':
    case 'netbsd':
      return notifySend();
    case 'darwin':
      return notificationCenter();
    case 'win32':
      return windowsToaster();
    default:
      return t('notify:problem.unsupported', { platform });
  }
}

/** `assets/icon.png` from the source tree (src/notify/) or from the bundle (dist/), if it is there. */
function defaultIconPath(): string | null {
  for (const relative of ['../../assets/icon.png', '../assets/icon.png']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  return null;
}

/** node-notifier hands notify-send's stderr to the callback as `err` even when it succeeded. */
function failure(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const lines = err.message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.at(-1) ?? 'the notification helper failed';
}

export function createDesktopNotifier(options: DesktopNotifierOptions = {}): Notifier {
  const chosen = backendFor(options.platform ?? process.platform);
  const icon = options.iconPath === undefined ? defaultIconPath() : options.iconPath;
  let available: boolean | null = null;
  let reason: string | null = typeof chosen === 'string' ? chosen : null;
  let checking: Promise<boolean> | null = null;

  async function decide(): Promise<boolean> {
    if (reason === null && typeof chosen !== 'string') {
      reason = await chosen.unavailable(options.path ?? process.env.PATH);
    }
    available = reason === null;
    if (reason !== null) options.onUnavailable?.(reason);
    return available;
  }

  function check(): Promise<boolean> {
    checking ??= decide();
    return checking;
  }

  function deliver(backend: Backend, n: DesktopNotification): Promise<NotifyResult> {
    const timeoutMs = options.timeoutMs ?? backend.timeoutMs;
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => resolve({ ok: false, error: `no answer from the notification helper within ${timeoutMs} ms` }),
        timeoutMs,
      );
      const settle = (result: NotifyResult): void => {
        clearTimeout(timer);
        resolve(result);
      };
      try {
        backend.send(n, icon, (err) => {
          const error = failure(err);
          settle(error === null ? { ok: true } : { ok: false, error });
        });
      } catch (error) {
        settle({ ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    });
  }

  return {
    get available() {
      return available;
    },
    check,
    async notify(n) {
      if (!(await check()) || typeof chosen === 'string') {
        return { ok: false, error: reason ?? 'notifications are unavailable' };
      }
      return deliver(chosen, n);
    },
  };
}
