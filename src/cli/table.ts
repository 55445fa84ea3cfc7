import type { Alert } from '../alerts/types.ts';
import { findingFor, reasonWords, type Verdict, type VerdictLevel } from '../alerts/verdict.ts';
import { ROLES, type HostState, type Round, type Sample } from '../model.ts';
import { binarySize, decimalSize } from '../stats/units.ts';
import { cutEnd, layoutTextTable, type TextColumn } from '../util/text-table.ts';

export const SORT_KEYS = ['role', 'cpu', 'mem', 'name'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface TableView {
  readonly sort: SortKey;
  /** The terminal's columns, or null to print every column in full (a pipe, `--no-trunc`). */
  readonly width: number | null;
  /** Warning rows yellow, critical red; the STATUS words say the same without colour. */
  readonly color: boolean;
}

/** `docker stats`' columns and ours; on a narrow terminal BLOCK I/O goes first, then NET I/O … */
const COLUMNS = [
  { title: 'NAME', drop: 0, cut: { at: 'middle', minWidth: 10 } },
  { title: 'ROLE', drop: 2 },
  { title: 'CPU %', drop: 0 },
  { title: 'MEM USAGE / LIMIT', drop: 0 },
  { title: 'MEM %', drop: 0 },
  { title: 'NET I/O', drop: 4 },
  { title: 'BLOCK I/O', drop: 5 },
  { title: 'PIDS', drop: 3 },
  { title: 'STATE', drop: 1, cut: { at: 'end', minWidth: 7 } },
  { title: 'STATUS', drop: 0, cut: { at: 'end', minWidth: 8 } },
] as const satisfies readonly TextColumn[];

const COLOR: Readonly<Record<VerdictLevel, string>> = { warning: '\x1b[33m', critical: '\x1b[31m' };
const RESET = '\x1b[0m';

type Item =
  | { readonly kind: 'text'; readonly text: string; readonly level: VerdictLevel | null }
  | { readonly kind: 'row'; readonly cells: readonly string[]; readonly level: VerdictLevel | null };

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

/** What the alert engine holds against a container, stack or host now: the tray's and the page's words. */
function status(verdict: Verdict, key: string): { words: string; level: VerdictLevel | null } {
  const finding = findingFor(verdict, key);
  const first = finding?.reasons[0];
  if (finding === undefined || first === undefined) return { words: 'OK', level: null };
  return {
    words: `${finding.level.toUpperCase()}: ${reasonWords(first.rule, first.level)}`,
    level: finding.level,
  };
}

const byName = (a: Sample, b: Sample): number => a.name.localeCompare(b.name);
/** Unknown figures last, whatever the order. */
const descending = (a: number | null, b: number | null): number => (b ?? -1) - (a ?? -1);

const ORDER: Readonly<Record<SortKey, (a: Sample, b: Sample) => number>> = {
  role: (a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || byName(a, b),
  cpu: (a, b) => descending(a.cpuPercent, b.cpuPercent) || byName(a, b),
  mem: (a, b) => descending(a.memUsageBytes, b.memUsageBytes) || byName(a, b),
  name: byName,
};

function row(sample: Sample, verdict: Verdict): Item {
  const { words, level } = status(verdict, sample.key);
  const cells = [
    sample.name,
    sample.role,
    percent(sample.cpuPercent),
    memory(sample),
    percent(sample.memPercent),
    pair(sample.netRxBytes, sample.netTxBytes, decimalSize),
    pair(sample.blockReadBytes, sample.blockWriteBytes, decimalSize),
    sample.pids === null ? '--' : String(sample.pids),
    state(sample),
    words,
  ];
  return { kind: 'row', cells, level };
}

/** One heading line per host and stack, then one line per container in the chosen order. */
function roundItems(round: Round, verdict: Verdict, sort: SortKey): Item[] {
  if (round.samples.length === 0)
    return [
      {
        kind: 'text',
        text: `${round.host}: no containers (a Dify stack appears here once it starts)`,
        level: null,
      },
    ];
  const groups = new Map<string | null, Sample[]>();
  for (const sample of round.samples) groups.set(sample.stack, [...(groups.get(sample.stack) ?? []), sample]);
  const named = [...groups].sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
  return named.flatMap(([stack, samples]) => {
    const heading = stack === null ? 'other containers' : `stack ${stack}`;
    const held = stack === null ? { words: 'OK', level: null } : status(verdict, `${round.host}/${stack}`);
    const text = `${round.host} · ${heading}${held.level === null ? '' : ` · ${held.words}`}`;
    return [
      { kind: 'text', text, level: held.level } as const,
      ...[...samples].sort(ORDER[sort]).map((s) => row(s, verdict)),
    ];
  });
}

function alertLine(alert: Alert): Item {
  const time = new Date(alert.ts).toLocaleTimeString();
  const text = `${time} ${alert.severity.toUpperCase()}${alert.muted ? ' (muted)' : ''} ${alert.message}`;
  return { kind: 'text', text, level: alert.severity === 'info' ? null : alert.severity };
}

/**
 * The live table as lines, none wider than `view.width`: hosts that are not up, the column
 * heads, each stack's heading and containers, then the latest alerts.
 */
export function renderTable(
  rounds: readonly Round[],
  states: readonly HostState[],
  verdict: Verdict,
  alerts: readonly Alert[],
  view: TableView,
): string[] {
  const items: Item[] = [
    ...states
      .filter((s) => s.state !== 'up')
      .map((s): Item => {
        const text = `${s.host}: ${s.state} - ${s.message}`;
        return { kind: 'text', text, level: status(verdict, s.host).level };
      }),
    ...rounds.flatMap((round) => roundItems(round, verdict, view.sort)),
    ...alerts.map(alertLine),
  ];
  const rows = items.flatMap((item) => (item.kind === 'row' ? [item.cells] : []));
  const table = layoutTextTable(COLUMNS, rows, view.width);
  let next = 0;
  const paint = (text: string, level: VerdictLevel | null): string =>
    view.color && level !== null ? `${COLOR[level]}${text}${RESET}` : text;
  return [
    table.header,
    ...items.map((item) =>
      item.kind === 'row'
        ? paint(table.rows[next++] ?? '', item.level)
        : paint(view.width === null ? item.text : cutEnd(item.text, view.width), item.level),
    ),
  ];
}
