/**
 * Export buttons for the detail view: the container's (or its stack's) history for the chosen
 * window as CSV or JSON, and a chart as PNG. Everything is made in the page from the
 * DifyMonitorApi and handed to the browser as a download (Blob + a[download]); nothing is
 * fetched from elsewhere and the CSP stays as strict as it is.
 */
import type { DifyMonitorApi, HistoryWindow } from '../src/api.ts';
import { HISTORY_WINDOWS } from '../src/api.ts';
import { collectExport, type Selection } from '../src/export/collect.ts';
import { toCsv } from '../src/export/csv.ts';
import { toJson } from '../src/export/json.ts';
import type { LiveChart } from './charts.ts';
import { t } from '../src/i18n/index.ts';
import { h } from './dom.ts';

export interface ExportTarget {
  readonly key: string;
  readonly name: string;
  readonly host: string;
  readonly stack: string | null;
}

export interface ExportSource {
  /** The container the view shows; null while it is not in the latest data. */
  target(): ExportTarget | null;
  window(): HistoryWindow;
  charts(): { readonly memory: LiveChart | null; readonly cpu: LiveChart | null };
}

/** Letters, digits, dot, dash and underscore: safe as a file name on every system. */
function fileNamePart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'export';
}

function stamp(now: number): string {
  return new Date(now)
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z');
}

function download(href: string, fileName: string): void {
  const link = h('a', { href, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
}

function downloadBlob(blob: Blob, fileName: string): void {
  const href = URL.createObjectURL(blob);
  download(href, fileName);
  // The browser has taken the blob by the next task; keeping the URL would hold it in memory.
  setTimeout(() => URL.revokeObjectURL(href), 1000);
}

export function exportControls(api: Pick<DifyMonitorApi, 'invoke'>, source: ExportSource): HTMLElement {
  const status = h('span', { class: 'export-status', role: 'status' });
  const data = async (format: 'csv' | 'json', scope: 'container' | 'stack'): Promise<void> => {
    const target = source.target();
    if (target === null) {
      status.textContent = t('page:export.missing');
      return;
    }
    if (scope === 'stack' && target.stack === null) {
      status.textContent = t('page:export.noStack', { name: target.name });
      return;
    }
    const window = source.window();
    const selection: Selection =
      scope === 'stack' ? { stack: target.stack as string, host: target.host } : { container: target.key };
    status.textContent = t('page:export.exporting');
    try {
      const value = await collectExport(api, selection, HISTORY_WINDOWS[window]);
      const text = format === 'csv' ? toCsv(value.containers) : toJson(value);
      const type = format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json';
      const who = scope === 'stack' ? `${target.host}-${target.stack}` : target.name;
      downloadBlob(
        new Blob([text], { type }),
        `dify-monitor-${fileNamePart(who)}-${window}-${stamp(value.to)}.${format}`,
      );
      status.textContent = '';
    } catch (error) {
      status.textContent = t('page:export.failed', { why: (error as Error).message });
    }
  };
  const png = (which: 'memory' | 'cpu'): void => {
    const chart = source.charts()[which];
    const target = source.target();
    if (chart === null) return;
    const name = fileNamePart(target?.name ?? 'chart');
    download(
      chart.chart.toBase64Image('image/png', 1),
      `dify-monitor-${name}-${which}-${source.window()}.png`,
    );
  };
  const button = (label: string, action: string, run: () => void): HTMLButtonElement => {
    const b = h('button', { type: 'button', 'data-export': action }, label);
    b.addEventListener('click', run);
    return b;
  };
  return h(
    'div',
    { class: 'export', role: 'group', 'aria-label': t('page:export.title') },
    h('span', {}, t('page:export.title')),
    button(t('page:export.csv'), 'container-csv', () => void data('csv', 'container')),
    button(t('page:export.json'), 'container-json', () => void data('json', 'container')),
    button(t('page:export.stackCsv'), 'stack-csv', () => void data('csv', 'stack')),
    button(t('page:export.stackJson'), 'stack-json', () => void data('json', 'stack')),
    button(t('page:export.memoryPng'), 'memory-png', () => png('memory')),
    button(t('page:export.cpuPng'), 'cpu-png', () => png('cpu')),
    status,
  );
}
