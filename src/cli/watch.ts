import type { Verdict } from '../alerts/verdict.ts';
import type { Alert } from '../alerts/types.ts';
import type { HostState, Round, Sample } from '../model.ts';
import type { MonitorService } from '../service/monitor.ts';
import { t } from '../i18n/index.ts';
import { inPlaceFrame, type TerminalSize } from '../util/terminal-frame.ts';
import { renderTable, type SortKey } from './table.ts';

export interface WatchOutput {
  write(text: string): void;
  error(text: string): void;
  /** True when stdout is a terminal, so the live table may redraw in place. */
  readonly interactive: boolean;
  /** Whether warning and critical rows may be coloured (a terminal, and no NO_COLOR). */
  readonly color: boolean;
  /** The terminal's size now; null when stdout is not one. */
  size(): TerminalSize | null;
  /** Calls `listener` when the terminal is resized; returns the way to stop. */
  onResize(listener: () => void): () => void;
}

export interface WatchOptions {
  readonly json: boolean;
  readonly once: boolean;
  readonly sort: SortKey;
  /** Every column and every name in full, even if lines wrap. */
  readonly noTrunc: boolean;
}

/** Alerts listed under the live table. */
const TABLE_ALERTS = 5;

/**
 * Enough rounds for every running container to have two readings, so CPU % is known; an engine
 * stream sends its first pair about 2 s after it opens.
 */
const ONCE_MAX_ROUNDS = 6;

function jsonLine(value: object): string {
  return `${JSON.stringify(value)}\n`;
}

function complete(round: Round): boolean {
  return round.samples.every(
    (s: Sample) => s.state !== 'running' || (s.cpuPercent !== null && s.memUsageBytes !== null),
  );
}

/**
 * Shows a running monitor in a terminal for the `watch` command and resolves with the exit code:
 * 0 after `--once`, 2 when no engine can be reached at start (or, with `--once`, any one).
 * `hosts` are the engines it watches: `--once` ends when each has had its complete round.
 */
export function runWatch(
  service: MonitorService,
  hosts: readonly string[],
  options: WatchOptions,
  out: WatchOutput,
): Promise<number> {
  return new Promise((resolve) => {
    const latest = new Map<string, Round>();
    const states = new Map<string, HostState>();
    const onceRounds = new Map<string, number>();
    const onceDone = new Set<string>();
    const everUp = new Set<string>();
    /** Hosts that failed before their first round; with --once they count as settled, and mean exit 2. */
    const failedAtStart = new Set<string>();
    const warned = new Set<string>();
    const recentAlerts: Alert[] = [];
    let verdict: Verdict = service.current().verdict;
    let finished = false;
    const stops: (() => void)[] = [];

    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      for (const stop of stops) stop();
      void service.stop().then(() => resolve(code));
    };

    const finishOnceIfSettled = (): void => {
      const failed = [...failedAtStart].filter((host) => !onceDone.has(host)).length;
      if (onceDone.size + failed < hosts.length) return;
      if (!options.json) redraw();
      finish(failed > 0 ? 2 : 0);
    };

    /** In place on a terminal while watching; otherwise each table whole, then a blank line. */
    const live = out.interactive && !options.once;
    const redraw = (): void => {
      if (options.json) return;
      const size = out.size();
      const lines = renderTable([...latest.values()], [...states.values()], verdict, recentAlerts, {
        sort: options.sort,
        width: options.noTrunc ? null : (size?.columns ?? null),
        color: out.color,
      });
      out.write(live && size !== null ? inPlaceFrame(lines, size) : `${lines.join('\n')}\n\n`);
    };

    const onHost = (state: HostState): void => {
      states.set(state.host, state);
      if (options.json) out.write(jsonLine(state));
      if (state.warning !== undefined && !warned.has(state.host)) {
        warned.add(state.host);
        out.error(`${t('cli:watch.warning', { host: state.host, warning: state.warning })}\n`);
      }
      if (state.state === 'up') {
        everUp.add(state.host);
        failedAtStart.delete(state.host);
      }
      if (state.state !== 'up' && state.state !== 'connecting') {
        const firstFailure = !everUp.has(state.host) && !failedAtStart.has(state.host);
        if (!everUp.has(state.host)) failedAtStart.add(state.host);
        // One host that cannot be reached must not take the others down with it.
        if (failedAtStart.size === hosts.length) {
          out.error(`${state.message}\n`);
          finish(2);
          return;
        }
        if (options.once) finishOnceIfSettled();
        if (!options.json || firstFailure)
          out.error(
            `${t('cli:watch.retrying', { host: state.host, message: state.message, seconds: Math.round((state.retryInMs ?? 0) / 1000) })}\n`,
          );
      }
      if (!options.json && state.state === 'up' && !options.once)
        out.error(`${state.host}: ${state.message}\n`);
    };

    const onRound = (round: Round): void => {
      if (options.once) {
        if (onceDone.has(round.host)) return;
        const seen = (onceRounds.get(round.host) ?? 0) + 1;
        onceRounds.set(round.host, seen);
        if (!complete(round) && seen < ONCE_MAX_ROUNDS) return;
        onceDone.add(round.host);
      }
      latest.set(round.host, round);
      if (options.json) {
        for (const sample of round.samples) out.write(jsonLine(sample));
        const { host, ts, fresh, running, durationMs } = round;
        out.write(jsonLine({ type: 'round', host, ts, fresh, running, durationMs }));
      }
      if (!options.json && !options.once) redraw();
      // The service raises a round's alerts right after it; the once exit waits for them.
      if (options.once) queueMicrotask(finishOnceIfSettled);
    };

    stops.push(
      service.on('monitor:host', onHost),
      service.on('monitor:round', onRound),
      service.on('monitor:event', (event) => {
        if (options.json && !options.once) out.write(jsonLine(event));
      }),
      // After the round's samples, so that a reader has the numbers an alert speaks of.
      service.on('monitor:alert', (alert) => {
        if (finished) return;
        if (options.json) out.write(jsonLine(alert));
        recentAlerts.unshift(alert);
        recentAlerts.length = Math.min(recentAlerts.length, TABLE_ALERTS);
      }),
      service.on('monitor:verdict', (next) => {
        verdict = next;
      }),
      out.onResize(() => {
        if (live && latest.size > 0) redraw();
      }),
    );
    for (const state of service.current().hosts) if (state.state !== 'connecting') onHost(state);
  });
}
