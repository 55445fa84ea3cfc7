/**
 * A Docker engine's address: what an endpoint is, and how a user-given address (`--host`,
 * DOCKER_HOST, a context's Host, a saved host) becomes one, the way the docker CLI reads it.
 */
export type Transport = 'unix' | 'npipe' | 'tcp' | 'ssh';

export interface TlsSettings {
  /** False encrypts but accepts any server certificate (DOCKER_TLS alone, a context's SkipTLSVerify). */
  readonly verify: boolean;
  readonly caPath?: string;
  readonly certPath?: string;
  readonly keyPath?: string;
}

/** One Docker engine address, in the docker CLI's canonical form. */
export interface Endpoint {
  /** e.g. unix:///var/run/docker.sock, tcp://127.0.0.1:2376, npipe:////./pipe/docker_engine, ssh://u@h:22 */
  readonly url: string;
  readonly transport: Transport;
  /** Only tcp carries TLS: the CLI ignores TLS settings for sockets, and ssh encrypts by itself. */
  readonly tls: TlsSettings | null;
  /** A unix socket or named pipe on this machine: only then can the engine's cgroup files be ours to read. */
  readonly local: boolean;
}

export type ParsedHost = { ok: true; endpoint: Endpoint } | { ok: false; error: string };

const DEFAULT_UNIX_SOCKET = '/var/run/docker.sock';
const DEFAULT_NAMED_PIPE = '//./pipe/docker_engine';
const DEFAULT_SSH_PORT = 22;

/** An address taken apart, before it is written back in canonical form. */
export type Target =
  | { readonly transport: 'unix' | 'npipe'; readonly path: string }
  | { readonly transport: 'tcp'; readonly host: string; readonly port: number }
  | { readonly transport: 'ssh'; readonly user: string | null; readonly host: string; readonly port: number };

/**
 * Parses a user-given engine address (`--host`, DOCKER_HOST, a context's Host) the way the docker
 * CLI does: a bare path means unix, a bare host[:port] means tcp, and a tcp address without a
 * port gets 2376 when TLS is on and 2375 otherwise. `tls` only applies to tcp addresses.
 */
export function parseHostUrl(address: string, tls: TlsSettings | null = null): ParsedHost {
  const target = parseTarget(address, tls !== null);
  if (typeof target === 'string')
    return { ok: false, error: `"${address}" is not a Docker address: ${target}.` };
  return { ok: true, endpoint: endpointOf(target, tls) };
}

/** The address's parts, or why it is not one (a phrase to end a sentence with). */
export function parseTarget(address: string, tls: boolean): Target | string {
  const text = address.trim();
  if (text === '') return 'it is empty';
  const separator = text.indexOf('://');
  if (separator < 0) {
    return text.startsWith('/') || text.startsWith('./') ? socketTarget('unix', text) : tcpTarget(text, tls);
  }
  const scheme = text.slice(0, separator);
  const rest = text.slice(separator + 3);
  switch (scheme) {
    case 'unix':
    case 'npipe':
      return socketTarget(scheme, rest);
    case 'tcp':
      return tcpTarget(rest, tls);
    case 'ssh':
      return sshTarget(rest);
    case 'fd':
      return 'fd:// is the daemon’s own socket activation, a client cannot dial it; use unix://, tcp://, npipe:// or ssh://';
    case 'http':
    case 'https':
      return `Docker addresses use tcp://, not ${scheme}:// (e.g. tcp://host:2375, or tcp://host:2376 with DOCKER_TLS_VERIFY=1)`;
    default:
      return `unsupported scheme "${scheme}://"; use unix://, tcp://, npipe:// or ssh://`;
  }
}

function socketTarget(transport: 'unix' | 'npipe', rest: string): Target | string {
  if (rest.includes('://')) return `"${rest}" is not a ${transport} path`;
  if (rest !== '') return { transport, path: rest };
  return { transport, path: transport === 'unix' ? DEFAULT_UNIX_SOCKET : DEFAULT_NAMED_PIPE };
}

function tcpTarget(rest: string, tls: boolean): Target | string {
  if (rest.includes('://')) return `"${rest}" is not host:port`;
  // The CLI reads "tcp://" and "tcp://:2375" as localhost.
  const url = urlOf('tcp', rest === '' || rest.startsWith(':') ? `localhost${rest}` : rest);
  if (url === null) return `"${rest}" is not a valid host[:port]`;
  if (url.username !== '' || url.password !== '') return 'tcp:// addresses take no user name or password';
  const extra = trailing(url);
  if (extra !== null) return extra;
  const port = url.port === '' ? (tls ? 2376 : 2375) : Number(url.port);
  if (port === 0) return 'port 0 cannot be dialled';
  return { transport: 'tcp', host: unbracket(url.hostname), port };
}

function sshTarget(rest: string): Target | string {
  const url = urlOf('ssh', rest);
  if (url === null || url.hostname === '') return `"${rest}" is not a valid [user@]host[:port]`;
  if (url.password !== '')
    return 'a password in the address is not supported (nor by the docker CLI); use an SSH key or agent';
  const extra = trailing(url);
  if (extra !== null) return extra;
  return {
    transport: 'ssh',
    user: url.username === '' ? null : decodeURIComponent(url.username),
    host: unbracket(url.hostname),
    port: url.port === '' ? DEFAULT_SSH_PORT : Number(url.port),
  };
}

function urlOf(scheme: string, rest: string): URL | null {
  try {
    return new URL(`${scheme}://${rest}`);
  } catch {
    return null;
  }
}

function trailing(url: URL): string | null {
  if (url.pathname !== '' && url.pathname !== '/')
    return `a path after the host is not supported ("${url.pathname}")`;
  if (url.search !== '' || url.hash !== '') return 'a query or fragment after the host is not supported';
  return null;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The canonical form of a parsed address: what every other module compares and shows. */
export function endpointOf(target: Target, tls: TlsSettings | null): Endpoint {
  switch (target.transport) {
    case 'unix':
    case 'npipe':
      return {
        url: `${target.transport}://${target.path}`,
        transport: target.transport,
        tls: null,
        local: true,
      };
    case 'tcp':
      return { url: `tcp://${hostPort(target.host, target.port)}`, transport: 'tcp', tls, local: false };
    case 'ssh': {
      const user = target.user === null ? '' : `${encodeURIComponent(target.user)}@`;
      return {
        url: `ssh://${user}${hostPort(target.host, target.port)}`,
        transport: 'ssh',
        tls: null,
        local: false,
      };
    }
  }
}
