import { readFileSync } from 'node:fs';
import type { HostSetting } from '../settings/schema.ts';
import { HOST_NAME_PATTERN } from '../settings/host-name.ts';

const NAME = new RegExp(HOST_NAME_PATTERN);
const FILE_FIELDS = ['identityFile', 'knownHostsFile'] as const;
const TLS_FIELDS = ['caPath', 'certPath', 'keyPath'] as const;

function text(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 4096;
}

function hostOf(value: unknown): HostSetting | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!text(v['name']) || !NAME.test(v['name']) || !text(v['url'])) return null;
  if (FILE_FIELDS.some((f) => v[f] !== undefined && !text(v[f]))) return null;
  const tls = v['tls'];
  if (tls !== undefined) {
    if (typeof tls !== 'object' || tls === null) return null;
    const t = tls as Record<string, unknown>;
    if (TLS_FIELDS.some((f) => t[f] !== undefined && !text(t[f]))) return null;
  }
  return value as HostSetting;
}

/**
 * The saved hosts, for `watch`: read without the settings validator (`watch` does not load it)
 * and without touching the file, so a broken one is only reported; `serve` and `hosts` own it.
 */
export function readSavedHosts(path: string): { hosts: HostSetting[]; warning?: string } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { hosts: [] };
    return { hosts: [], warning: `Saved hosts not read: ${path}: ${(error as Error).message}` };
  }
  const list = (json as { hosts?: unknown } | null)?.hosts;
  if (list === undefined) return { hosts: [] };
  if (!Array.isArray(list))
    return { hosts: [], warning: `Saved hosts not read: ${path}: "hosts" is not a list` };
  const hosts = list.map(hostOf);
  const bad = hosts.filter((h) => h === null).length;
  return {
    hosts: hosts.filter((h) => h !== null),
    ...(bad === 0 ? {} : { warning: `${bad} saved host(s) in ${path} are malformed and were left out` }),
  };
}

/**
 * Hosts given by a window may change names and addresses, but not which files are read: a page
 * must not be able to make this process read an arbitrary file as a key. Those come from
 * `dify-monitor hosts add`.
 */
export function fileReferencesChanged(
  before: readonly HostSetting[],
  after: readonly HostSetting[],
): boolean {
  const files = (h: HostSetting | undefined): string =>
    JSON.stringify([h?.tls?.caPath, h?.tls?.certPath, h?.tls?.keyPath, h?.identityFile, h?.knownHostsFile]);
  const none = files(undefined);
  return after.some((host) => {
    const previous = before.find((b) => b.name === host.name);
    return files(host) !== none && files(host) !== files(previous);
  });
}
