/**
 * Gathers an export through the DifyMonitorApi alone, so the renderer (over IPC or the web
 * bridge) and `dify-monitor export` (over HTTP to a running serve) build the same thing.
 */
import { HISTORY_METRICS, type DifyMonitorApi, type HistoryMetric, type HistoryResponse } from '../api.ts';
import type { Sample } from '../model.ts';
import { containerExport, windowFor, type HistoryExport } from './history.ts';

/** One container by history key or name, a stack by name (on one host or any), or everything. */
export type Selection =
  | { readonly container: string }
  | { readonly stack: string; readonly host?: string }
  | { readonly all: true };

function describe(selection: Selection): string {
  if ('container' in selection) return `container "${selection.container}"`;
  if ('stack' in selection) return `stack "${selection.stack}"`;
  return 'all containers';
}

/** The latest sample of each container the selection names, by name then key. */
function select(samples: readonly Sample[], selection: Selection): Sample[] {
  let chosen: Sample[];
  if ('container' in selection) {
    const byKey = samples.filter((s) => s.key === selection.container);
    chosen = byKey.length > 0 ? byKey : samples.filter((s) => s.name === selection.container);
  } else if ('stack' in selection) {
    const { stack, host } = selection;
    chosen = samples.filter((s) => s.stack === stack && (host === undefined || s.host === host));
  } else {
    chosen = [...samples];
  }
  return chosen.sort((a, b) => a.key.localeCompare(b.key));
}

class ExportError extends Error {}

/**
 * The history of the selected containers over the last `sinceMs`. The window ends at the newest
 * sample the server holds, so a client whose clock is off does not cut the export short.
 */
export async function collectExport(
  api: Pick<DifyMonitorApi, 'invoke'>,
  selection: Selection,
  sinceMs: number,
): Promise<HistoryExport> {
  const window = windowFor(sinceMs);
  if (window === null)
    throw new ExportError('the history reaches back 24 h at most; use --since 24h or less');
  const snapshot = await api.invoke('monitor:snapshot', null);
  const samples = select(snapshot.samples, selection);
  if (samples.length === 0) {
    const names = [...new Set(snapshot.samples.map((s) => s.name))].sort().join(', ');
    throw new ExportError(
      `no ${describe(selection)} in the monitor's latest data (it has: ${names || 'nothing yet'})`,
    );
  }
  const to = Math.max(...snapshot.samples.map((s) => s.ts));
  const from = to - sinceMs;
  const containers = [];
  for (const sample of samples) {
    const answers = await Promise.all(
      HISTORY_METRICS.map((metric) => api.invoke('monitor:history', { key: sample.key, metric, window })),
    );
    const responses = Object.fromEntries(HISTORY_METRICS.map((metric, i) => [metric, answers[i]])) as Record<
      HistoryMetric,
      HistoryResponse
    >;
    containers.push(containerExport(sample, responses, from));
  }
  return { to, from, containers };
}
