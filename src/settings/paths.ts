import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_CONFIG_HOME/dify-monitor/settings.json`; kept apart from the store so the CLI can name it without loading the schema. */
export function defaultSettingsPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const configHome = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(configHome, 'dify-monitor', 'settings.json');
}
