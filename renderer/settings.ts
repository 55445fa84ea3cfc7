/**
 * The settings form. Values go to the server as they are typed (numbers converted, nothing
 * judged here); the server's field errors are shown next to the field their path names.
 */
import type { DifyMonitorApi } from '../src/api.ts';
import { ROLES, type Role } from '../src/model.ts';
import type { FieldError, Settings, SettingsPatch } from '../src/settings/schema.ts';
import { ChannelsPanel } from './channels.ts';
import { h } from './dom.ts';

interface Field {
  readonly path: string;
  readonly label: string;
  readonly kind: 'number' | 'checkbox' | 'time';
  /** Shown value = stored value / scale (seconds for ms, MiB for bytes). */
  readonly scale?: number;
  readonly unit?: string;
  readonly step?: string;
}

const MIB = 1024 * 1024;
/** Small proxies, one-shots and the catch-alls get no field; the schema takes a budget for any role. */
const NO_BUDGET: ReadonlySet<Role> = new Set(['ssrf_proxy', 'nginx', 'init', 'certbot', 'service', 'other']);
const BUDGET_ROLES = ROLES.filter((role) => !NO_BUDGET.has(role));

const GROUPS: readonly { title: string; fields: readonly Field[] }[] = [
  {
    title: 'Memory per container',
    fields: [
      { path: '/alerts/memory/warningPercent', label: 'Warning at', kind: 'number', unit: '% of the limit' },
      {
        path: '/alerts/memory/criticalPercent',
        label: 'Critical at',
        kind: 'number',
        unit: '% of the limit',
      },
      {
        path: '/alerts/memory/hysteresisPoints',
        label: 'Clears after falling',
        kind: 'number',
        unit: 'points below',
      },
    ],
  },
  {
    title: 'Memory budget per role (overrides the limit; empty = none)',
    fields: BUDGET_ROLES.map(
      (role) =>
        ({
          path: `/alerts/roleBudgetBytes/${role}`,
          label: role,
          kind: 'number',
          scale: MIB,
          unit: 'MiB',
        }) as const,
    ),
  },
  {
    title: 'CPU',
    fields: [
      { path: '/alerts/cpu/warningPercent', label: 'Warning at', kind: 'number', unit: '% of allowed CPU' },
      { path: '/alerts/cpu/criticalPercent', label: 'Critical at', kind: 'number', unit: '% of allowed CPU' },
      { path: '/alerts/cpu/sustainMs', label: 'For at least', kind: 'number', scale: 1000, unit: 's' },
    ],
  },
  {
    title: 'Whole stack against host memory',
    fields: [
      { path: '/alerts/stack/warningPercent', label: 'Warning at', kind: 'number', unit: '%' },
      { path: '/alerts/stack/criticalPercent', label: 'Critical at', kind: 'number', unit: '%' },
    ],
  },
  {
    title: 'Intervals',
    fields: [
      {
        path: '/intervals/fastMs',
        label: 'While the dashboard is open',
        kind: 'number',
        scale: 1000,
        unit: 's',
        step: '0.1',
      },
      {
        path: '/intervals/trayMs',
        label: 'In the background',
        kind: 'number',
        scale: 1000,
        unit: 's',
        step: '0.1',
      },
    ],
  },
  {
    title: 'Notifications',
    fields: [
      { path: '/notifications/enabled', label: 'Show desktop notifications', kind: 'checkbox' },
      { path: '/alerts/quietHours/enabled', label: 'Quiet hours', kind: 'checkbox' },
      { path: '/alerts/quietHours/start', label: 'Quiet from', kind: 'time' },
      { path: '/alerts/quietHours/end', label: 'Quiet until', kind: 'time' },
    ],
  },
];

function read(settings: Settings, path: string): unknown {
  if (path === '/alerts/quietHours/enabled') return settings.alerts.quietHours !== null;
  if (path.startsWith('/alerts/quietHours/')) {
    const quiet = settings.alerts.quietHours;
    return path.endsWith('start') ? (quiet?.start ?? '22:00') : (quiet?.end ?? '07:00');
  }
  let value: unknown = settings;
  for (const part of path.split('/').slice(1)) {
    value =
      typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value;
}

function write(patch: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('/').slice(1);
  let node = patch;
  for (const part of parts.slice(0, -1)) {
    const next = (node[part] as Record<string, unknown> | undefined) ?? {};
    node[part] = next;
    node = next;
  }
  node[parts.at(-1) ?? ''] = value;
}

function numberFrom(text: string, scale: number): number | string {
  const n = Number(text);
  // Anything that is not a number goes as typed, so the server names the problem.
  return text.trim() === '' || !Number.isFinite(n) ? text : Math.round(n * scale * 1000) / 1000;
}

export function renderSettings(api: DifyMonitorApi, settings: Settings): HTMLElement {
  const form = h('form', { class: 'settings', novalidate: true, 'aria-label': 'Settings' });
  const inputs = new Map<string, HTMLInputElement>();
  const errors = new Map<string, HTMLElement>();
  const summary = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  form.append(h('h2', {}, 'Settings'));
  for (const group of GROUPS) {
    const fieldset = h('fieldset', {}, h('legend', {}, group.title));
    for (const field of group.fields) {
      const id = `f${field.path.replace(/\//g, '-')}`;
      const value = read(settings, field.path);
      const input =
        field.kind === 'checkbox'
          ? h('input', { id, type: 'checkbox', checked: value === true })
          : h('input', {
              id,
              type: field.kind === 'time' ? 'time' : 'text',
              inputmode: field.kind === 'number' ? 'decimal' : undefined,
              value:
                typeof value === 'number'
                  ? String(value / (field.scale ?? 1))
                  : typeof value === 'string'
                    ? value
                    : '',
              'aria-describedby': `${id}-error`,
            });
      input.dataset['path'] = field.path;
      inputs.set(field.path, input);
      const error = h('span', { id: `${id}-error`, class: 'field-error', 'data-error-for': field.path });
      errors.set(field.path, error);
      fieldset.append(
        h(
          'div',
          { class: 'field' },
          h('label', { for: id }, field.label),
          input,
          field.unit === undefined ? null : h('span', { class: 'unit' }, field.unit),
          error,
        ),
      );
    }
    form.append(fieldset);
  }
  form.append(h('button', { type: 'submit' }, 'Save'), summary);

  const patchFromForm = (): SettingsPatch => {
    const patch: Record<string, unknown> = {};
    for (const group of GROUPS) {
      for (const field of group.fields) {
        const input = inputs.get(field.path);
        if (input === undefined || field.path.startsWith('/alerts/quietHours/')) continue;
        if (field.kind === 'checkbox') write(patch, field.path, input.checked);
        else if (field.path.startsWith('/alerts/roleBudgetBytes/') && input.value.trim() === '') continue;
        else write(patch, field.path, numberFrom(input.value, field.scale ?? 1));
      }
    }
    const quiet = inputs.get('/alerts/quietHours/enabled')?.checked === true;
    write(
      patch,
      '/alerts/quietHours',
      quiet
        ? {
            start: inputs.get('/alerts/quietHours/start')?.value ?? '',
            end: inputs.get('/alerts/quietHours/end')?.value ?? '',
          }
        : null,
    );
    return patch as SettingsPatch;
  };

  const show = (list: readonly FieldError[]): void => {
    for (const [path, el] of errors) {
      el.textContent = '';
      inputs.get(path)?.removeAttribute('aria-invalid');
    }
    const general: string[] = [];
    for (const error of list) {
      const path = errors.has(error.path)
        ? error.path
        : [...errors.keys()].find((p) => p.startsWith(`${error.path}/`));
      const el = path === undefined ? undefined : errors.get(path);
      if (path === undefined || el === undefined) {
        general.push(`${error.path} ${error.message}`);
        continue;
      }
      el.textContent = el.textContent === '' ? error.message : `${el.textContent}; ${error.message}`;
      inputs.get(path)?.setAttribute('aria-invalid', 'true');
    }
    summary.textContent =
      list.length === 0 ? 'Saved.' : `Not saved: ${list.length} problem(s). ${general.join(' ')}`;
    if (list.length > 0) form.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api.invoke('settings:set', patchFromForm()).then(
      (result) => show(result.ok ? [] : Array.isArray(result.errors) ? result.errors : []),
      (error: unknown) => show([{ path: '/', message: (error as Error).message }]),
    );
  });
  const channels = new ChannelsPanel(api);
  void channels.load();
  return h('div', { class: 'settings-page' }, form, channels.root);
}
