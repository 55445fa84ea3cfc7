/**
 * The settings form. Values go to the server as they are typed (numbers converted, nothing
 * judged here); the server's field errors are shown next to the field their path names.
 */
import type { DifyMonitorApi } from '../src/api.ts';
import { ROLES, type Role } from '../src/model.ts';
import type { FieldError, Settings, SettingsPatch } from '../src/settings/schema.ts';
import { ChannelsPanel } from './channels.ts';
import { LANGUAGE_SETTINGS, t } from '../src/i18n/index.ts';
import { EN } from '../src/i18n/resources.ts';
import { h } from './dom.ts';
import { readBack, reader, type Rewrite } from './read-back.ts';

interface Field {
  readonly path: string;
  readonly label: string;
  readonly kind: 'number' | 'checkbox' | 'time' | 'language';
  /** Shown value = stored value / scale (seconds for ms, MiB for bytes). */
  readonly scale?: number;
  readonly unit?: string;
  readonly step?: string;
}

const MIB = 1024 * 1024;
/** Small proxies, one-shots and the catch-alls get no field; the schema takes a budget for any role. */
const NO_BUDGET: ReadonlySet<Role> = new Set(['ssrf_proxy', 'nginx', 'init', 'certbot', 'service', 'other']);
const BUDGET_ROLES = ROLES.filter((role) => !NO_BUDGET.has(role));

/** Built when the page is drawn, so that it is in the language of the moment. */
const groups = (): readonly { title: string; fields: readonly Field[] }[] => [
  {
    title: t('settings:language.title'),
    fields: [{ path: '/language', label: t('settings:language.label'), kind: 'language' }],
  },
  {
    title: t('settings:groups.memory'),
    fields: [
      {
        path: '/alerts/memory/warningPercent',
        label: t('settings:fields.warningAt'),
        kind: 'number',
        unit: t('settings:units.ofLimit'),
      },
      {
        path: '/alerts/memory/criticalPercent',
        label: t('settings:fields.criticalAt'),
        kind: 'number',
        unit: t('settings:units.ofLimit'),
      },
      {
        path: '/alerts/memory/hysteresisPoints',
        label: t('settings:fields.clears'),
        kind: 'number',
        unit: t('settings:units.pointsBelow'),
      },
    ],
  },
  {
    title: t('settings:groups.budget'),
    fields: BUDGET_ROLES.map(
      (role) =>
        ({
          path: `/alerts/roleBudgetBytes/${role}`,
          label: role,
          kind: 'number',
          scale: MIB,
          unit: t('settings:units.mib'),
        }) as const,
    ),
  },
  {
    title: t('settings:groups.cpu'),
    fields: [
      {
        path: '/alerts/cpu/warningPercent',
        label: t('settings:fields.warningAt'),
        kind: 'number',
        unit: t('settings:units.ofCpu'),
      },
      {
        path: '/alerts/cpu/criticalPercent',
        label: t('settings:fields.criticalAt'),
        kind: 'number',
        unit: t('settings:units.ofCpu'),
      },
      {
        path: '/alerts/cpu/sustainMs',
        label: t('settings:fields.forAtLeast'),
        kind: 'number',
        scale: 1000,
        unit: t('settings:units.seconds'),
      },
    ],
  },
  {
    title: t('settings:groups.stack'),
    fields: [
      {
        path: '/alerts/stack/warningPercent',
        label: t('settings:fields.warningAt'),
        kind: 'number',
        unit: t('settings:units.percent'),
      },
      {
        path: '/alerts/stack/criticalPercent',
        label: t('settings:fields.criticalAt'),
        kind: 'number',
        unit: t('settings:units.percent'),
      },
    ],
  },
  {
    title: t('settings:groups.intervals'),
    fields: [
      {
        path: '/intervals/fastMs',
        label: t('settings:fields.fast'),
        kind: 'number',
        scale: 1000,
        unit: t('settings:units.seconds'),
        step: '0.1',
      },
      {
        path: '/intervals/trayMs',
        label: t('settings:fields.tray'),
        kind: 'number',
        scale: 1000,
        unit: t('settings:units.seconds'),
        step: '0.1',
      },
    ],
  },
  {
    title: t('settings:groups.notifications'),
    fields: [
      { path: '/notifications/enabled', label: t('settings:fields.desktop'), kind: 'checkbox' },
      { path: '/alerts/quietHours/enabled', label: t('settings:fields.quiet'), kind: 'checkbox' },
      { path: '/alerts/quietHours/start', label: t('settings:fields.quietFrom'), kind: 'time' },
      { path: '/alerts/quietHours/end', label: t('settings:fields.quietUntil'), kind: 'time' },
    ],
  },
];

/** Each language by its own name, so that one can find one's own in a page in another. */
const LANGUAGE_NAMES = { en: 'English', 'zh-CN': '简体中文' } as const;

function languageSelect(id: string, value: unknown): HTMLSelectElement {
  return h(
    'select',
    { id },
    ...LANGUAGE_SETTINGS.map((language) =>
      h(
        'option',
        { value: language, selected: language === (value ?? 'auto') },
        language === 'auto' ? t('settings:language.auto') : LANGUAGE_NAMES[language],
      ),
    ),
  );
}

const ERRORS = EN.settings.errors;
const TYPES = Object.keys(ERRORS.types) as (keyof typeof ERRORS.types)[];
/** Each type spelled out: `must be {{type}}` alone would also fit the bounds' `must be <= 100`. */
const ERROR_REWRITES: readonly Rewrite[] = [
  [reader(ERRORS.belowWarning), () => t('settings:errors.belowWarning')],
  [reader(ERRORS.shorterThanWindow), () => t('settings:errors.shorterThanWindow')],
  [reader(ERRORS.max), (f) => t('settings:errors.max', { n: f('n') })],
  [reader(ERRORS.min), (f) => t('settings:errors.min', { n: f('n') })],
  [reader(ERRORS.below), (f) => t('settings:errors.below', { n: f('n') })],
  [reader(ERRORS.above), (f) => t('settings:errors.above', { n: f('n') })],
  [reader(ERRORS.pattern), (f) => t('settings:errors.pattern', { pattern: f('pattern') })],
  [reader(ERRORS.oneOf), () => t('settings:errors.oneOf')],
  ...TYPES.map((type): Rewrite => [
    reader(ERRORS.type.replace('{{type}}', type)),
    () => t('settings:errors.type', { type: t(`settings:errors.types.${type}`) }),
  ]),
];

/** The server's reason for a field, in the page's language when it came in English. */
function errorText(message: string): string {
  return readBack(message, ERROR_REWRITES);
}

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
  const form = h('form', { class: 'settings', novalidate: true, 'aria-label': t('settings:title') });
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const errors = new Map<string, HTMLElement>();
  const summary = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  form.append(h('h2', {}, t('settings:title')));
  const fieldGroups = groups();
  for (const group of fieldGroups) {
    const fieldset = h('fieldset', {}, h('legend', {}, group.title));
    for (const field of group.fields) {
      const id = `f${field.path.replace(/\//g, '-')}`;
      const value = read(settings, field.path);
      const input =
        field.kind === 'language'
          ? languageSelect(id, value)
          : field.kind === 'checkbox'
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
  form.append(h('button', { type: 'submit' }, t('settings:save')), summary);

  const patchFromForm = (): SettingsPatch => {
    const patch: Record<string, unknown> = {};
    for (const group of fieldGroups) {
      for (const field of group.fields) {
        const input = inputs.get(field.path);
        if (input === undefined || field.path.startsWith('/alerts/quietHours/')) continue;
        if (field.kind === 'language') write(patch, field.path, input.value);
        else if (input instanceof HTMLInputElement && field.kind === 'checkbox')
          write(patch, field.path, input.checked);
        else if (field.path.startsWith('/alerts/roleBudgetBytes/') && input.value.trim() === '') continue;
        else write(patch, field.path, numberFrom(input.value, field.scale ?? 1));
      }
    }
    const quietBox = inputs.get('/alerts/quietHours/enabled');
    const quiet = quietBox instanceof HTMLInputElement && quietBox.checked;
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
        general.push(`${error.path} ${errorText(error.message)}`);
        continue;
      }
      const message = errorText(error.message);
      el.textContent = el.textContent === '' ? message : `${el.textContent}; ${message}`;
      inputs.get(path)?.setAttribute('aria-invalid', 'true');
    }
    summary.textContent =
      list.length === 0
        ? t('settings:saved')
        : t('settings:notSaved', { n: list.length, general: general.join(' ') });
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
