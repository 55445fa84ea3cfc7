import { createHash } from 'node:crypto';
import type { PlatformPath } from 'node:path';

/** The name the docker CLI reserves for "no context": DOCKER_HOST or the platform default. */
export const DEFAULT_CONTEXT = 'default';

/** `$DOCKER_CONFIG`, else `~/.docker`: where the CLI keeps config.json, contexts and default TLS files. */
export function dockerConfigDir(
  env: Readonly<Record<string, string | undefined>>,
  homedir: string,
  p: PlatformPath,
): string {
  const fromEnv = env['DOCKER_CONFIG'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : p.join(homedir, '.docker');
}

/**
 * `currentContext` from config.json text, or null. An unreadable or malformed config.json is
 * ignored: the CLI only warns about it and carries on with the default context.
 */
export function currentContextFromConfig(text: string | null): string | null {
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null) return null;
  const name = (json as Record<string, unknown>)['currentContext'];
  return typeof name === 'string' && name !== '' ? name : null;
}

export interface ContextPaths {
  readonly meta: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** The CLI's context store names each context's directories by the SHA-256 of its name. */
export function contextPaths(configDir: string, name: string, p: PlatformPath): ContextPaths {
  const id = createHash('sha256').update(name).digest('hex');
  const tls = p.join(configDir, 'contexts', 'tls', id, 'docker');
  return {
    meta: p.join(configDir, 'contexts', 'meta', id, 'meta.json'),
    ca: p.join(tls, 'ca.pem'),
    cert: p.join(tls, 'cert.pem'),
    key: p.join(tls, 'key.pem'),
  };
}

export interface ContextDockerEndpoint {
  readonly host: string;
  readonly skipTLSVerify: boolean;
}

/**
 * `Endpoints.docker` of a context's meta.json, or a sentence saying what is wrong with it; and
 * the context's `Name` whenever the file has one, which a report about it can use.
 */
export function parseContextMeta(
  text: string,
): ({ ok: true; endpoint: ContextDockerEndpoint } | { ok: false; error: string }) & { name?: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      error: `it is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  const name = field(json, 'Name');
  const named = typeof name === 'string' && name !== '' ? { name } : {};
  const docker = field(field(json, 'Endpoints'), 'docker');
  if (docker === undefined) return { ok: false, error: 'it has no Endpoints.docker entry', ...named };
  const host = field(docker, 'Host');
  if (typeof host !== 'string' || host.trim() === '') {
    return { ok: false, error: 'its Endpoints.docker.Host is empty', ...named };
  }
  return { ok: true, endpoint: { host, skipTLSVerify: field(docker, 'SkipTLSVerify') === true }, ...named };
}

function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string, unknown>)[key];
}
