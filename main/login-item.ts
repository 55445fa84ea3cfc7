/**
 * "Start at login". Electron registers a login item on macOS and Windows; Linux has no such API,
 * so there the XDG autostart entry (`~/.config/autostart/*.desktop`) is written or removed, as
 * desktop environments read it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'electron';

export interface LoginItemOptions {
  readonly app: Pick<App, 'setLoginItemSettings'>;
  readonly platform: NodeJS.Platform;
  /** `$XDG_CONFIG_HOME`, else `~/.config`. */
  readonly configHome: string;
  /** What to start: the AppImage when run from one (its mount point changes every run), else the binary. */
  readonly exec: string;
}

export const AUTOSTART_FILE = 'dify-monitor.desktop';

function autostartEntry(exec: string): string {
  // The Exec key quotes arguments with double quotes, escaping ", `, $ and \ inside them.
  const quoted = `"${exec.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Dify Monitor',
    'Comment=Watches Dify containers and warns before they run out of memory',
    `Exec=${quoted}`,
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function applyStartAtLogin(enabled: boolean, options: LoginItemOptions): void {
  if (options.platform === 'darwin' || options.platform === 'win32') {
    options.app.setLoginItemSettings({ openAtLogin: enabled });
    return;
  }
  const dir = join(options.configHome, 'autostart');
  const file = join(dir, AUTOSTART_FILE);
  if (enabled) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, autostartEntry(options.exec));
  } else {
    rmSync(file, { force: true });
  }
}
