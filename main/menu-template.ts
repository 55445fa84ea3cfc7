/**
 * The tray's context menu as data: what it lists follows the monitor's state, and every item
 * calls one of the actions it is handed. Electron builds it with `Menu.buildFromTemplate`.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { Alert } from '../src/alerts/types.ts';
import type { HostState } from '../src/model.ts';
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

function hostLabel(state: HostState, levels: ReadonlyMap<string, Level>): string {
  if (state.state === 'down') return `${state.host}: unreachable`;
  if (state.state === 'auth-failed') return `${state.host}: authentication failed`;
  if (state.state === 'tls-failed') return `${state.host}: TLS failed`;
  if (state.state === 'connecting') return `${state.host}: connecting…`;
  const level = hostLevel(state.host, levels);
  return `${state.host}: ${level === null ? 'OK' : level}`;
}

export function trayMenuTemplate(input: MenuInput, actions: MenuActions): MenuItemConstructorOptions[] {
  const hosts: MenuItemConstructorOptions[] =
    input.hosts.length === 0
      ? [{ label: 'No Docker engine yet', enabled: false }]
      : input.hosts.map((h) => ({
          label: clip(hostLabel(h, input.levels)),
          click: () => actions.openDashboard(),
        }));

  const recent = input.alerts.slice(0, LAST_ALERTS_SHOWN);
  const alerts: MenuItemConstructorOptions[] =
    recent.length === 0
      ? [{ label: 'No alerts', enabled: false }]
      : recent.map((a) => ({
          label: clip(`${clockTime(a.ts)}  ${a.message}`),
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
            label: 'Notifications are failing',
            submenu: wrap(input.notificationProblem).map((line) => ({ label: line, enabled: false })),
          },
        ];

  const mute: MenuItemConstructorOptions[] = [
    { label: 'Mute for 1 hour', click: () => actions.muteFor(HOUR_MS) },
    { label: 'Mute until tomorrow', click: () => actions.muteUntilTomorrow() },
  ];
  if (input.mutedUntil !== null) {
    mute.unshift({
      label: `Unmute (muted until ${clockTime(input.mutedUntil)})`,
      click: () => actions.unmute(),
    });
  }

  return [
    { label: 'Open dashboard', click: () => actions.openDashboard() },
    { type: 'separator' },
    { label: 'Hosts', enabled: false },
    ...hosts,
    { type: 'separator' },
    { label: 'Last alerts', enabled: false },
    ...alerts,
    ...problem,
    { type: 'separator' },
    ...mute,
    {
      label: 'Pause monitoring',
      type: 'checkbox',
      checked: input.paused,
      click: () => actions.setPaused(!input.paused),
    },
    { type: 'separator' },
    { label: 'Settings…', click: () => actions.openSettings() },
    {
      label: 'Start at login',
      type: 'checkbox',
      checked: input.startAtLogin,
      click: () => actions.setStartAtLogin(!input.startAtLogin),
    },
    { type: 'separator' },
    { label: 'Quit Dify Monitor', click: () => actions.quit() },
  ];
}
