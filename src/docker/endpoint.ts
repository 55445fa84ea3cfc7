import { access, readFile, stat } from 'node:fs/promises';
import { Agent } from 'node:https';
import { homedir } from 'node:os';
import path, { type PlatformPath } from 'node:path';
import type Docker from 'dockerode';
import {
  DEFAULT_CONTEXT,
  contextPaths,
  currentContextFromConfig,
  dockerConfigDir,
  parseContextMeta,
} from './contexts.ts';
import { wellKnownSockets } from './sockets.ts';

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

export interface Resolution {
  readonly endpoint: Endpoint | null;
  /** Why this endpoint: "DOCKER_HOST is set", "current context \"colima\" (…/meta.json)", "found socket …". */
  readonly reason: string;
  /** Every address considered, in order. */
  readonly tried: readonly string[];
  /**
   * The configuration itself is broken (a malformed DOCKER_HOST, a context missing on disk), so
   * there is nothing to dial: the docker CLI refuses to run then too, and so do we.
   */
  readonly error?: string;
  /** The Docker context the endpoint came from, which names the engine in samples and alerts. */
  readonly context?: string;
}

/** Everything resolveEndpoint reads from the machine, so tests can point it at temp dirs. */
export interface ResolveDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homedir: string;
  readonly platform: NodeJS.Platform;
  /** Null where there are no uids (Windows). */
  readonly uid: number | null;
  /** UTF-8 contents, or null when there is no such file; any other failure rejects. */
  readFile(path: string): Promise<string | null>;
  isFile(path: string): Promise<boolean>;
  /** A unix socket, or on Windows an existing named pipe. */
  isSocket(path: string): Promise<boolean>;
}

export type ParsedHost = { ok: true; endpoint: Endpoint } | { ok: false; error: string };

const DEFAULT_UNIX_SOCKET = '/var/run/docker.sock';
const DEFAULT_NAMED_PIPE = '//./pipe/docker_engine';
const DEFAULT_SSH_PORT = 22;

type Target =
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

function parseTarget(address: string, tls: boolean): Target | string {
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

function endpointOf(target: Target, tls: TlsSettings | null): Endpoint {
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

/**
 * Finds the engine the docker CLI would talk to: `--host` if given, else DOCKER_HOST (with
 * DOCKER_TLS_VERIFY, DOCKER_TLS, DOCKER_CERT_PATH), else the current context (DOCKER_CONTEXT,
 * else config.json's currentContext), else the first well-known socket that exists. Never rejects:
 * a broken configuration comes back as `error`.
 */
export async function resolveEndpoint(
  deps: ResolveDeps,
  options: { readonly host?: string } = {},
): Promise<Resolution> {
  const p = pathFor(deps.platform);
  const configDir = dockerConfigDir(deps.env, deps.homedir, p);
  if (options.host !== undefined) {
    return fromAddress(options.host, '--host was given', '--host', await tlsFromEnv(deps, configDir, p));
  }
  const dockerHost = nonEmpty(deps.env['DOCKER_HOST']);
  const envContext = nonEmpty(deps.env['DOCKER_CONTEXT']);
  if (dockerHost !== undefined) {
    const reason =
      envContext === undefined
        ? 'DOCKER_HOST is set'
        : `DOCKER_HOST is set (it wins over DOCKER_CONTEXT "${envContext}")`;
    return fromAddress(dockerHost, reason, 'DOCKER_HOST', await tlsFromEnv(deps, configDir, p));
  }
  if (envContext !== undefined) {
    if (envContext !== DEFAULT_CONTEXT) return fromContext(deps, envContext, 'DOCKER_CONTEXT', configDir, p);
    return fromSockets(deps);
  }
  const configPath = p.join(configDir, 'config.json');
  const configured = currentContextFromConfig(await deps.readFile(configPath).catch(() => null));
  if (configured !== null && configured !== DEFAULT_CONTEXT) {
    return fromContext(deps, configured, `currentContext in ${shown(configPath, deps)}`, configDir, p);
  }
  return fromSockets(deps);
}

/** The CLI's TLS switches: DOCKER_TLS_VERIFY (any non-empty value) implies DOCKER_TLS. */
async function tlsFromEnv(
  deps: ResolveDeps,
  configDir: string,
  p: PlatformPath,
): Promise<TlsSettings | null> {
  const verify = nonEmpty(deps.env['DOCKER_TLS_VERIFY']) !== undefined;
  if (!verify && nonEmpty(deps.env['DOCKER_TLS']) === undefined) return null;
  const dir = nonEmpty(deps.env['DOCKER_CERT_PATH']) ?? configDir;
  const certPath = p.join(dir, 'cert.pem');
  const keyPath = p.join(dir, 'key.pem');
  // Like the CLI: the CA is required when verifying, a client pair only used when present;
  // naming both halves of a half-present pair makes the missing one an error, not a silent skip.
  const pair = (await deps.isFile(certPath)) || (await deps.isFile(keyPath));
  return {
    verify,
    ...(verify ? { caPath: p.join(dir, 'ca.pem') } : {}),
    ...(pair ? { certPath, keyPath } : {}),
  };
}

function fromAddress(value: string, reason: string, source: string, tls: TlsSettings | null): Resolution {
  const target = parseTarget(value, tls !== null);
  if (typeof target === 'string') {
    return {
      endpoint: null,
      reason,
      tried: [],
      error: `${source} "${value}" is not a Docker address: ${target}.`,
    };
  }
  const endpoint = endpointOf(target, tls);
  return { endpoint, reason, tried: [endpoint.url] };
}

async function fromContext(
  deps: ResolveDeps,
  name: string,
  source: string,
  configDir: string,
  p: PlatformPath,
): Promise<Resolution> {
  const paths = contextPaths(configDir, name, p);
  const meta = shown(paths.meta, deps);
  const reason =
    source === 'DOCKER_CONTEXT'
      ? `DOCKER_CONTEXT is "${name}" (${meta})`
      : `current context "${name}" (${meta})`;
  const broken = (error: string): Resolution => ({ endpoint: null, reason, tried: [], error });
  let text: string | null;
  try {
    text = await deps.readFile(paths.meta);
  } catch (error) {
    return broken(`Docker context "${name}" (from ${source}) cannot be read: ${meta}: ${messageOf(error)}.`);
  }
  if (text === null) {
    return broken(
      `Docker context "${name}" (from ${source}) does not exist: ${meta} is missing. ` +
        'See `docker context ls`, or switch back with `docker context use default`.',
    );
  }
  const parsed = parseContextMeta(text);
  if (!parsed.ok) return broken(`Docker context "${name}" is broken: ${meta}: ${parsed.error}.`);
  const [ca, cert, key] = await Promise.all([
    deps.isFile(paths.ca),
    deps.isFile(paths.cert),
    deps.isFile(paths.key),
  ]);
  // The CLI turns TLS on when the context stores any TLS file, or asks to skip verification.
  const tls: TlsSettings | null =
    ca || cert || key || parsed.endpoint.skipTLSVerify
      ? {
          verify: !parsed.endpoint.skipTLSVerify,
          ...(ca ? { caPath: paths.ca } : {}),
          ...(cert && key ? { certPath: paths.cert, keyPath: paths.key } : {}),
        }
      : null;
  const target = parseTarget(parsed.endpoint.host, tls !== null);
  if (typeof target === 'string') {
    return broken(
      `Docker context "${name}" has an unusable Host "${parsed.endpoint.host}" in ${meta}: ${target}.`,
    );
  }
  const endpoint = endpointOf(target, tls);
  return { endpoint, reason, tried: [endpoint.url], context: name };
}

async function fromSockets(deps: ResolveDeps): Promise<Resolution> {
  const candidates = wellKnownSockets(deps);
  const found = await Promise.all(candidates.map((c) => deps.isSocket(c.path)));
  const index = found.indexOf(true);
  const urls = candidates.map((c) => `${c.transport}://${c.path}`);
  const chosen = candidates[index];
  if (chosen === undefined) {
    return {
      endpoint: null,
      reason: 'no DOCKER_HOST, no context, and no engine socket in the usual places',
      tried: urls,
    };
  }
  const kind = chosen.transport === 'npipe' ? 'named pipe' : 'socket';
  const owner = chosen.owner === null ? '' : ` (${chosen.owner})`;
  return {
    endpoint: endpointOf(chosen, null),
    reason: `found ${kind} ${shown(chosen.path, deps)}${owner}`,
    tried: urls.slice(0, index + 1),
  };
}

function pathFor(platform: NodeJS.Platform): PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

function shown(file: string, deps: ResolveDeps): string {
  if (deps.platform === 'win32' || deps.homedir === '' || deps.homedir === '/') return file;
  const home = deps.homedir.replace(/\/+$/, '');
  return file.startsWith(`${home}/`) ? `~${file.slice(home.length)}` : file;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** This process's machine, through node:fs and node:os. */
export function defaultDeps(): ResolveDeps {
  const platform = process.platform;
  const statOf = (file: string) => stat(file).catch(() => null);
  return {
    env: process.env,
    homedir: homedir(),
    platform,
    uid: typeof process.getuid === 'function' ? process.getuid() : null,
    readFile: async (file) => {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    isFile: async (file) => (await statOf(file))?.isFile() ?? false,
    isSocket: async (file) => {
      // stat cannot tell a named pipe from a file; that the pipe name answers at all is what counts.
      if (platform === 'win32' && /^[/\\]{2}\.[/\\]pipe[/\\]/i.test(file)) {
        return access(file).then(
          () => true,
          () => false,
        );
      }
      return (await statOf(file))?.isSocket() ?? false;
    },
  };
}

/**
 * dockerode's options plus the https agent docker-modem forwards (which is how verification is
 * turned off), and for ssh:// what our own SSH transport needs besides the agent socket.
 */
export type DockerodeOptions = Docker.DockerOptions & {
  agent?: Agent;
  ssh?: { readonly identityFile?: string; readonly knownHostsFiles: readonly string[] };
};

/** Per-host SSH settings a saved host may carry; ssh(1)'s defaults otherwise. */
export interface SshFiles {
  readonly identityFile?: string;
  /** Replaces ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts. */
  readonly knownHostsFile?: string;
}

/**
 * The options for `new Docker(...)`. Reads the TLS files now, so a missing or unreadable one is an
 * error naming it rather than a connection made without the TLS it asked for. Every transport
 * field is set explicitly because docker-modem fills unset ones from DOCKER_HOST and friends,
 * which would otherwise leak into an endpoint chosen by `--host` or a context.
 */
export function dockerodeOptions(
  endpoint: Endpoint,
  readTlsFile: (path: string) => Buffer | string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  sshFiles: SshFiles = {},
): DockerodeOptions {
  const target = parseTarget(endpoint.url, endpoint.tls !== null);
  if (typeof target === 'string') throw new Error(`"${endpoint.url}" is not a Docker address: ${target}.`);
  const noTls = { ca: undefined, cert: undefined, key: undefined };
  switch (target.transport) {
    case 'unix':
    case 'npipe':
      return { socketPath: target.path, host: undefined, port: undefined, protocol: 'http', ...noTls };
    case 'ssh':
      return {
        socketPath: undefined,
        protocol: 'ssh',
        host: target.host,
        port: target.port,
        // ssh2 has no notion of the local user or ~/.ssh/config, so supply what ssh(1) would.
        username: target.user ?? nonEmpty(env['USER']) ?? nonEmpty(env['USERNAME']),
        sshOptions: { agent: nonEmpty(env['SSH_AUTH_SOCK']) },
        ssh: {
          ...(sshFiles.identityFile === undefined ? {} : { identityFile: sshFiles.identityFile }),
          knownHostsFiles:
            sshFiles.knownHostsFile === undefined
              ? [
                  path.posix.join(nonEmpty(env['HOME']) ?? homedir(), '.ssh', 'known_hosts'),
                  '/etc/ssh/ssh_known_hosts',
                ]
              : [sshFiles.knownHostsFile],
        },
        ...noTls,
      };
    case 'tcp': {
      const plain = { socketPath: undefined, host: target.host, port: target.port };
      const tls = endpoint.tls;
      if (tls === null) return { ...plain, protocol: 'http', ...noTls };
      if ((tls.certPath === undefined) !== (tls.keyPath === undefined)) {
        const [have, missing] = tls.certPath === undefined ? ['key', 'certificate'] : ['certificate', 'key'];
        throw new Error(`TLS client ${have} given for ${endpoint.url} without its ${missing}.`);
      }
      const read = (file: string | undefined, what: string): Buffer | string | undefined =>
        file === undefined ? undefined : readTls(readTlsFile, file, what, endpoint.url);
      return {
        ...plain,
        protocol: 'https',
        ca: read(tls.caPath, 'CA certificate'),
        cert: read(tls.certPath, 'client certificate'),
        key: read(tls.keyPath, 'client key'),
        ...(tls.verify ? {} : { agent: new Agent({ rejectUnauthorized: false }) }),
      };
    }
  }
}

function readTls(
  readTlsFile: (path: string) => Buffer | string,
  file: string,
  what: string,
  url: string,
): Buffer | string {
  let content: Buffer | string;
  try {
    content = readTlsFile(file);
  } catch (error) {
    throw new Error(
      `Cannot read the TLS ${what} ${file} for ${url}: ${messageOf(error)}. Not connecting without it.`,
      {
        cause: error,
      },
    );
  }
  if (content.length === 0)
    throw new Error(`The TLS ${what} ${file} for ${url} is empty. Not connecting without it.`);
  return content;
}

/**
 * The one line to show when no engine answers: where it looked and why, what failed, what to do.
 * A broken configuration is said as such instead, since starting Docker would not fix it.
 */
export function unreachableMessage(resolution: Resolution, cause: string): string {
  if (resolution.error !== undefined) return oneLine(resolution.error);
  const endpoint = resolution.endpoint;
  const others = resolution.tried.filter((url) => url !== endpoint?.url);
  const where = endpoint === null ? '' : ` at ${endpoint.url}`;
  const tried = others.length === 0 ? '' : `; tried: ${others.join(', ')}`;
  const what = oneLine(cause).replace(/\.+$/, '');
  return `Docker is not reachable${where} (${resolution.reason}${tried}): ${what}. ${hint(endpoint, what)}`;
}

function hint(endpoint: Endpoint | null, cause: string): string {
  if (endpoint?.transport === 'unix' && /EACCES|permission denied/i.test(cause)) {
    return 'This user may not open the socket: add it to the docker group (`sudo usermod -aG docker $USER`, then log in again), or set DOCKER_HOST.';
  }
  if (endpoint?.transport === 'npipe') return 'Is Docker running? Start Docker Desktop, or set DOCKER_HOST.';
  if (endpoint === null || endpoint.local) {
    return 'Is Docker running? Start Docker Desktop / `sudo systemctl start docker`, or set DOCKER_HOST.';
  }
  if (endpoint.transport === 'ssh') {
    return 'Is the remote engine running, does the SSH agent hold a key it accepts, and is `docker` on its PATH?';
  }
  return 'Is the engine running and listening there, and can this machine reach it?';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
