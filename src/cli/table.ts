import Table from 'cli-table3';
import { ROLES, type HostState, type Sample } from '../model.ts';
import type { Round } from '../model.ts';
import type { Alert } from '../alerts/types.ts';
import { findingFor, reasonWords, type Verdict } from '../alerts/verdict.ts';
import { binarySize, decimalSize } from '../stats/units.ts';

const COLUMNS = 10;

function percent(value: number | null): string {
  return value === null ? '--' : `${value.toFixed(2)}%`;
}

function pair(a: number | null, b: number | null, format: (n: number) => string): string {
  return a === null || b === null ? '--' : `${format(a)} / ${format(b)}`;
}

function memory(sample: Sample): string {
  if (sample.memUsageBytes === null) return '--';
  const limit = sample.memLimitBytes === null ? '?' : binarySize(sample.memLimitBytes);
  return `${binarySize(sample.memUsageBytes)} / ${limit}${sample.memLimitSource === 'host' ? ' (host)' : ''}`;
}

function state(sample: Sample): string {
  const parts: string[] = [sample.state];
  if (sample.health !== 'none') parts.push(sample.health);
  if (sample.exitCode !== null && sample.state !== 'running') parts.push(`exit ${sample.exitCode}`);
  if (sample.oomKilled) parts.push('OOM-killed');
  if (sample.restartCount > 0) parts.push(`${sample.restartCount} restarts`);
  return parts.join(', ');
}

/** What the alert engine holds against the container now: the same words the tray and the page use. */
function status(verdict: Verdict, sample: Sample): string {
  const finding = findingFor(verdict, sample.key);
  const first = finding?.reasons[0];
  if (finding === undefined || first === undefined) return 'OK';
  return `${finding.level.toUpperCase()}: ${reasonWords(first.rule, first.level)}`;
}

function byRoleThenName(a: Sample, b: Sample): number {
  return ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || a.name.localeCompare(b.name);
}

/** The live table: one block per host and stack, rows ordered by role as a Dify request flows. */
export function renderTable(
  rounds: readonly Round[],
  states: readonly HostState[],
  verdict: Verdict,
  alerts: readonly Alert[] = [],
): string {
  const table = new Table({
    head: [
      'NAME',
      'ROLE',
      'CPU %',
      'MEM USAGE / LIMIT',
      'MEM %',
      'NET I/O',
      'BLOCK I/O',
      'PIDS',
      'STATE',
      'STATUS',
    ],
    style: { head: [], border: [] },
  });
  for (const hostState of states) {
    if (hostState.state !== 'up') {
      table.push([
        { colSpan: COLUMNS, content: `${hostState.host}: ${hostState.state} - ${hostState.message}` },
      ]);
    }
  }
  for (const round of rounds) {
    if (round.samples.length === 0) {
      table.push([
        {
          colSpan: COLUMNS,
          content: `${round.host}: no containers (a Dify stack appears here once it starts)`,
        },
      ]);
    }
    const groups = new Map<string, Sample[]>();
    for (const sample of round.samples) {
      const group = sample.stack === null ? 'other containers' : `stack ${sample.stack}`;
      groups.set(group, [...(groups.get(group) ?? []), sample]);
    }
    for (const [group, samples] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      table.push([{ colSpan: COLUMNS, content: `${round.host} · ${group}` }]);
      for (const s of samples.sort(byRoleThenName)) {
        table.push([
          s.name,
          s.role,
          percent(s.cpuPercent),
          memory(s),
          percent(s.memPercent),
          pair(s.netRxBytes, s.netTxBytes, decimalSize),
          pair(s.blockReadBytes, s.blockWriteBytes, decimalSize),
          s.pids === null ? '--' : String(s.pids),
          state(s),
          status(verdict, s),
        ]);
      }
    }
  }
  const lines = alerts.map(
    (a) =>
      `${new Date(a.ts).toLocaleTimeString()} ${a.severity.toUpperCase()}${a.muted ? ' (muted)' : ''} ${a.message}`,
  );
  return [table.toString(), ...lines].join('\n');
}
