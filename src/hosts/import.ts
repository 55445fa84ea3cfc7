import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { contextPaths, dockerConfigDir, parseContextMeta } from '../docker/contexts.ts';
import { parseHostUrl } from '../docker/endpoint.ts';
import type { TlsSources } from './tls-files.ts';

/** A host found in the docker CLI's own configuration, ready for `hosts add`. */
export interface ImportCandidate {
  readonly name: string;
  readonly url: string;
  readonly tls?: TlsSources;
  /** Where it was found, for the report. */
  readonly from: string;
}

export interface ImportScan {
  readonly candidates: readonly ImportCandidate[];
  /** One sentence per entry that cannot be imported, and why. */
  readonly skipped: readonly string[];
}

/** A context name as a host name: the characters a directory name and a history key can carry. */
function hostNameFrom(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (cleaned === '' ? 'imported' : cleaned).slice(0, 64);
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function tlsSources(ca: string, cert: string, key: string): TlsSources | undefined {
  const found: TlsSources = {
    ...(isFile(ca) ? { ca } : {}),
    ...(isFile(cert) && isFile(key) ? { cert, key } : {}),
  };
  return Object.keys(found).length === 0 ? undefined : found;
}

/**
 * The Docker contexts in `$DOCKER_CONFIG/contexts` (or ~/.docker) and DOCKER_HOST. A context or a
 * DOCKER_HOST that turns TLS verification off is skipped: hosts here always verify.
 */
export function scanDockerConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = homedir(),
): ImportScan {
  const configDir = dockerConfigDir(env, home, path);
  const candidates: ImportCandidate[] = [];
  const skipped: string[] = [];
  const metaRoot = path.join(configDir, 'contexts', 'meta');
  let ids: string[] = [];
  try {
    ids = readdirSync(metaRoot);
  } catch {
    // No contexts were ever created.
  }
  for (const id of ids.sort()) {
    const metaFile = path.join(metaRoot, id, 'meta.json');
    let text: string;
    try {
      text = readFileSync(metaFile, 'utf8');
    } catch {
      continue;
    }
    const parsed = parseContextMeta(text);
    const contextName = parsed.name ?? id;
    if (!parsed.ok) {
      skipped.push(`context "${contextName}" (${metaFile}): ${parsed.error}`);
      continue;
    }
    if (parsed.endpoint.skipTLSVerify) {
      skipped.push(`context "${contextName}": it skips TLS verification, which dify-monitor never does`);
      continue;
    }
    const files = contextPaths(configDir, contextName, path);
    const tls = tlsSources(files.ca, files.cert, files.key);
    const url = parseHostUrl(parsed.endpoint.host, tls === undefined ? null : { verify: true });
    if (!url.ok) {
      skipped.push(`context "${contextName}": ${url.error}`);
      continue;
    }
    candidates.push({
      name: hostNameFrom(contextName),
      url: url.endpoint.url,
      ...(tls === undefined ? {} : { tls }),
      from: `Docker context "${contextName}"`,
    });
  }
  const dockerHost = env['DOCKER_HOST']?.trim();
  if (dockerHost !== undefined && dockerHost !== '') {
    const verify = (env['DOCKER_TLS_VERIFY'] ?? '') !== '';
    if (!verify && (env['DOCKER_TLS'] ?? '') !== '') {
      skipped.push('DOCKER_HOST: DOCKER_TLS without DOCKER_TLS_VERIFY skips verification');
    } else {
      const certDir = env['DOCKER_CERT_PATH'] || configDir;
      const tls = verify
        ? tlsSources(
            path.join(certDir, 'ca.pem'),
            path.join(certDir, 'cert.pem'),
            path.join(certDir, 'key.pem'),
          )
        : undefined;
      const url = parseHostUrl(dockerHost, verify ? { verify: true } : null);
      if (url.ok) {
        candidates.push({
          name: 'docker-host',
          url: url.endpoint.url,
          ...(tls === undefined ? {} : { tls }),
          from: 'DOCKER_HOST',
        });
      } else {
        skipped.push(`DOCKER_HOST: ${url.error}`);
      }
    }
  }
  return { candidates, skipped };
}
