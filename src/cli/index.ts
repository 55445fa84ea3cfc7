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
import { chooseLanguage, posixLanguage, setLanguage, t } from '../i18n/index.ts';
import { helpInLanguage } from './help-text.ts';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const warn = (text: string): boolean => process.stderr.write(`${text}\n`);

// POSIX's choice now, for --help and argument errors; the settings file's `language` once it is read.
setLanguage(posixLanguage(process.env));

/** Notifications for alerts; a desktop without notify-send is said once, and alerts keep being logged. */
async function desktopNotifier(): Promise<Notifier> {
  const { createDesktopNotifier } = await import('../notify/node-notifier.ts');
  return createDesktopNotifier({ onUnavailable: warn });
}

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === null) throw new InvalidArgumentError(t('cli:help.badDuration'));
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

const WEBHOOK_HELP = t('cli:help.webhook');

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
  setLanguage(chooseLanguage(opened.store.get().language, posixLanguage(process.env)));
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
  // A language picked on serve's dashboard applies at once to the table, notifications and channels.
  composed.service.on('settings:changed', (next) =>
    setLanguage(chooseLanguage(next.language, posixLanguage(process.env))),
  );
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

const program = new Command().name('dify-monitor').description(t('cli:help.program')).showHelpAfterError();
helpInLanguage(program);

// An earlier version's files move into the one data folder before a command opens the default ones.
program.hook('preAction', (_program, command) => {
  if (command.getOptionValueSource('settings') !== 'default') return;
  const { notice } = relocateData(dataLocations(), Date.now());
  if (notice !== null) process.stderr.write(`${notice}\n`);
});

program
  .command('watch')
  .description(t('cli:help.watch.description'))
  .option('--host <url>', t('cli:help.watch.host'), collect, [])
  .option('--settings <file>', t('cli:help.watch.settings'), defaultSettingsPath())
  .option('--interval <duration>', t('cli:help.watch.interval'), duration)
  .option('--all', t('cli:help.all'), false)
  .option('--json', t('cli:help.watch.json'), false)
  .option('--once', t('cli:help.watch.once'), false)
  .option('--alert-log <file>', t('cli:help.alertLog'), defaultAlertLogPath())
  .option('--notify', t('cli:help.watch.notify'), false)
  .option('--webhook <url>', WEBHOOK_HELP, webhookUrl, [])
  .addOption(
    new Option('--source <source>', t('cli:help.watch.source'))
      .choices(['auto', 'cgroup', 'api'])
      .default('auto'),
  )
  .option('--timeout <duration>', t('cli:help.timeout'), duration, 5000)
  .addOption(new Option('--sort <key>', t('cli:help.watch.sort')).choices(SORT_KEYS).default('role'))
  .option('--no-trunc', t('cli:help.watch.noTrunc'))
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
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(t('cli:help.badPort'));
  return n;
}

program
  .command('serve')
  .description(t('cli:help.serve.description'))
  .option('--port <port>', t('cli:help.serve.port'), port, 7878)
  .option('--bind <address>', t('cli:help.serve.bind'), '127.0.0.1')
  .option('--host <url>', t('cli:help.serve.host'), collect, [])
  .option('--all', t('cli:help.all'), false)
  .option('--settings <file>', t('cli:help.settings'), defaultSettingsPath())
  .option('--alert-log <file>', t('cli:help.alertLog'), defaultAlertLogPath())
  .option('--notify', t('cli:help.serve.notify'), false)
  .option('--webhook <url>', WEBHOOK_HELP, webhookUrl, [])
  .option('--public-url <url>', t('cli:help.serve.publicUrl'))
  .addOption(
    new Option('--source <source>', t('cli:help.serve.source'))
      .choices(['auto', 'cgroup', 'api'])
      .default('auto'),
  )
  .option('--timeout <duration>', t('cli:help.timeout'), duration, 5000)
  .option('--metrics', t('cli:help.serve.metrics'), false)
  .option('--token-file <file>', t('cli:help.serve.tokenFile'))
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
        process.stdout.write(`${t('cli:serve.dashboard', { url: serving.url })}\n`);
        if (serving.token !== null)
          process.stdout.write(`${t('cli:serve.token', { token: serving.token })}\n`);
      } else {
        process.stdout.write(
          `${t('cli:serve.tokenInFile', { address: serving.address, file: opts.tokenFile })}\n`,
        );
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
  .description(t('cli:help.export.description'))
  .option('--since <duration>', t('cli:help.export.since'), duration, 3_600_000)
  .addOption(
    new Option('--format <format>', t('cli:help.export.format')).choices(['csv', 'json']).default('csv'),
  )
  .option('--container <name|key>', t('cli:help.export.container'))
  .option('--stack <name>', t('cli:help.export.stack'))
  .option('--url <url>', t('cli:help.export.url'), 'http://127.0.0.1:7878')
  .option('--token <token>', t('cli:help.export.token'))
  .option('--output <file>', t('cli:help.export.output'))
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
