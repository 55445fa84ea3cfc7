/** The landing view: one card per host and stack, then every container grouped by role. */
import { ROLES, type Sample } from '../src/model.ts';
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
  const last = seen.length > 0 ? ` Last data from ${clockTime(Math.max(...seen))} is shown greyed.` : '';
  if (hs.state === 'connecting') {
    return h('div', { class: 'banner info', role: 'status' }, `${host}: ${hs.message}`);
  }
  if (hs.state === 'auth-failed' || hs.state === 'tls-failed') {
    // Retrying cannot fix a refused key or certificate, so the advice is about those, not about starting Docker.
    return h(
      'div',
      { class: 'banner error', role: 'alert', 'data-host-down': host, 'data-host-state': hs.state },
      h('strong', {}, `${hs.state === 'tls-failed' ? 'TLS' : 'Authentication'} with ${host} failed. `),
      hs.message,
      h('br'),
      `Fix the certificate, key or known_hosts entry, then test it with dify-monitor hosts test ${host}.${last}`,
    );
  }
  return h(
    'div',
    { class: 'banner error', role: 'alert', 'data-host-down': host },
    h('strong', {}, `Docker on ${host} is not reachable. `),
    `${hs.message}`,
    h('br'),
    `Looked at ${hs.endpoint} (${hs.reason}). Start Docker or point DOCKER_HOST at it; this page reconnects by itself${
      hs.retryInMs === undefined ? '' : ` (next try in ${Math.round(hs.retryInMs / 1000)} s)`
    }.${last}`,
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
  const cards = h('section', { class: 'cards', 'aria-label': 'Stacks' });
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
        h('h2', {}, stack === '' ? `Other containers · ${host}` : `${stack} · ${host}`),
        badge(statusOf(level, level === 'ok' ? 'All OK' : undefined)),
        h(
          'p',
          { class: 'big' },
          formatBytes(used),
          h(
            'span',
            { class: 'of' },
            against === null
              ? ''
              : ` of ${formatBytes(against)} ${limits === null ? 'host memory' : 'in limits'}`,
          ),
        ),
        share === null
          ? null
          : h('meter', {
              min: 0,
              max: 100,
              value: share.toFixed(1),
              'aria-label': `${percent(share)} of ${limits === null ? 'host memory' : 'the limits'}`,
            }),
        h(
          'p',
          { class: 'counts' },
          `${running} of ${samples.length} running · ${count('warning')} warning · ${count('critical')} critical`,
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
    ? `no limit, host memory ${formatBytes(s.memLimitBytes)}`
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
      h('div', { class: 'sub' }, s.stack ?? 'not in a Dify stack'),
    ),
    h('td', {}, sparkline(state.spark.get(s.key) ?? [], `memory trend of ${s.name}`)),
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
      {},
      s.state,
      s.health !== 'none' ? h('div', { class: 'sub' }, s.health) : null,
      stale ? h('div', { class: 'sub' }, `last seen ${clockTime(seenAt)}`) : null,
    ),
    h(
      'td',
      {},
      s.restartCount > 0
        ? h('span', { class: 'pill', title: 'restarts' }, `↻ ${s.restartCount} restarts`)
        : null,
      kills > 0 || s.oomKilled
        ? h('span', { class: 'pill critical', title: 'OOM kills' }, `✖ ${Math.max(kills, 1)} OOM`)
        : null,
    ),
  );
}

const HEADERS: readonly { label: string; key: SortKey | null }[] = [
  { label: 'Status', key: null },
  { label: 'Name', key: 'name' },
  { label: 'Trend', key: null },
  { label: 'MEM used / limit', key: 'mem' },
  { label: 'MEM %', key: 'memPercent' },
  { label: 'CPU %', key: 'cpu' },
  { label: 'State', key: 'state' },
  { label: 'Events', key: null },
];

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
      h(
        'p',
        { class: 'empty' },
        anyUp ? 'No containers are running on the watched engines.' : 'Waiting for Docker…',
      ),
    );
    return root;
  }
  const hasStack = samples.some((s) => s.stack !== null);
  if (!hasStack) {
    root.append(
      h(
        'div',
        { class: 'banner info', role: 'status', 'data-no-stack': 'true' },
        'No Dify stack found, so every container is shown. A Dify stack is a Docker Compose project that runs a langgenius/dify-* image; start Dify with docker compose up -d in its docker/ directory.',
      ),
    );
  }
  root.append(stackCards(state));

  const filter = h(
    'fieldset',
    { class: 'filter' },
    h('legend', {}, 'Show'),
    ...[
      { value: true, label: 'Dify only' },
      { value: false, label: 'All containers' },
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
  for (const { label, key } of HEADERS) {
    if (key === null) {
      head.append(h('th', { scope: 'col' }, label));
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
        { scope: 'col', 'aria-sort': active ? (options.descending ? 'descending' : 'ascending') : 'none' },
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
