#!/usr/bin/env -S node --max-semi-space-size=1
import { Command, InvalidArgumentError, Option } from 'commander';
import { AlertEngine } from '../alerts/engine.ts';
import type { Alert } from '../alerts/types.ts';
import type { Notifier } from '../notify/notifier.ts';
import { defaultAlertLogPath, loadAlertLog } from '../alerts/log-file.ts';
import { createAlertRecorder } from '../notify/recorder.ts';
import { systemClock } from '../util/clock.ts';
import { parseDuration } from '../util/duration.ts';
import { createCollectorFor, createCollectors, type SourceChoice } from '../collect/connect.ts';
import { registerHostsCommand } from './hosts.ts';
import { readSavedHosts } from '../hosts/saved.ts';
import { runWatch } from './watch.ts';
import { defaultSettingsPath } from '../settings/paths.ts';
import type { HostSetting } from '../settings/schema.ts';
import { fileURLToPath } from 'node:url';

const warn = (text: string): boolean => process.stderr.write(`${text}\n`);

/** Notifications for alerts; a desktop without notify-send is said once, and alerts keep being logged. */
async function desktopNotifier(): Promise<Notifier> {
  const { createDesktopNotifier } = await import('../notify/node-notifier.ts');
  return createDesktopNotifier({ onUnavailable: warn });
}

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === null) throw new InvalidArgumentError('use a duration such as 500ms, 1s, 5s or 2m');
  return ms;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const program = new Command()
  .name('dify-monitor')
  .description('Watch self-hosted Dify stacks in Docker and warn before a container runs out of memory.')
  .showHelpAfterError();

program
  .command('watch')
  .description('Show live CPU and memory of every Dify container, grouped by stack and role.')
  .option(
    '--host <url>',
    'engine to watch (unix:///path, tcp://host:2375, tcp://host:2376 with DOCKER_TLS_VERIFY, ssh://user@host); repeat for several. Default: the engine found like the docker CLI (DOCKER_HOST, context, well-known sockets) and the saved hosts (see `hosts`)',
    collect,
    [],
  )
  .option('--settings <file>', 'where settings (and saved hosts) are kept', defaultSettingsPath())
  .option('--interval <duration>', 'time between samples', duration, 1000)
  .option('--all', 'include containers that are not part of a Dify stack', false)
  .option('--json', 'print one JSON object per line: samples, host states and container events', false)
  .option('--once', 'print one complete round (CPU needs two readings) and exit', false)
  .option('--alert-log <file>', 'where alerts are kept across runs', defaultAlertLogPath())
  .option('--notify', 'show alerts as desktop notifications (notify-send on Linux)', false)
  .addOption(
    new Option(
      '--source <source>',
      'where numbers come from: cgroup files (local Linux engines), the engine API, or auto',
    )
      .choices(['auto', 'cgroup', 'api'])
      .default('auto'),
  )
  .option('--timeout <duration>', 'give up on an engine request after this long', duration, 5000)
  .action(
    async (opts: {
      host: string[];
      interval: number;
      all: boolean;
      json: boolean;
      once: boolean;
      alertLog: string;
      notify: boolean;
      source: SourceChoice;
      timeout: number;
      settings: string;
    }) => {
      const saved = opts.host.length > 0 ? { hosts: [] } : readSavedHosts(opts.settings);
      if (saved.warning !== undefined) warn(saved.warning);
      const made = await createCollectors(
        opts.host,
        saved.hosts,
        {
          intervalMs: opts.interval,
          includeOthers: opts.all,
          source: opts.source,
          requestTimeoutMs: opts.timeout,
        },
        warn,
      );
      if (!made.ok) {
        process.stderr.write(`${made.error}\n`);
        process.exitCode = 2;
        return;
      }
      const collectors = made.collectors;
      const stop = (): void => {
        for (const c of collectors) c.stop();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const loaded = loadAlertLog(opts.alertLog, Date.now());
      if (loaded.warning !== undefined) process.stderr.write(`${loaded.warning}\n`);
      const engine = new AlertEngine({ clock: systemClock, log: loaded.log });
      const recorder = createAlertRecorder({
        log: engine.log,
        ...(loaded.save === false ? {} : { logPath: opts.alertLog }),
        warn,
        ...(opts.notify ? { notifier: await desktopNotifier() } : {}),
      });
      const onAlerts = (alerts: readonly Alert[]): void => recorder.record(alerts, { notify: true });
      process.exitCode = await runWatch(
        collectors,
        { json: opts.json, once: opts.once, alerts: { engine, onAlerts } },
        {
          write: (text) => process.stdout.write(text),
          error: (text) => process.stderr.write(text),
          interactive: process.stdout.isTTY === true,
        },
      );
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  );

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('use a port from 0 to 65535');
  return n;
}

program
  .command('serve')
  .description('Serve the live dashboard to a browser: charts, alerts and settings.')
  .option('--port <port>', 'TCP port to listen on (0 picks a free one)', port, 7878)
  .option(
    '--bind <address>',
    'address to listen on; anything but loopback requires the token printed at start',
    '127.0.0.1',
  )
  .option('--host <url>', 'engine to watch; repeat for several (see watch --help)', collect, [])
  .option('--all', 'include containers that are not part of a Dify stack', false)
  .option('--settings <file>', 'where settings are kept', defaultSettingsPath())
  .option('--alert-log <file>', 'where alerts are kept across runs', defaultAlertLogPath())
  .option('--notify', 'also show alerts as desktop notifications on this machine', false)
  .addOption(
    new Option('--source <source>', 'where numbers come from (see watch --help)')
      .choices(['auto', 'cgroup', 'api'])
      .default('auto'),
  )
  .option('--timeout <duration>', 'give up on an engine request after this long', duration, 5000)
  .option('--metrics', 'also serve Prometheus metrics at /metrics (same token rule as the dashboard)', false)
  .option(
    '--token-file <file>',
    'keep the token in this file (made owner-only when missing) so it survives restarts; required then even on loopback',
  )
  .action(
    async (opts: {
      port: number;
      bind: string;
      host: string[];
      all: boolean;
      settings: string;
      alertLog: string;
      notify: boolean;
      source: SourceChoice;
      timeout: number;
      metrics: boolean;
      tokenFile?: string;
    }) => {
      // Loaded only here: the schema validator and the bridge are not `watch`'s to pay for.
      const { openSettingsFile } = await import('../settings/store.ts');
      const { findRendererDir, startServe } = await import('../serve/run.ts');
      let token: string | undefined;
      if (opts.tokenFile !== undefined) {
        const { readOrCreateTokenFile } = await import('../auth/token-file.ts');
        const read = readOrCreateTokenFile(opts.tokenFile);
        if (!read.ok) {
          process.stderr.write(`${read.error}\n`);
          process.exitCode = 2;
          return;
        }
        token = read.token;
      }
      const opened = openSettingsFile(opts.settings, Date.now());
      if (opened.notice !== undefined) process.stderr.write(`${opened.notice}\n`);
      const intervals = opened.store.get().intervals;
      const connect = {
        intervalMs: intervals.fastMs,
        trayIntervalMs: intervals.trayMs,
        includeOthers: opts.all,
        source: opts.source,
        requestTimeoutMs: opts.timeout,
      };
      const made = await createCollectors(
        opts.host,
        opts.host.length > 0 ? [] : opened.store.get().hosts,
        connect,
        warn,
      );
      if (!made.ok) {
        process.stderr.write(`${made.error}\n`);
        process.exitCode = 2;
        return;
      }
      const collectors = made.collectors;
      // Bundled, the renderer sits beside dist/cli.js; run from source, it is in dist/renderer.
      const rendererDir =
        findRendererDir([
          fileURLToPath(new URL('./renderer', import.meta.url)),
          fileURLToPath(new URL('../../dist/renderer', import.meta.url)),
        ]) ?? fileURLToPath(new URL('../../dist/renderer', import.meta.url));
      const serving = await startServe(
        {
          port: opts.port,
          bind: opts.bind,
          rendererDir,
          collectors,
          settings: opened.store,
          alertLogPath: opts.alertLog,
          clock: systemClock,
          metrics: opts.metrics,
          ...(token === undefined ? {} : { token }),
          ...(opts.notify ? { notifier: await desktopNotifier() } : {}),
          ...(opts.host.length > 0
            ? {}
            : { savedHostCollector: (host: HostSetting) => createCollectorFor(host, connect) }),
        },
        (text) => process.stderr.write(`${text}\n`),
      );
      if (opts.tokenFile === undefined) {
        process.stdout.write(`Dashboard: ${serving.url}\n`);
        if (serving.token !== null)
          process.stdout.write(`Token (needed off this machine): ${serving.token}\n`);
      } else {
        process.stdout.write(`Dashboard: ${serving.address} (token in ${opts.tokenFile})\n`);
      }
      const stop = (): void => {
        void serving.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
  );

program
  .command('export')
  .description("Export a running serve's history (one container, a stack, or all) as CSV or JSON.")
  .option('--since <duration>', 'how far back, up to 24h', duration, 3_600_000)
  .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
  .option('--container <name|key>', 'one container, by name or history key')
  .option('--stack <name>', 'every container of one Dify stack')
  .option('--url <url>', 'the serve to ask (the address it printed)', 'http://127.0.0.1:7878')
  .option('--token <token>', 'the token serve printed, when it listens off loopback (or DIFY_MONITOR_TOKEN)')
  .option('--output <file>', 'write here instead of stdout')
  .action(
    async (opts: {
      since: number;
      format: 'csv' | 'json';
      container?: string;
      stack?: string;
      url: string;
      token?: string;
      output?: string;
    }) => {
      const { runExport } = await import('../export/run.ts');
      const token = opts.token ?? process.env['DIFY_MONITOR_TOKEN'];
      process.exitCode = await runExport(
        { ...opts, sinceMs: opts.since, ...(token === undefined ? {} : { token }) },
        { write: (text) => process.stdout.write(text), error: (text) => process.stderr.write(text) },
      );
    },
  );

registerHostsCommand(program);

// A reader that closes the pipe early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

await program.parseAsync();
