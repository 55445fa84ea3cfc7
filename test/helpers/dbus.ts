import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SESSION_SCRIPT = fileURLToPath(new URL('../../scripts/start-notify-session.sh', import.meta.url));

export interface NotifyCall {
  readonly appName: string;
  readonly summary: string;
  readonly body: string;
  readonly urgency: number | null;
}

/**
 * Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout) as
 * dbus-monitor prints it: the arguments one per line, indented three spaces, hints nested deeper.
 */
export function notifyCalls(output: string): NotifyCall[] {
  return output
    .split(/^(?=method call )/m)
    .filter((block) => /member=Notify\b/.test(block.split('\n', 1)[0] ?? ''))
    .map((block) => {
      const strings = [...block.matchAll(/^ {3}string "(.*)"$/gm)].map((m) => m[1] ?? '');
      const urgency = /string "urgency"\n\s+variant\s+byte (\d+)/.exec(block);
      return {
        appName: strings[0] ?? '',
        summary: strings[2] ?? '',
        body: strings[3] ?? '',
        urgency: urgency === null ? null : Number(urgency[1]),
      };
    });
}

export async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads the `export NAME='value'` lines the session script writes. */
function loadEnvFile(path: string): void {
  for (const m of readFileSync(path, 'utf8').matchAll(/^export (\w+)='(.*)'$/gm)) {
    process.env[m[1] as string] = m[2];
  }
}

/** A session bus with a notification server (Xvfb + dunst), started by the script when none is set. */
export async function ensureNotifySession(): Promise<void> {
  if (process.env['DBUS_SESSION_BUS_ADDRESS']) return;
  const envFile = join(tmpdir(), 'dify-monitor-notify.env');
  await run('bash', [SESSION_SCRIPT, envFile], { timeout: 30_000 });
  loadEnvFile(envFile);
}

export interface NotifyMonitor {
  readonly output: () => string;
  calls(): NotifyCall[];
  stop(): void;
}

/** dbus-monitor on org.freedesktop.Notifications.Notify; resolves once it sees every call. */
export async function monitorNotifications(): Promise<NotifyMonitor> {
  let output = '';
  const monitor: ChildProcessWithoutNullStreams = spawn(
    'dbus-monitor',
    ['--session', "interface='org.freedesktop.Notifications',member='Notify'"],
    { env: process.env },
  );
  monitor.on('error', (error) => (output += `dbus-monitor: ${error.message}\n`));
  monitor.stdout.setEncoding('utf8');
  monitor.stdout.on('data', (chunk: string) => (output += chunk));
  monitor.stderr.setEncoding('utf8');
  monitor.stderr.on('data', (chunk: string) => (output += chunk));
  // Becoming a monitor drops the unique name: from then on every Notify call is seen.
  await until('dbus-monitor to attach', () => (output.includes('member=NameLost') ? true : undefined));
  return { output: () => output, calls: () => notifyCalls(output), stop: () => monitor.kill() };
}
