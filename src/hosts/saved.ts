import type { HostSetting } from '../settings/schema.ts';

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
