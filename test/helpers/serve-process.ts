import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { CLI } from './cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Builds the renderer into dist/renderer, as `npm run build` does. */
export function buildRenderer(): void {
  execFileSync(process.execPath, ['scripts/build.ts'], { cwd: ROOT, stdio: 'inherit' });
}

function chromiumPath(): string {
  return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
}

/** Debian's Chromium, headless; never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Runs `dify-monitor serve` on a free port and resolves with the address it printed. */
export function startServe(args: readonly string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 20_000);
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const url = /Dashboard: (\S+)/.exec(stdout)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      resolve({
        child,
        url,
        stderr: () => stderr,
        stop: () =>
          child.exitCode !== null
            ? Promise.resolve()
            : new Promise((done) => {
                child.once('close', () => done());
                child.kill('SIGTERM');
              }),
      });
    });
  });
}

/** `serve` keeping its settings.json and alerts.json in `dir`, so a test never touches the user's. */
export function startServeIn(dir: string, extra: readonly string[] = []): Promise<ServeProcess> {
  return startServe([
    '--settings',
    join(dir, 'settings.json'),
    '--alert-log',
    join(dir, 'alerts.json'),
    ...extra,
  ]);
}
