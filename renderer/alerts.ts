/** The alert log, newest first, with the OOM snapshot and mute/snooze controls. */
import type { Alert } from '../src/alerts/types.ts';
import type { DifyMonitorApi, MuteRequest } from '../src/api.ts';
import { h } from './dom.ts';
import { dateTime, formatBytes } from './format.ts';
import type { State } from './state.ts';
import { statusOf, type Status } from './status.ts';

const SHOWN = 200;

function severity(alert: Alert): Status {
  if (alert.severity === 'critical') return statusOf('critical');
  if (alert.severity === 'warning') return statusOf('warning');
  return { level: 'ok', icon: 'ℹ', word: 'Info' };
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
    h('h2', {}, 'Alerts'),
    h(
      'div',
      { class: 'controls', role: 'group', 'aria-label': 'Mute notifications' },
      control('Mute all for 1 h', { scope: 'all', forMs: 3_600_000 }),
      control('Snooze until tomorrow', { scope: 'all', until: 'tomorrow' }),
      control('Unmute everything', { scope: 'none' }),
      h(
        'span',
        { class: 'sub', role: 'status' },
        state.mutedUntil === null ? 'Notifications are on.' : `Muted until ${dateTime(state.mutedUntil)}.`,
        muted.length > 0 ? ` Muted containers: ${muted.join(', ')}.` : '',
      ),
    ),
  );
  if (state.alerts.length === 0) {
    root.append(h('p', { class: 'empty' }, 'No alerts yet.'));
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
        h('span', { class: 'rule' }, alert.rule),
        alert.muted === true ? h('span', { class: 'pill' }, 'muted') : null,
        h('p', { class: 'message' }, alert.message),
        alert.snapshot !== undefined && alert.snapshot.length > 0
          ? h(
              'table',
              { class: 'snapshot' },
              h('caption', {}, 'Memory held in the stack just before the kill'),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col' }, 'Container'),
                  h('th', { scope: 'col' }, 'Role'),
                  h('th', { scope: 'col' }, 'Memory'),
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
          ? control(isMuted ? `Unmute ${alert.name}` : `Mute ${alert.name}`, {
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
