/**
 * Saved hosts as a page sees and changes them. A page gets names, addresses and kinds, never the
 * paths of key, certificate or known_hosts files; it sends back names and addresses, and the files
 * a host already had are carried over by name. So a page can neither point a host at a file nor
 * lose the files the CLI set up.
 */
import type { HostView } from '../api.ts';
import { plainTcpWarning, savedEndpoint } from '../collect/connect.ts';
import { checkRemoteUrl } from '../hosts/remote-url.ts';
import type { FieldError, HostSetting, Settings } from '../settings/schema.ts';

const FILE_FIELDS = ['tls', 'identityFile', 'knownHostsFile'] as const;

function hasFiles(host: HostSetting): boolean {
  return FILE_FIELDS.some((field) => host[field] !== undefined);
}

export function hostView(host: HostSetting): HostView {
  const parsed = savedEndpoint(host);
  const transport = parsed.ok ? parsed.endpoint.transport : null;
  const kind =
    transport === 'ssh'
      ? 'ssh'
      : transport === 'tcp'
        ? parsed.ok && parsed.endpoint.tls !== null
          ? 'tls'
          : 'tcp'
        : 'socket';
  const warning = parsed.ok ? plainTcpWarning(parsed.endpoint) : undefined;
  return {
    name: host.name,
    url: host.url,
    kind,
    editable: (kind === 'tcp' || kind === 'ssh') && !hasFiles(host),
    ...(warning === undefined ? {} : { warning }),
  };
}

/** Settings as they may leave this process for a page: hosts without their file paths. */
export function settingsForPage(settings: Settings): Settings {
  return { ...settings, hosts: settings.hosts.map(({ name, url }) => ({ name, url })) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The hosts list a page sent, checked against what is saved: a new or re-addressed host must be
 * tcp:// or ssh:// (checkRemoteUrl), a host with files keeps its name and its files, and file
 * fields a page sends are left to the schema and `fileReferencesChanged` to refuse.
 */
export function hostsFromPage(
  saved: readonly HostSetting[],
  given: unknown,
): { ok: true; hosts: unknown[] } | { ok: false; errors: FieldError[] } {
  if (!Array.isArray(given)) return { ok: false, errors: [{ path: '/hosts', message: 'must be a list' }] };
  const errors: FieldError[] = [];
  const names = new Set<string>();
  const hosts = given.map((entry: unknown, i) => {
    if (!isRecord(entry)) return entry;
    const { name, url } = entry;
    const before = saved.find((h) => h.name === name);
    if (name === 'local') {
      errors.push({ path: `/hosts/${i}/name`, message: '"local" is the engine found by itself' });
    } else if (typeof name === 'string' && names.has(name)) {
      errors.push({ path: `/hosts/${i}/name`, message: `"${name}" names two hosts` });
    }
    if (typeof name === 'string') names.add(name);
    if (url !== before?.url) {
      const checked = checkRemoteUrl(url);
      if (!checked.ok) errors.push({ path: `/hosts/${i}/url`, message: checked.error });
    }
    if (before === undefined || FILE_FIELDS.some((field) => field in entry)) return entry;
    const files = Object.fromEntries(
      FILE_FIELDS.filter((f) => before[f] !== undefined).map((f) => [f, before[f]]),
    );
    return { ...entry, ...files };
  });
  for (const host of saved) {
    if (hasFiles(host) && !names.has(host.name)) {
      errors.push({
        path: '/hosts',
        message: `"${host.name}" has key or certificate files: rename or remove it with \`dify-monitor hosts\``,
      });
    }
  }
  return errors.length === 0 ? { ok: true, hosts } : { ok: false, errors };
}

/** Which saved hosts to stop watching (gone or changed) and which to start (new or changed). */
export function hostChanges(
  before: readonly HostSetting[],
  after: readonly HostSetting[],
): { stop: string[]; start: HostSetting[] } {
  const identity = (h: HostSetting): string =>
    JSON.stringify([h.url, h.tls?.caPath, h.tls?.certPath, h.tls?.keyPath, h.identityFile, h.knownHostsFile]);
  const same = (a: HostSetting, b: HostSetting | undefined): boolean =>
    b !== undefined && identity(a) === identity(b);
  return {
    stop: before
      .filter(
        (b) =>
          !same(
            b,
            after.find((a) => a.name === b.name),
          ),
      )
      .map((b) => b.name),
    start: after.filter(
      (a) =>
        !same(
          a,
          before.find((b) => b.name === a.name),
        ),
    ),
  };
}
