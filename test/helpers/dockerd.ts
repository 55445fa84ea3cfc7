import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * A second, throw-away Docker engine beside the main one, with its own data and exec roots,
 * so that a test may kill it, stop it or cut it off without touching anybody else's containers.
 */
export interface ExtraDockerd {
  readonly socket: string;
  readonly url: string;
  readonly dir: string;
  docker(...args: string[]): Promise<string>;
  start(): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  remove(): Promise<void>;
}

/**
 * A dockerd killed with SIGKILL leaves its containerd dying a moment later; a new dockerd that
 * still sees it running waits for its socket and gives up. Wait until it is gone.
 */
async function waitForOldContainerd(dir: string): Promise<void> {
  const pidFile = `${dir}/exec/containerd/containerd.pid`;
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  for (let i = 0; i < 100 && pid > 0; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  rmSync(pidFile, { force: true });
}

/** The engine's own TLS: with `tlsverify` it accepts only clients whose certificate `ca` signed. */
export interface DockerdTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export async function startExtraDockerd(
  name: string,
  tcpPort?: number,
  tls?: DockerdTls,
): Promise<ExtraDockerd> {
  const dir = `/tmp/dm-${name}`;
  const socket = `${dir}/docker.sock`;
  mkdirSync(dir, { recursive: true });
  let child: ChildProcess | null = null;
  const args = [
    '--iptables=false',
    '--ip-masq=false',
    '--bridge=none',
    `--data-root=${dir}/root`,
    `--exec-root=${dir}/exec`,
    `--pidfile=${dir}/docker.pid`,
    '-H',
    `unix://${socket}`,
    ...(tcpPort === undefined ? [] : ['-H', `tcp://127.0.0.1:${tcpPort}`]),
    ...(tls === undefined
      ? []
      : ['--tlsverify', `--tlscacert=${tls.ca}`, `--tlscert=${tls.cert}`, `--tlskey=${tls.key}`]),
  ];
  const docker = async (...a: string[]): Promise<string> =>
    (await exec('docker', ['-H', `unix://${socket}`, ...a], { maxBuffer: 64 << 20 })).stdout.trim();

  const extra: ExtraDockerd = {
    socket,
    url: `unix://${socket}`,
    dir,
    docker,
    async start() {
      await waitForOldContainerd(dir);
      const log = openSync(`${dir}/dockerd.log`, 'a');
      child = spawn('dockerd', args, { stdio: ['ignore', log, log], detached: false });
      for (let i = 0; i < 100; i++) {
        try {
          await docker('info', '--format', '{{.ID}}');
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      throw new Error(`the extra dockerd ${name} did not answer within 20 s; see ${dir}/dockerd.log`);
    },
    kill(signal) {
      child?.kill(signal);
    },
    async remove() {
      if (child !== null && child.exitCode === null) {
        child.kill('SIGCONT');
        try {
          await docker('rm', '-f', ...(await docker('ps', '-aq')).split('\n').filter(Boolean));
        } catch {
          // nothing to remove, or the engine is already gone
        }
        const exited = new Promise((r) => child?.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await exec('sh', ['-c', `pkill -f '[c]ontainerd-shim.*-address ${dir}/'; true`]);
      await exec('sh', [
        '-c',
        `umount $(grep '${dir}' /proc/mounts | cut -d' ' -f2 | sort -r) 2>/dev/null; true`,
      ]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await extra.start();
  return extra;
}

/** Copies an image from the main engine into another one; there is no registry to pull from. */
export async function copyImage(image: string, target: ExtraDockerd): Promise<void> {
  await exec('sh', ['-c', `docker save ${image} | docker -H unix://${target.socket} load -q`]);
}

/**
 * A labelled container named `survivor` that idles and comes back with the engine
 * (`--restart always`), so that a test can tell samples resumed after a fault.
 */
export async function startSurvivor(engine: ExtraDockerd, image: string, label: string): Promise<void> {
  await engine.docker(
    'run',
    '-d',
    '--name',
    'survivor',
    '--label',
    label,
    '--network',
    'none',
    '--restart',
    'always',
    image,
    'sleep',
    '86400',
  );
}
