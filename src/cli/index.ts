#!/usr/bin/env -S node --max-semi-space-size=1
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Notifier } from '../notify/notifier.ts';
import { systemClock } from '../util/clock.ts';
import { parseDuration } from '../util/duration.ts';
import type { SourceChoice } from '../collect/connect.ts';
import { composeMonitor, type ComposeOptions } from '../service/compose.ts';
import type { MonitorService } from '../service/monitor.ts';
import { registerHostsCommand } from './hosts.ts';
import { registerChannelsCommand } from './channels.ts';
import { checkWebhookUrl } from '../delivery/channel-config.ts';
import { registerTopCommand } from './top.ts';
import { SORT_KEYS, type SortKey } from './table.ts';
import { processOutput } from './terminal.ts';
import { runWatch } from './watch.ts';
import { dataLocations, defaultAlertLogPath, defaultSettingsPath, HISTORY_FILE } from '../settings/paths.ts';
import { relocateData } from '../settings/relocate.ts';
import { openSettingsFile } from '../settings/store.ts';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

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

/** Checked at the start: a mistyped --webhook would otherwise fail at every alert. */
function webhookUrl(value: string, previous: string[]): string[] {
  const problem = checkWebhookUrl(value);
  if (problem !== null) throw new InvalidArgumentError(problem);
  return [...previous, value];
}

const WEBHOOK_HELP =
  'also send alerts to this URL as JSON (docs/webhook.md), one message per incident; repeat for several';

/** Alerts to the saved channels and the --webhook ones, through the outbox beside the settings file. */
function delivery(
  flags: { settings: string; webhook: string[] },
  dashboardUrl?: string,
): ComposeOptions['delivery'] {
  return {
    dir: dirname(flags.settings),
    webhooks: flags.webhook,
    ...(dashboardUrl === undefined ? {} : { dashboardUrl }),
  };
}

interface ShellFlags {
  readonly settings: string;
  readonly alertLog: string;
  readonly host: readonly string[];
  readonly all: boolean;
  readonly source: SourceChoice;
  readonly timeout: number;
}

/**
 * The monitor `watch` and `serve` show: built by the same function as the tray's, from the same
 * settings file. Null (with the reason printed and exit code 2) when no engine can be watched.
 */
async function compose(
  flags: ShellFlags,
  extra: Pick<ComposeOptions, 'intervalMs' | 'notifier' | 'delivery' | 'alwaysViewed'>,
): Promise<{ service: MonitorService; hosts: readonly string[] } | null> {
  const opened = openSettingsFile(flags.settings, Date.now());
  if (opened.notice !== undefined) warn(opened.notice);
  const composed = await composeMonitor({
    settings: opened.store,
    hostFlags: flags.host,
    alertLogPath: flags.alertLog,
    historyPath: join(dirname(flags.settings), HISTORY_FILE),
    clock: systemClock,
    warn,
    includeOthers: flags.all,
    source: flags.source,
    requestTimeoutMs: flags.timeout,
    ...extra,
  });
  if (!composed.ok) {
    process.stderr.write(`${composed.error}\n`);
    process.exitCode = 2;
    return null;
  }
  return composed;
}

/** Ctrl+C or a service manager's stop: the monitor stops its collectors, then the process ends. */
function stopOnSignal(service: MonitorService): () => void {
  const stop = (): void => void service.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
}

const program = new Command()
  .name('dify-monitor')
  .description('Watch self-hosted Dify stacks in Docker and warn before a container runs out of memory.')
  .showHelpAfterError();

// An earlier version's files move into the one data folder before a command opens the default ones.
program.hook('preAction', (_program, command) => {
  if (command.getOptionValueSource('settings') !== 'default') return;
  const { notice } = relocateData(dataLocations(), Date.now());
  if (notice !== null) process.stderr.write(`${notice}\n`);
});

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
  .option(
    '--interval <duration>',
    "time between samples (default: the settings' fast interval, 1s)",
    duration,
  )
  .option('--all', 'include containers that are not part of a Dify stack', false)
  .option('--json', 'print one JSON object per line: samples, host states and container events', false)
  .option('--once', 'print one complete round (CPU needs two readings) and exit', false)
  .option('--alert-log <file>', 'where alerts are kept across runs', defaultAlertLogPath())
  .option('--notify', 'show alerts as desktop notifications (notify-send on Linux)', false)
  .option('--webhook <url>', WEBHOOK_HELP, webhookUrl, [])
  .addOption(
    new Option(
      '--source <source>',
      'where numbers come from: cgroup files (local Linux engines), the engine API, or auto',
    )
      .choices(['auto', 'cgroup', 'api'])
      .default('auto'),
  )
  .option('--timeout <duration>', 'give up on an engine request after this long', duration, 5000)
  .addOption(
    new Option('--sort <key>', "order of each stack's containers: role (as a request flows), cpu, mem, name")
      .choices(SORT_KEYS)
      .default('role'),
  )
  .option('--no-trunc', 'show every column and whole names, even if lines wrap')
  .action(
    async (opts: {
      host: string[];
      interval?: number;
      all: boolean;
      json: boolean;
      once: boolean;
      webhook: string[];
      sort: SortKey;
      trunc: boolean;
      alertLog: string;
      notify: boolean;
      source: SourceChoice;
      timeout: number;
      settings: string;
    }) => {
      const composed = await compose(opts, {
        alwaysViewed: true,
        ...(opts.interval === undefined ? {} : { intervalMs: opts.interval }),
        ...(opts.notify ? { notifier: await desktopNotifier() } : {}),
        ...(opts.once ? {} : { delivery: delivery(opts) }),
      });
      if (composed === null) return;
      const { service, hosts } = composed;
      const stop = stopOnSignal(service);
      process.exitCode = await runWatch(
        service,
        hosts,
        { json: opts.json, once: opts.once, sort: opts.sort, noTrunc: !opts.trunc },
        processOutput(),
      );
      stop();
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
  .option('--webhook <url>', WEBHOOK_HELP, webhookUrl, [])
  .option(
    '--public-url <url>',
    'the dashboard’s address as a phone reaches it, linked from every alert message',
  )
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
      webhook: string[];
      publicUrl?: string;
    }) => {
      // Loaded only here: the bridge is not `watch`'s to pay for.
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
      const composed = await compose(opts, {
        ...(opts.notify ? { notifier: await desktopNotifier() } : {}),
        delivery: delivery(opts, opts.publicUrl),
      });
      if (composed === null) return;
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
          service: composed.service,
          metrics: opts.metrics,
          ...(token === undefined ? {} : { token }),
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
      const close = (): void => {
        void serving.close().then(() => process.exit(0));
      };
      process.once('SIGINT', close);
      process.once('SIGTERM', close);
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
registerChannelsCommand(program);
registerTopCommand(program);

// A reader that closes the pipe early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

await program.parseAsync();
