import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';

const exec = promisify(execFile);

/**
 * Debian's OpenSSH server on a loopback port, with its own host key and one authorized client
 * key. Sessions get DOCKER_HOST from the authorized_keys line, so the remote `docker` CLI
 * (`docker system dial-stdio`) reaches the engine the test chooses.
 */
export interface TestSshd {
  readonly port: number;
  readonly dir: string;
  readonly user: string;
  /** Authorized: a key sshd accepts. */
  readonly clientKey: string;
  /** A valid key sshd does not know. */
  readonly strangerKey: string;
  readonly hostPublicKey: string;
  /** `[127.0.0.1]:port <type> <key>`, and the same line hashed by ssh-keygen -H. */
  readonly knownHostsLine: string;
  writeKnownHosts(name: string, lines: readonly string[]): string;
  stop(): Promise<void>;
}

async function keygen(file: string): Promise<void> {
  await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dify-monitor-test', '-f', file]);
}

export async function startSshd(dockerHost: string): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'dm-sshd-'));
  const port = await freePort();
  await Promise.all([
    keygen(join(dir, 'host_key')),
    keygen(join(dir, 'client_key')),
    keygen(join(dir, 'stranger_key')),
  ]);
  const clientPub = readFileSync(join(dir, 'client_key.pub'), 'utf8').trim();
  writeFileSync(join(dir, 'authorized_keys'), `environment="DOCKER_HOST=${dockerHost}" ${clientPub}\n`, {
    mode: 0o600,
  });
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'PermitUserEnvironment DOCKER_HOST',
      'StrictModes no',
      'UsePAM no',
      '',
    ].join('\n'),
  );
  // sshd insists on its privilege separation directory.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const log = join(dir, 'sshd.log');
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    writeFileSync(log, stderr);
  });
  for (let i = 0; ; i++) {
    if (/Server listening/.test(stderr)) break;
    if (child.exitCode !== null || i > 100) throw new Error(`sshd did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const hostPublicKey = readFileSync(join(dir, 'host_key.pub'), 'utf8')
    .trim()
    .split(' ')
    .slice(0, 2)
    .join(' ');
  return {
    port,
    dir,
    user: 'root',
    clientKey: join(dir, 'client_key'),
    strangerKey: join(dir, 'stranger_key'),
    hostPublicKey,
    knownHostsLine: `[127.0.0.1]:${port} ${hostPublicKey}`,
    writeKnownHosts(name, lines) {
      const file = join(dir, name);
      writeFileSync(file, `${lines.join('\n')}\n`);
      return file;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Hashes a known_hosts file in place, as `ssh-keygen -H` does for HashKnownHosts. */
export async function hashKnownHosts(file: string): Promise<void> {
  await exec('ssh-keygen', ['-q', '-H', '-f', file]);
  rmSync(`${file}.old`, { force: true });
}

/** `SHA256:…` of a public key file, from ssh-keygen itself. */
export async function sshFingerprint(publicKeyFile: string): Promise<string> {
  const { stdout } = await exec('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyFile]);
  return stdout.split(' ')[1] ?? '';
}

/** An ssh-agent holding `key`, for SSH_AUTH_SOCK. */
export async function startSshAgent(dir: string, key: string): Promise<{ socket: string; stop(): void }> {
  const socket = join(dir, 'agent.sock');
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    try {
      await exec('ssh-add', [key], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
      return { socket, stop: () => child.kill('SIGTERM') };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGTERM');
  throw new Error('ssh-agent did not take the key');
}
