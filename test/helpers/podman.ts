import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { localDocker } from '../stack/docker-cli.ts';

const exec = promisify(execFile);

/**
 * Debian's Podman with its own storage and run roots (vfs, cgroupfs, events in a file: nothing
 * shared with a system Podman), serving its Docker-compatible API on a unix socket.
 */
export interface TestPodman {
  readonly socket: string;
  readonly url: string;
  podman(...args: string[]): Promise<string>;
  /** Imports the main engine's busybox as `name` (there is no registry to pull from). */
  importBusybox(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startPodman(): Promise<TestPodman> {
  const dir = mkdtempSync(join(tmpdir(), 'dm-podman-'));
  const socket = join(dir, 'podman.sock');
  const global = [
    '--root',
    join(dir, 'root'),
    '--runroot',
    join(dir, 'run'),
    '--storage-driver',
    'vfs',
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'file',
  ];
  const podman = async (...args: string[]): Promise<string> =>
    (await exec('podman', [...global, ...args], { maxBuffer: 64 << 20 })).stdout.trim();
  const service: ChildProcess = spawn(
    'podman',
    [...global, 'system', 'service', '--time=0', `unix://${socket}`],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; ; i++) {
    try {
      await exec('curl', ['-sf', '--unix-socket', socket, 'http://podman/_ping']);
      break;
    } catch {
      if (service.exitCode !== null || i > 100) throw new Error('podman system service did not answer');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    socket,
    url: `unix://${socket}`,
    podman,
    async importBusybox(name) {
      const tar = join(dir, 'busybox.tar');
      const id = await localDocker(
        'create',
        '--label',
        'dify-monitor.test=podman-export',
        'busybox:latest',
        'sh',
      );
      try {
        await localDocker('export', '--output', tar, id);
      } finally {
        await localDocker('rm', id);
      }
      await podman('import', tar, name);
    },
    async stop() {
      try {
        const ids = (await podman('ps', '-aq')).split('\n').filter(Boolean);
        if (ids.length > 0) await podman('rm', '-f', '-t', '0', ...ids);
      } finally {
        if (service.exitCode === null) {
          const exited = new Promise((r) => service.once('exit', r));
          service.kill('SIGTERM');
          await exited;
        }
        await exec('sh', [
          '-c',
          `umount $(grep '${dir}' /proc/mounts | cut -d' ' -f2 | sort -r) 2>/dev/null; true`,
        ]);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
