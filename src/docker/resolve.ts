/** Which engine the docker CLI would talk to on this machine, and why: the same answer, found the same way. */
import path, { type PlatformPath } from 'node:path';
import { messageOf, nonEmpty } from '../util/text.ts';
import {
  DEFAULT_CONTEXT,
  contextPaths,
  currentContextFromConfig,
  dockerConfigDir,
  parseContextMeta,
} from './contexts.ts';
import { endpointOf, parseTarget, type Endpoint, type TlsSettings } from './endpoint.ts';
import { wellKnownSockets } from './sockets.ts';

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
