import type { Alert } from '../alerts/types.ts';
import { findingFor, reasonWords, type Verdict, type VerdictLevel } from '../alerts/verdict.ts';
import { ROLES, type HostState, type Round, type Sample } from '../model.ts';
import { binarySize, decimalSize } from '../stats/units.ts';
import { alertText } from '../alerts/alert-text.ts';
import { formatNumber, formatTime } from '../i18n/format.ts';
import { t } from '../i18n/index.ts';
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
  { title: 'name', drop: 0, cut: { at: 'middle', minWidth: 10 } },
  { title: 'role', drop: 2 },
  { title: 'cpu', drop: 0 },
  { title: 'memUsage', drop: 0 },
  { title: 'memPercent', drop: 0 },
  { title: 'net', drop: 4 },
  { title: 'block', drop: 5 },
  { title: 'pids', drop: 3 },
  { title: 'state', drop: 1, cut: { at: 'end', minWidth: 7 } },
  { title: 'status', drop: 0, cut: { at: 'end', minWidth: 8 } },
] as const satisfies readonly TextColumn[];

/** The columns with their titles in the user's language (the titles above are the keys). */
const titled = (): TextColumn[] => COLUMNS.map((c) => ({ ...c, title: t(`cli:column.${c.title}`) }));

const COLOR: Readonly<Record<VerdictLevel, string>> = { warning: '\x1b[33m', critical: '\x1b[31m' };
const RESET = '\x1b[0m';

type Item =
  | { readonly kind: 'text'; readonly text: string; readonly level: VerdictLevel | null }
  | { readonly kind: 'row'; readonly cells: readonly string[]; readonly level: VerdictLevel | null };

function percent(value: number | null): string {
  return value === null ? '--' : `${formatNumber(value, 2)}%`;
}

function pair(a: number | null, b: number | null, format: (n: number) => string): string {
  return a === null || b === null ? '--' : `${format(a)} / ${format(b)}`;
}

function memory(sample: Sample): string {
  if (sample.memUsageBytes === null) return '--';
  const limit = sample.memLimitBytes === null ? '?' : binarySize(sample.memLimitBytes);
  return `${binarySize(sample.memUsageBytes)} / ${limit}${sample.memLimitSource === 'host' ? t('cli:table.hostLimit') : ''}`;
}

function state(sample: Sample): string {
  const parts: string[] = [t(`model:containerState.${sample.state}`)];
  if (sample.health !== 'none') parts.push(t(`model:health.${sample.health}`));
  if (sample.exitCode !== null && sample.state !== 'running')
    parts.push(t('cli:table.exitCode', { code: sample.exitCode }));
  if (sample.oomKilled) parts.push(t('verdict:oomKilled'));
  if (sample.restartCount > 0) parts.push(t('cli:table.restarts', { n: sample.restartCount }));
  return parts.join(t('cli:table.listSeparator'));
}

/** What the alert engine holds against a container, stack or host now: the tray's and the page's words. */
function status(verdict: Verdict, key: string): { words: string; level: VerdictLevel | null } {
  const finding = findingFor(verdict, key);
  const first = finding?.reasons[0];
  if (finding === undefined || first === undefined) return { words: t('verdict:ok'), level: null };
  return {
    words: t('cli:table.status', {
      level: t(`verdict:level.${finding.level}`),
      words: reasonWords(first.rule, first.level),
    }),
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
        text: t('cli:table.noContainers', { host: round.host }),
        level: null,
      },
    ];
  const groups = new Map<string | null, Sample[]>();
  for (const sample of round.samples) groups.set(sample.stack, [...(groups.get(sample.stack) ?? []), sample]);
  const named = [...groups].sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
  return named.flatMap(([stack, samples]) => {
    const heading = stack === null ? t('cli:table.otherContainers') : t('cli:table.stack', { stack });
    const held =
      stack === null ? { words: t('verdict:ok'), level: null } : status(verdict, `${round.host}/${stack}`);
    const text = `${round.host} · ${heading}${held.level === null ? '' : ` · ${held.words}`}`;
    return [
      { kind: 'text', text, level: held.level } as const,
      ...[...samples].sort(ORDER[sort]).map((s) => row(s, verdict)),
    ];
  });
}

function alertLine(alert: Alert): Item {
  const level = t(`verdict:level.${alert.severity}`);
  const text = `${formatTime(alert.ts)} ${level}${alert.muted ? t('cli:table.muted') : ''} ${alertText(alert)}`;
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
        const text = t('cli:table.hostDown', {
          host: s.host,
          state: t(`cli:hostState.${s.state}`),
          message: s.message,
        });
        return { kind: 'text', text, level: status(verdict, s.host).level };
      }),
    ...rounds.flatMap((round) => roundItems(round, verdict, view.sort)),
    ...alerts.map(alertLine),
  ];
  const rows = items.flatMap((item) => (item.kind === 'row' ? [item.cells] : []));
  const table = layoutTextTable(titled(), rows, view.width);
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
