/**
 * `dify-monitor top CONTAINER`: who holds a container's memory, largest first. The question asked
 * in Dify's issues is which plugin or which worker inside `plugin_daemon` or `worker` holds it.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatBytes, formatRate } from '../alerts/format.ts';
import type { SourceChoice } from '../collect/connect.ts';
import { readContainerProcesses } from '../collect/container-processes.ts';
import type { ContainerProcess, ProcessTable } from '../model.ts';
import { parseDuration } from '../util/duration.ts';

/** A command line is cut here in the table; `--json` has it whole. */
const COMMAND_SHOWN = 60;

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === null) throw new InvalidArgumentError('use a duration such as 5s or 1m');
  return ms;
}

function row(p: ContainerProcess): string[] {
  const trend = p.rssTrendBytesPerSec === null ? '–' : formatRate(p.rssTrendBytesPerSec);
  const command = p.command.length > COMMAND_SHOWN ? `${p.command.slice(0, COMMAND_SHOWN - 1)}…` : p.command;
  return [String(p.pid), formatBytes(p.rssBytes), trend, p.label, command];
}

/** Plain columns, left-aligned: read by people and by `sort`/`awk` alike. */
export function processTableText(table: ProcessTable): string {
  const rows = [['PID', 'RSS', 'TREND', 'WHAT', 'COMMAND'], ...table.processes.map(row)];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const lines = rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

export function registerTopCommand(program: Command): void {
  program
    .command('top')
    .description("List a container's processes by the memory they hold: pid, RSS, trend, and what each is.")
    .argument('<container>', 'container name or id')
    .option('--host <url>', 'the engine (see watch --help); default: the one found like the docker CLI')
    .option('--json', 'print the table as one JSON object', false)
    .option(
      '--trend <duration>',
      'read again after this long to give each process its RSS trend',
      duration,
      0,
    )
    .addOption(
      new Option('--source <source>', '/proc on this machine when it can see the engine, or the engine API')
        .choices(['auto', 'api'])
        .default('auto'),
    )
    .option('--timeout <duration>', 'give up on an engine request after this long', duration, 5000)
    .action(
      async (
        container: string,
        opts: { host?: string; json: boolean; trend: number; source: SourceChoice; timeout: number },
      ) => {
        const result = await readContainerProcesses(opts.host ?? null, container, {
          source: opts.source,
          timeoutMs: opts.timeout,
          trendMs: opts.trend,
          now: Date.now,
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        });
        if (!result.ok) {
          process.stderr.write(`${result.error}\n`);
          process.exitCode = 1;
          return;
        }
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(result.table)}\n`);
          return;
        }
        process.stdout.write(
          `${result.table.name}: ${result.table.processes.length} processes, read ${result.how}\n`,
        );
        process.stdout.write(processTableText(result.table));
      },
    );
}
