import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLineSplitter } from '../../src/util/lines.ts';

export const CLI = fileURLToPath(new URL('../../src/cli/index.ts', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly lines: Record<string, unknown>[];
}

/**
 * `watch --json --all` through the engine API (every 500 ms unless told): how the fake, hostile and faulty
 * engines are watched, where the cgroup files would bypass what they send.
 */
export function apiWatchArgs(options: {
  readonly hosts: readonly string[];
  readonly alertLog: string;
  readonly timeout?: string;
  readonly interval?: string;
}): string[] {
  return [
    'watch',
    '--json',
    '--all',
    '--source',
    'api',
    '--interval',
    options.interval ?? '500ms',
    ...(options.timeout === undefined ? [] : ['--timeout', options.timeout]),
    '--alert-log',
    options.alertLog,
    ...options.hosts.flatMap((host) => ['--host', host]),
  ];
}

/** Runs `dify-monitor …` to completion (or until `timeoutMs`, then SIGTERM) and parses JSON lines. */
export function runCli(
  args: readonly string[],
  timeoutMs = 30_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, stdout, stderr, lines });
    });
  });
}

/** A long-running `watch --json` whose lines arrive as they are printed. */
export interface LiveCli {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  waitFor(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs: number,
  ): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
  stderr(): string;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): LiveCli {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    predicate: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.on(
    'data',
    createLineSplitter(1 << 20, (text) => {
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }),
  );
  return {
    child,
    lines,
    stderr: () => stderr,
    waitFor(predicate, timeoutMs) {
      const seen = lines.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (l: Record<string, unknown>) => (clearTimeout(timer), resolve(l)),
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching line within ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    stop() {
      if (child.exitCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
