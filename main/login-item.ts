/**
 * "Start at login". Electron registers a login item on macOS and Windows; Linux has no such API,
 * so there the XDG autostart entry (`~/.config/autostart/*.desktop`) is written or removed, as
 * desktop environments read it.
 *
 * From a checkout (`npm start`) the binary is Electron's own, which needs the app folder as its
 * argument. Windows and Linux get it; on Windows under a name of its own, since the default name
 * is the AppUserModelID and would overwrite the installed app's entry. macOS registers the
 * running bundle, here Electron.app, and takes no arguments (`path` and `args` are Windows-only in
 * `app.setLoginItemSettings`), so there it is refused with a message.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'electron';
import type { MonitorService } from '../src/service/monitor.ts';

export interface LoginItemOptions {
  readonly app: Pick<App, 'setLoginItemSettings' | 'getAppPath' | 'isPackaged'>;
  readonly platform: NodeJS.Platform;
  /** `$XDG_CONFIG_HOME`, else `~/.config`. */
  readonly configHome: string;
  /** What to start: the AppImage when run from one (its mount point changes every run), else the binary. */
  readonly exec: string;
}

export const AUTOSTART_FILE = 'dify-monitor.desktop';
/** The Windows Run entry of a checkout, beside the installed app's (named after its AppUserModelID). */
export const CHECKOUT_LOGIN_NAME = 'Dify Monitor (checkout)';
export const MAC_CHECKOUT_REFUSAL =
  'Start at login needs the installed Dify Monitor on macOS: from a checkout, macOS would start ' +
  'Electron’s own app at login, not this one.';

/** The Exec key quotes arguments with double quotes, escaping ", `, $ and \\ inside them. */
function execQuoted(arg: string): string {
  return `"${arg.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
}

export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Dify Monitor',
    'Comment=Watches Dify containers and warns before they run out of memory',
    `Exec=${command.map(execQuoted).join(' ')}`,
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export type LoginItemResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export function applyStartAtLogin(enabled: boolean, options: LoginItemOptions): LoginItemResult {
  const { app } = options;
  const command = app.isPackaged ? [options.exec] : [options.exec, app.getAppPath()];
  if (options.platform === 'darwin') {
    if (app.isPackaged) app.setLoginItemSettings({ openAtLogin: enabled });
    return enabled && !app.isPackaged ? { ok: false, error: MAC_CHECKOUT_REFUSAL } : { ok: true };
  }
  if (options.platform === 'win32') {
    app.setLoginItemSettings(
      app.isPackaged
        ? { openAtLogin: enabled }
        : // Windows keeps the arguments as one command line: the path must be quoted.
          {
            openAtLogin: enabled,
            path: options.exec,
            args: [`"${app.getAppPath()}"`],
            name: CHECKOUT_LOGIN_NAME,
          },
    );
    return { ok: true };
  }
  const dir = join(options.configHome, 'autostart');
  const file = join(dir, AUTOSTART_FILE);
  if (enabled) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, autostartEntry(command));
  } else {
    rmSync(file, { force: true });
  }
  return { ok: true };
}

/** Applies the setting now and on every change; one that cannot be applied is told and turned off. */
export function followStartAtLogin(
  service: Pick<MonitorService, 'on' | 'handle'>,
  initial: boolean,
  apply: (enabled: boolean) => LoginItemResult,
  tell: (text: string) => void,
): void {
  const follow = (enabled: boolean): void => {
    const result = apply(enabled);
    if (result.ok) return;
    tell(result.error);
    void service.handle('settings:set', { startAtLogin: false });
  };
  follow(initial);
  service.on('settings:changed', (next) => follow(next.startAtLogin));
}
