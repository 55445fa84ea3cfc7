/** The alert log, newest first, with the OOM snapshot and mute/snooze controls. */
import { alertText } from '../src/alerts/alert-text.ts';
import type { Alert } from '../src/alerts/types.ts';
import type { DifyMonitorApi, MuteRequest } from '../src/api.ts';
import { t } from '../src/i18n/index.ts';
import { h } from './dom.ts';
import { dateTime, formatBytes, ruleName } from './format.ts';
import type { State } from './state.ts';
import { statusOf, type Status } from './status.ts';

const SHOWN = 200;

function severity(alert: Alert): Status {
  if (alert.severity === 'critical') return statusOf('critical');
  if (alert.severity === 'warning') return statusOf('warning');
  return { level: 'ok', icon: 'ℹ', word: t('page:status.info') };
}

export function renderAlerts(
  api: DifyMonitorApi,
  state: State,
  onError: (message: string) => void,
): HTMLElement {
  const mute = (request: MuteRequest): void => {
    api.invoke('alerts:mute', request).catch((error: unknown) => onError((error as Error).message));
  };
  const control = (label: string, request: MuteRequest): HTMLButtonElement => {
    const button = h('button', { type: 'button' }, label);
    button.addEventListener('click', () => mute(request));
    return button;
  };
  const muted = state.settings.alerts.mutedKeys;
  const root = h(
    'div',
    { class: 'alerts' },
    h('h2', {}, t('page:alerts.title')),
    h(
      'div',
      { class: 'controls', role: 'group', 'aria-label': t('page:alerts.mute') },
      control(t('page:alerts.muteHour'), { scope: 'all', forMs: 3_600_000 }),
      control(t('page:alerts.snooze'), { scope: 'all', until: 'tomorrow' }),
      control(t('page:alerts.unmuteAll'), { scope: 'none' }),
      h(
        'span',
        { class: 'sub', role: 'status' },
        state.mutedUntil === null
          ? t('page:alerts.on')
          : t('page:alerts.mutedUntil', { when: dateTime(state.mutedUntil) }),
        muted.length > 0 ? t('page:alerts.mutedContainers', { names: muted.join(', ') }) : '',
      ),
    ),
  );
  if (state.alerts.length === 0) {
    root.append(h('p', { class: 'empty' }, t('page:alerts.none')));
    return root;
  }
  const list = h('ol', { class: 'alert-list' });
  for (const alert of state.alerts.slice(0, SHOWN)) {
    const s = severity(alert);
    const key = alert.key;
    const isMuted = key !== undefined && muted.includes(key);
    list.append(
      h(
        'li',
        { class: `alert ${s.level}`, 'data-rule': alert.rule, 'data-key': key ?? '', tabindex: 0 },
        h('span', { class: `badge ${s.level}` }, h('span', { 'aria-hidden': 'true' }, s.icon), ` ${s.word}`),
        h('time', { datetime: new Date(alert.ts).toISOString() }, dateTime(alert.ts)),
        h('strong', {}, alert.name),
        h('span', { class: 'rule' }, ruleName(alert.rule)),
        alert.muted === true ? h('span', { class: 'pill' }, t('page:alerts.muted')) : null,
        h('p', { class: 'message' }, alertText(alert)),
        alert.snapshot !== undefined && alert.snapshot.length > 0
          ? h(
              'table',
              { class: 'snapshot' },
              h('caption', {}, t('page:alerts.snapshot')),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col' }, t('page:alerts.container')),
                  h('th', { scope: 'col' }, t('page:alerts.role')),
                  h('th', { scope: 'col' }, t('page:alerts.memory')),
                ),
              ),
              h(
                'tbody',
                {},
                ...alert.snapshot.map((e) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, e.name),
                    h('td', {}, e.role),
                    h('td', { class: 'num' }, formatBytes(e.memUsageBytes)),
                  ),
                ),
              ),
            )
          : null,
        key !== undefined && alert.role !== null
          ? control(t(isMuted ? 'page:alerts.unmuteOne' : 'page:alerts.muteOne', { name: alert.name }), {
              scope: 'container',
              key,
              muted: !isMuted,
            })
          : null,
      ),
    );
  }
  root.append(list);
  return root;
}
