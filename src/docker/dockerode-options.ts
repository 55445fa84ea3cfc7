import { Agent } from 'node:https';
import { homedir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { messageOf, nonEmpty } from '../util/text.ts';
import { parseTarget, type Endpoint } from './endpoint.ts';

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
