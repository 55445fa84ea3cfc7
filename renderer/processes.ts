/**
 * Who holds a container's memory, in its detail view: its processes, largest first, with what each
 * is (a plugin, a gunicorn or celery worker) and its RSS trend. Fed by `monitor:processes`.
 */
import { formatRate } from '../src/alerts/format.ts';
import type { ContainerProcess, ProcessTable } from '../src/model.ts';
import { t } from '../src/i18n/index.ts';
import { h } from './dom.ts';
import { formatBytes } from './format.ts';

/** Processes listed; the rest are summed in one line. */
const SHOWN = 15;
const COMMAND_SHOWN = 80;

function isProcess(v: unknown): v is ContainerProcess {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return (
    typeof p['pid'] === 'number' &&
    typeof p['label'] === 'string' &&
    typeof p['command'] === 'string' &&
    typeof p['rssBytes'] === 'number' &&
    Number.isFinite(p['rssBytes']) &&
    (p['rssTrendBytesPerSec'] === null || typeof p['rssTrendBytesPerSec'] === 'number')
  );
}

/** An answer the page may draw: a broken or hostile bridge gives nothing to draw, never a crash. */
export function processTableOf(v: unknown): ProcessTable | null {
  if (typeof v !== 'object' || v === null) return null;
  const t = v as Record<string, unknown>;
  if (typeof t['ts'] !== 'number' || (t['source'] !== 'proc' && t['source'] !== 'top')) return null;
  if (!Array.isArray(t['processes']) || !t['processes'].every(isProcess)) return null;
  return v as ProcessTable;
}

function row(p: ContainerProcess): HTMLTableRowElement {
  const command = p.command.length > COMMAND_SHOWN ? `${p.command.slice(0, COMMAND_SHOWN - 1)}…` : p.command;
  return h(
    'tr',
    { 'data-pid': p.pid },
    h('td', { class: 'num' }, String(p.pid)),
    h('td', {}, p.label),
    h('td', { class: 'num', 'data-rss-bytes': p.rssBytes }, formatBytes(p.rssBytes)),
    h('td', { class: 'num' }, p.rssTrendBytesPerSec === null ? '–' : formatRate(p.rssTrendBytesPerSec)),
    h('td', { title: p.command }, h('code', {}, command)),
  );
}

/** The section's content for a table, or for none (the container is not running, or nothing can say). */
export function processSection(table: ProcessTable | null): HTMLElement[] {
  if (table === null || table.processes.length === 0)
    return [h('p', { class: 'empty' }, t('page:processes.unreadable'))];
  const rest = table.processes.slice(SHOWN);
  const how = table.source === 'proc' ? t('page:processes.proc') : t('page:processes.top');
  return [
    h(
      'table',
      { class: 'containers processes' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, t('page:processes.pid')),
          h('th', {}, t('page:processes.what')),
          h('th', {}, t('page:processes.rss')),
          h('th', {}, t('page:processes.trend')),
          h('th', {}, t('page:processes.command')),
        ),
      ),
      h(
        'tbody',
        {},
        ...table.processes.slice(0, SHOWN).map(row),
        ...(rest.length === 0
          ? []
          : [
              h(
                'tr',
                {},
                h('td', {}, ''),
                h('td', {}, t('page:processes.more', { n: rest.length })),
                h('td', { class: 'num' }, formatBytes(rest.reduce((sum, p) => sum + p.rssBytes, 0))),
                h('td', {}, ''),
                h('td', {}, ''),
              ),
            ]),
      ),
    ),
    h('p', { class: 'lines' }, how),
  ];
}
