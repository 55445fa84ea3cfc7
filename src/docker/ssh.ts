import { Agent, type ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import {
  checkHostKey,
  fingerprint,
  keyTypeOf,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
} from './known-hosts.ts';

/** How to reach an engine over SSH: the remote runs `docker system dial-stdio` per HTTP connection. */
export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  /** SSH_AUTH_SOCK, or undefined when no agent runs. */
  readonly agentSocket: string | undefined;
  /** An unencrypted private key to offer (encrypted keys belong in ssh-agent). */
  readonly identityFile: string | undefined;
  /** Read in order, like ssh's UserKnownHostsFile then GlobalKnownHostsFile. */
  readonly knownHostsFiles: readonly string[];
  readonly readyTimeoutMs: number;
}

export type SshFailure = 'host-key-unknown' | 'host-key-changed' | 'auth' | 'remote-docker' | 'connect';

/** A failure the SSH layer understood, with the sentence to show. */
export class SshError extends Error {
  readonly kind: SshFailure;
  constructor(kind: SshFailure, message: string) {
    super(message);
    this.name = 'SshError';
    this.kind = kind;
  }
}

export interface SshDeps {
  /** Null when the file does not exist. */
  readFile(path: string): Buffer | null;
}

/**
 * sshd's default MaxSessions is 10 channels per connection; a stats stream per container holds one
 * each, so past this many a new connection is opened instead of having a channel refused.
 */
const CHANNELS_PER_CONNECTION = 8;
const REMOTE_COMMAND = 'docker system dial-stdio';
const STDERR_KEPT = 2048;

const HOST_KEY_ALGORITHMS: Readonly<Record<string, readonly string[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

interface Connection {
  readonly client: Client;
  readonly ready: Promise<Client>;
  channels: number;
  closed: boolean;
}

export interface SshAgent extends Agent {
  /** Ends every SSH connection this agent opened. */
  closeAll(): void;
}

/**
 * An http.Agent whose sockets are `docker system dial-stdio` channels, as the docker CLI's
 * ssh:// transport makes them. Unlike docker-modem's built-in ssh agent (one SSH handshake per
 * request, one connection per stream), channels share a few SSH connections: a handshake and
 * authentication per connection, not per stats poll, and no storm of parallel handshakes that
 * sshd's MaxStartups would drop. The server's key is checked against known_hosts before any
 * credential is offered; an unknown or changed key ends the connection.
 */
export function createSshAgent(target: SshTarget, deps: SshDeps): SshAgent {
  const connections: Connection[] = [];
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 4 }) as SshAgent;

  const open = (): Connection => {
    const client = new Client();
    const connection: Connection = {
      client,
      channels: 0,
      closed: false,
      ready: new Promise<Client>((resolve, reject) => {
        let refusal: SshError | null = null;
        let config: ConnectConfig;
        try {
          const known = target.knownHostsFiles.flatMap((file) => {
            const text = deps.readFile(file);
            return text === null ? [] : parseKnownHosts(text.toString('utf8'));
          });
          const preferred = knownKeyTypes(known, target.host, target.port).flatMap(
            (type) => HOST_KEY_ALGORITHMS[type] ?? [],
          );
          config = {
            host: target.host,
            port: target.port,
            ...(target.username === undefined ? {} : { username: target.username }),
            ...(target.agentSocket === undefined ? {} : { agent: target.agentSocket }),
            ...identity(target, deps),
            readyTimeout: target.readyTimeoutMs,
            keepaliveInterval: 5000,
            keepaliveCountMax: 2,
            ...(preferred.length === 0
              ? {}
              : { algorithms: { serverHostKey: { remove: preferred, prepend: preferred } as never } }),
            hostVerifier: (key: Buffer) => {
              refusal = hostKeyRefusal(target, known, key);
              return refusal === null;
            },
          };
        } catch (error) {
          connection.closed = true;
          reject(error instanceof SshError ? error : new SshError('connect', messageOf(error)));
          return;
        }
        client.once('ready', () => resolve(client));
        client.on('error', (error: Error & { level?: string }) => {
          connection.closed = true;
          if (refusal !== null) reject(refusal);
          else if (error.level === 'client-authentication') reject(authRefusal(target, error));
          else reject(new SshError('connect', `SSH to ${where(target)} failed: ${error.message}`));
        });
        client.once('close', () => {
          connection.closed = true;
          const index = connections.indexOf(connection);
          if (index !== -1) connections.splice(index, 1);
          reject(new SshError('connect', `the SSH connection to ${where(target)} closed`));
        });
        client.connect(config);
      }),
    };
    // Every caller awaits `ready`; this only keeps an unobserved rejection from being fatal.
    connection.ready.catch(() => undefined);
    connections.push(connection);
    return connection;
  };

  const pick = (): Connection =>
    connections.find((c) => !c.closed && c.channels < CHANNELS_PER_CONNECTION) ?? open();

  agent.createConnection = ((
    _options: ClientRequestArgs,
    callback: (err: Error | null, s?: Duplex) => void,
  ) => {
    const connection = pick();
    connection.channels++;
    const release = (): void => {
      connection.channels--;
    };
    connection.ready.then(
      (client) => {
        client.exec(REMOTE_COMMAND, (error, channel) => {
          if (error) {
            release();
            callback(new SshError('remote-docker', `${where(target)} refused a session: ${error.message}`));
            return;
          }
          watchRemoteCommand(channel, target);
          channel.once('close', release);
          callback(null, asSocket(channel));
        });
      },
      (error: Error) => {
        release();
        callback(error);
      },
    );
    return undefined;
  }) as unknown as Agent['createConnection'];

  agent.closeAll = () => {
    agent.destroy();
    for (const connection of [...connections]) connection.client.end();
  };
  return agent;
}

function where(target: SshTarget): string {
  const user = target.username === undefined ? '' : `${target.username}@`;
  return `${user}${target.host}:${target.port}`;
}

function identity(target: SshTarget, deps: SshDeps): Pick<ConnectConfig, 'privateKey'> {
  if (target.identityFile === undefined) return {};
  let key: Buffer | null;
  try {
    key = deps.readFile(target.identityFile);
  } catch (error) {
    throw new SshError('auth', `Cannot read the SSH key ${target.identityFile}: ${messageOf(error)}.`);
  }
  if (key === null) throw new SshError('auth', `The SSH key ${target.identityFile} does not exist.`);
  if (/ENCRYPTED|bcrypt/.test(key.toString('latin1', 0, Math.min(key.length, 4096)))) {
    throw new SshError(
      'auth',
      `The SSH key ${target.identityFile} is protected by a passphrase; add it to ssh-agent (ssh-add ${target.identityFile}) and leave out --identity.`,
    );
  }
  return { privateKey: key };
}

function hostKeyRefusal(
  target: SshTarget,
  known: ReturnType<typeof parseKnownHosts>,
  key: Buffer,
): SshError | null {
  const verdict = checkHostKey(known, target.host, target.port, key);
  const print = `${keyTypeOf(key)} key ${fingerprint(key)}`;
  const files = target.knownHostsFiles.join(' or ');
  const scan = `ssh-keyscan -p ${target.port} ${target.host} >> ${target.knownHostsFiles[0] ?? '~/.ssh/known_hosts'}`;
  switch (verdict.kind) {
    case 'known':
      return null;
    case 'unknown':
      return new SshError(
        'host-key-unknown',
        `${target.host}:${target.port} is not a known host: its ${print} is not in ${files}. ` +
          `Not connecting. If that fingerprint is right, add it with \`${scan}\` or by running \`ssh -p ${target.port} ${target.host}\` once.`,
      );
    case 'changed':
      return new SshError(
        'host-key-changed',
        `The host key of ${target.host}:${target.port} has CHANGED: it presented ${print}, but line ${verdict.entry.line} of known_hosts holds another ${verdict.entry.keyType} key. ` +
          `Someone may be intercepting the connection; not connecting. If the server was reinstalled, remove the old entry (\`ssh-keygen -R '${knownHostsName(target.host, target.port)}'\`) and add the new one.`,
      );
    case 'revoked':
      return new SshError(
        'host-key-changed',
        `${target.host}:${target.port} presented ${print}, which known_hosts marks @revoked (line ${verdict.entry.line}). Not connecting.`,
      );
  }
}

function authRefusal(target: SshTarget, error: Error): SshError {
  const offered = [
    target.identityFile === undefined ? null : `the key ${target.identityFile}`,
    target.agentSocket === undefined ? null : 'the keys in ssh-agent',
  ].filter((x) => x !== null);
  const what =
    offered.length === 0
      ? 'no key was offered (SSH_AUTH_SOCK is not set and no --identity was given)'
      : `it refused ${offered.join(' and ')}`;
  return new SshError(
    'auth',
    `SSH authentication to ${where(target)} failed: ${what} (${error.message}). Add the public key to ~/.ssh/authorized_keys of ${target.username ?? 'that user'} on the server.`,
  );
}

/**
 * A remote without the docker CLI, or whose docker cannot reach its engine, exits at once and
 * says why on stderr; that sentence beats the "socket hang up" http would report.
 */
function watchRemoteCommand(channel: ClientChannel, target: SshTarget): void {
  let stderr = '';
  channel.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < STDERR_KEPT) stderr += chunk.toString('utf8');
  });
  channel.once('exit', (code: number | null) => {
    if (code === 0 || code === null) return;
    const said = stderr.trim().slice(0, STDERR_KEPT);
    const hint = code === 127 ? ' (is the docker CLI installed and on PATH for that user?)' : '';
    (channel as Duplex).destroy(
      new SshError(
        'remote-docker',
        `\`${REMOTE_COMMAND}\` on ${where(target)} exited with ${code}${hint}${said === '' ? '' : `: ${said}`}`,
      ),
    );
  });
}

/** http's keep-alive pool calls a few net.Socket methods a channel does not have; none matter over SSH. */
function asSocket(channel: ClientChannel): Duplex {
  const socket = channel as ClientChannel & Record<string, unknown>;
  for (const method of ['setKeepAlive', 'setNoDelay', 'setTimeout', 'ref', 'unref']) {
    if (typeof socket[method] !== 'function') socket[method] = () => socket;
  }
  return channel;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
