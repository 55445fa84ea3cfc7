/** The landing view: one card per host and stack, then every container grouped by role. */
import { ROLES, type Sample } from '../src/model.ts';
import { formatNumber } from '../src/i18n/format.ts';
import { t } from '../src/i18n/index.ts';
import { h, sparkline } from './dom.ts';
import { clockTime, formatBytes, percent } from './format.ts';
import type { State } from './state.ts';
import { containerStatus, stackLevel, statusOf, worst, type Level, type Status } from './status.ts';

export type SortKey = 'name' | 'mem' | 'memPercent' | 'cpu' | 'state';
export interface ListOptions {
  sort: SortKey;
  descending: boolean;
  difyOnly: boolean;
}

function badge(status: Status): HTMLElement {
  return h(
    'span',
    { class: `badge ${status.level}` },
    h('span', { 'aria-hidden': 'true' }, status.icon),
    ` ${status.word}`,
  );
}

function hostBanner(state: State, host: string): HTMLElement | null {
  const hs = state.hosts.get(host);
  if (hs === undefined) return null;
  if (hs.state === 'up') {
    if (hs.warning === undefined) return null;
    return h(
      'div',
      { class: 'banner info', role: 'status', 'data-host-warning': host },
      `${host}: ${hs.warning}`,
    );
  }
  const seen = [...state.rows.values()].filter((r) => r.sample.host === host).map((r) => r.seenAt);
  const last = seen.length > 0 ? t('page:overview.lastData', { time: clockTime(Math.max(...seen)) }) : '';
  if (hs.state === 'connecting') {
    return h('div', { class: 'banner info', role: 'status' }, `${host}: ${hs.message}`);
  }
  if (hs.state === 'auth-failed' || hs.state === 'tls-failed') {
    // Retrying cannot fix a refused key or certificate, so the advice is about those, not about starting Docker.
    return h(
      'div',
      { class: 'banner error', role: 'alert', 'data-host-down': host, 'data-host-state': hs.state },
      h(
        'strong',
        {},
        t(hs.state === 'tls-failed' ? 'page:overview.tlsFailed' : 'page:overview.authFailed', { host }),
      ),
      hs.message,
      h('br'),
      t('page:overview.authAdvice', { host, last }),
    );
  }
  return h(
    'div',
    { class: 'banner error', role: 'alert', 'data-host-down': host },
    h('strong', {}, t('page:overview.down', { host })),
    `${hs.message}`,
    h('br'),
    t('page:overview.downAdvice', {
      endpoint: hs.endpoint,
      reason: hs.reason,
      retry:
        hs.retryInMs === undefined
          ? ''
          : t('page:overview.retry', { seconds: formatNumber(hs.retryInMs / 1000) }),
      last,
    }),
  );
}

function stackCards(state: State): HTMLElement {
  const groups = new Map<string, Sample[]>();
  for (const { sample } of state.rows.values()) {
    const id = `${sample.host}\u0000${sample.stack ?? ''}`;
    const list = groups.get(id) ?? [];
    list.push(sample);
    groups.set(id, list);
  }
  const cards = h('section', { class: 'cards', 'aria-label': t('page:overview.stacks') });
  for (const [id, samples] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const [host = '', stack = ''] = id.split('\u0000');
    const used = samples.reduce((sum, s) => sum + (s.memUsageBytes ?? 0), 0);
    const hostMem =
      state.hosts.get(host)?.memTotalBytes ??
      samples.find((s) => s.memLimitSource === 'host')?.memLimitBytes ??
      null;
    const allLimited = samples.every((s) => s.memLimitSource === 'container' && s.memLimitBytes !== null);
    const limits = allLimited ? samples.reduce((sum, s) => sum + (s.memLimitBytes ?? 0), 0) : null;
    const against = limits ?? hostMem;
    const statuses = samples.map((s) => containerStatus(s, state.verdict).level);
    const level: Level = stack === '' ? worst(statuses) : stackLevel(state.verdict, host, stack, statuses);
    const running = samples.filter((s) => s.state === 'running').length;
    const count = (l: Level): number => statuses.filter((x) => x === l).length;
    const share = against === null || against <= 0 ? null : (used / against) * 100;
    cards.append(
      h(
        'article',
        {
          class: `card ${level}`,
          'data-stack': stack || '(none)',
          'data-host': host,
          'data-used-bytes': used,
        },
        h(
          'h2',
          {},
          stack === ''
            ? t('page:overview.otherContainers', { host })
            : t('page:overview.stackOnHost', { stack, host }),
        ),
        badge(statusOf(level, level === 'ok' ? t('page:overview.allOk') : undefined)),
        h(
          'p',
          { class: 'big' },
          formatBytes(used),
          h(
            'span',
            { class: 'of' },
            against === null
              ? ''
              : t(limits === null ? 'page:overview.ofHost' : 'page:overview.ofLimits', {
                  total: formatBytes(against),
                }),
          ),
        ),
        share === null
          ? null
          : h('meter', {
              min: 0,
              max: 100,
              value: share.toFixed(1),
              'aria-label': t(limits === null ? 'page:overview.meterHost' : 'page:overview.meterLimits', {
                share: percent(share),
              }),
            }),
        h(
          'p',
          { class: 'counts' },
          t('page:overview.counts', {
            running,
            total: samples.length,
            warning: count('warning'),
            critical: count('critical'),
          }),
        ),
      ),
    );
  }
  return cards;
}

function sortValue(s: Sample, key: SortKey): number | string {
  switch (key) {
    case 'name':
      return s.name;
    case 'mem':
      return s.memUsageBytes ?? -1;
    case 'memPercent':
      return s.memPercent ?? -1;
    case 'cpu':
      return s.cpuPercent ?? -1;
    case 'state':
      return s.state;
  }
}

function limitText(s: Sample): string {
  if (s.memLimitBytes === null) return '–';
  return s.memLimitSource === 'host'
    ? t('page:overview.noLimit', { host: formatBytes(s.memLimitBytes) })
    : formatBytes(s.memLimitBytes);
}

function row(state: State, s: Sample, stale: boolean): HTMLTableRowElement {
  const status = containerStatus(s, state.verdict);
  const seenAt = state.rows.get(s.key)?.seenAt ?? s.ts;
  const kills = state.alerts.filter((a) => a.rule === 'oom-killed' && a.key === s.key).length;
  return h(
    'tr',
    {
      tabindex: 0,
      class: `row ${status.level}${stale ? ' stale' : ''}`,
      'data-key': s.key,
      'data-name': s.name,
      'data-role': s.role,
      'data-stack': s.stack ?? '',
      'data-state': s.state,
      'data-mem-bytes': s.memUsageBytes ?? '',
      'data-mem-limit': s.memLimitBytes ?? '',
      'data-mem-percent': s.memPercent ?? '',
      'data-cpu-percent': s.cpuPercent ?? '',
      'data-pids': s.pids ?? '',
      'aria-label': `${s.name}, ${status.word}`,
    },
    h('td', {}, badge(status)),
    h(
      'th',
      { scope: 'row' },
      h('a', { href: `#/c/${encodeURIComponent(s.key)}` }, s.name),
      h('div', { class: 'sub' }, s.stack ?? t('page:overview.notInStack')),
    ),
    h(
      'td',
      { 'data-col': 'trend' },
      sparkline(state.spark.get(s.key) ?? [], t('page:overview.trendOf', { name: s.name })),
    ),
    h(
      'td',
      { class: 'num' },
      s.memUsageBytes === null ? '–' : formatBytes(s.memUsageBytes),
      h('div', { class: 'sub' }, `/ ${limitText(s)}`),
    ),
    h('td', { class: 'num' }, percent(s.memPercent)),
    h('td', { class: 'num' }, percent(s.cpuPercent)),
    h(
      'td',
      { 'data-col': 'state' },
      t(`model:containerState.${s.state}`),
      s.health !== 'none' ? h('div', { class: 'sub' }, t(`model:health.${s.health}`)) : null,
      stale ? h('div', { class: 'sub' }, t('page:overview.lastSeen', { time: clockTime(seenAt) })) : null,
    ),
    h(
      'td',
      {},
      s.restartCount > 0
        ? h(
            'span',
            { class: 'pill', title: t('page:overview.restartsTitle') },
            t('page:overview.restarts', { n: s.restartCount }),
          )
        : null,
      kills > 0 || s.oomKilled
        ? h(
            'span',
            { class: 'pill critical', title: t('page:overview.oomTitle') },
            t('page:overview.oom', { n: Math.max(kills, 1) }),
          )
        : null,
    ),
  );
}

const HEADERS = [
  { head: 'status', key: null },
  { head: 'name', key: 'name' },
  { head: 'trend', key: null },
  { head: 'mem', key: 'mem' },
  { head: 'memPercent', key: 'memPercent' },
  { head: 'cpu', key: 'cpu' },
  { head: 'state', key: 'state' },
  { head: 'events', key: null },
] as const satisfies readonly { head: string; key: SortKey | null }[];

export function renderOverview(state: State, options: ListOptions, onChange: () => void): HTMLElement {
  const root = h('div', { class: 'overview' });
  const hosts = [...state.hosts.keys()].sort();
  for (const host of hosts) {
    const banner = hostBanner(state, host);
    if (banner !== null) root.append(banner);
  }
  const samples = [...state.rows.values()].map((r) => r.sample);
  const anyUp = [...state.hosts.values()].some((hs) => hs.state === 'up');
  if (samples.length === 0) {
    root.append(
      h('p', { class: 'empty' }, anyUp ? t('page:overview.noContainers') : t('page:overview.waiting')),
    );
    return root;
  }
  const hasStack = samples.some((s) => s.stack !== null);
  if (!hasStack) {
    root.append(
      h('div', { class: 'banner info', role: 'status', 'data-no-stack': 'true' }, t('page:overview.noStack')),
    );
  }
  root.append(stackCards(state));

  const filter = h(
    'fieldset',
    { class: 'filter' },
    h('legend', {}, t('page:overview.show')),
    ...[
      { value: true, label: t('page:overview.difyOnly') },
      { value: false, label: t('page:overview.all') },
    ].map(({ value, label }) => {
      const input = h('input', {
        type: 'radio',
        name: 'filter',
        value: String(value),
        checked: options.difyOnly === value,
        disabled: !hasStack,
      });
      input.addEventListener('change', () => {
        options.difyOnly = value;
        onChange();
      });
      return h('label', {}, input, ` ${label}`);
    }),
  );
  root.append(filter);

  const shown = hasStack && options.difyOnly ? samples.filter((s) => s.stack !== null) : samples;
  const direction = options.descending ? -1 : 1;
  shown.sort((a, b) => {
    const x = sortValue(a, options.sort);
    const y = sortValue(b, options.sort);
    return (x < y ? -1 : x > y ? 1 : 0) * direction || a.name.localeCompare(b.name);
  });
  const table = h('table', { class: 'containers' });
  const head = h('tr');
  for (const { head: name, key } of HEADERS) {
    const label = t(`page:overview.head.${name}`);
    if (key === null) {
      head.append(h('th', { scope: 'col', 'data-col': name }, label));
      continue;
    }
    const active = options.sort === key;
    const button = h(
      'button',
      { type: 'button', class: 'sort' },
      label,
      active ? (options.descending ? ' ▼' : ' ▲') : '',
    );
    button.addEventListener('click', () => {
      options.descending = active ? !options.descending : key !== 'name' && key !== 'state';
      options.sort = key;
      onChange();
    });
    head.append(
      h(
        'th',
        {
          scope: 'col',
          'data-col': name,
          'aria-sort': active ? (options.descending ? 'descending' : 'ascending') : 'none',
        },
        button,
      ),
    );
  }
  table.append(h('thead', {}, head));
  for (const role of ROLES) {
    const inRole = shown.filter((s) => s.role === role);
    if (inRole.length === 0) continue;
    const body = h('tbody', { 'data-role-group': role });
    body.append(h('tr', { class: 'group' }, h('th', { colspan: HEADERS.length, scope: 'rowgroup' }, role)));
    for (const s of inRole) {
      const hs = state.hosts.get(s.host);
      body.append(row(state, s, hs !== undefined && hs.state !== 'up'));
    }
    table.append(body);
  }
  root.append(table);
  return root;
}
