/**
 * The tray's context menu as data: what it lists follows the monitor's state, and every item
 * calls one of the actions it is handed. Electron builds it with `Menu.buildFromTemplate`.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { Alert } from '../src/alerts/types.ts';
import type { HostState } from '../src/model.ts';
import { alertText } from '../src/alerts/alert-text.ts';
import { t } from '../src/i18n/index.ts';
import { clockTime, type Level } from './tray-state.ts';

export interface MenuInput {
  readonly hosts: readonly HostState[];
  /** Per container, stack or host key, what is wrong there now (from `summarize`). */
  readonly levels: ReadonlyMap<string, Level>;
  /** The alert log, newest first. */
  readonly alerts: readonly Alert[];
  readonly mutedUntil: number | null;
  readonly paused: boolean;
  readonly startAtLogin: boolean;
  /** Why desktop notifications fail or go another way (`AppNotifier.problem`); null while they work. */
  readonly notificationProblem: string | null;
}

export interface MenuActions {
  openDashboard(): void;
  openContainer(key: string): void;
  muteFor(ms: number): void;
  muteUntilTomorrow(): void;
  unmute(): void;
  setPaused(paused: boolean): void;
  openSettings(): void;
  setStartAtLogin(enabled: boolean): void;
  quit(): void;
}

export const LAST_ALERTS_SHOWN = 5;
const LABEL_MAX = 70;
const HOUR_MS = 3_600_000;

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= LABEL_MAX ? line : `${line.slice(0, LABEL_MAX - 1)}…`;
}

/** Lines of at most LABEL_MAX characters, broken between words. */
export function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    if (line !== '' && line.length + 1 + word.length > LABEL_MAX) {
      lines.push(line);
      line = '';
    }
    line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(clip(line));
  return lines.map(clip);
}

/** The worst level of anything on a host: its containers' and stacks' keys start with the host's name. */
export function hostLevel(host: string, levels: ReadonlyMap<string, Level>): Level | null {
  let worst: Level | null = null;
  for (const [key, level] of levels) {
    if (key !== host && !key.startsWith(`${host}/`)) continue;
    if (level === 'critical') return 'critical';
    worst = level;
  }
  return worst;
}

function hostStateWords(state: HostState, levels: ReadonlyMap<string, Level>): string {
  if (state.state === 'down') return t('tray:host.down');
  if (state.state === 'auth-failed') return t('tray:host.authFailed');
  if (state.state === 'tls-failed') return t('tray:host.tlsFailed');
  if (state.state === 'connecting') return t('tray:host.connecting');
  const level = hostLevel(state.host, levels);
  return level === null ? t('tray:host.ok') : t(`tray:host.${level}`);
}

function hostLabel(state: HostState, levels: ReadonlyMap<string, Level>): string {
  return t('tray:host.line', { host: state.host, state: hostStateWords(state, levels) });
}

export function trayMenuTemplate(input: MenuInput, actions: MenuActions): MenuItemConstructorOptions[] {
  const hosts: MenuItemConstructorOptions[] =
    input.hosts.length === 0
      ? [{ label: t('tray:menu.noEngine'), enabled: false }]
      : input.hosts.map((h) => ({
          label: clip(hostLabel(h, input.levels)),
          click: () => actions.openDashboard(),
        }));

  const recent = input.alerts.slice(0, LAST_ALERTS_SHOWN);
  const alerts: MenuItemConstructorOptions[] =
    recent.length === 0
      ? [{ label: t('tray:menu.noAlerts'), enabled: false }]
      : recent.map((a) => ({
          label: clip(`${clockTime(a.ts)}  ${alertText(a)}`),
          // Stack and host alerts have no container page to open.
          click: () =>
            a.role !== null && a.key !== undefined ? actions.openContainer(a.key) : actions.openDashboard(),
        }));

  // An alert that cannot be shown must leave a trace where the user looks; the reason in full.
  const problem: MenuItemConstructorOptions[] =
    input.notificationProblem === null
      ? []
      : [
          {
            label: t('tray:menu.notificationsFailing'),
            submenu: wrap(input.notificationProblem).map((line) => ({ label: line, enabled: false })),
          },
        ];

  const mute: MenuItemConstructorOptions[] = [
    { label: t('tray:menu.muteHour'), click: () => actions.muteFor(HOUR_MS) },
    { label: t('tray:menu.muteTomorrow'), click: () => actions.muteUntilTomorrow() },
  ];
  if (input.mutedUntil !== null) {
    mute.unshift({
      label: t('tray:menu.unmute', { time: clockTime(input.mutedUntil) }),
      click: () => actions.unmute(),
    });
  }

  return [
    { label: t('tray:menu.openDashboard'), click: () => actions.openDashboard() },
    { type: 'separator' },
    { label: t('tray:menu.hosts'), enabled: false },
    ...hosts,
    { type: 'separator' },
    { label: t('tray:menu.lastAlerts'), enabled: false },
    ...alerts,
    ...problem,
    { type: 'separator' },
    ...mute,
    {
      label: t('tray:menu.pause'),
      type: 'checkbox',
      checked: input.paused,
      click: () => actions.setPaused(!input.paused),
    },
    { type: 'separator' },
    { label: t('tray:menu.settings'), click: () => actions.openSettings() },
    {
      label: t('tray:menu.startAtLogin'),
      type: 'checkbox',
      checked: input.startAtLogin,
      click: () => actions.setStartAtLogin(!input.startAtLogin),
    },
    { type: 'separator' },
    { label: t('tray:menu.quit'), click: () => actions.quit() },
  ];
}
