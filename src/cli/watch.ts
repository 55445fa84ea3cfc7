import type { HostState, Sample } from '../model.ts';
import type { Collector, Round } from '../collect/collector.ts';
import type { AlertEngine } from '../alerts/engine.ts';
import type { Alert } from '../alerts/types.ts';
import { renderTable } from './table.ts';

export interface WatchOutput {
  write(text: string): void;
  error(text: string): void;
  /** True when stdout is a terminal, so the live table may redraw in place. */
  readonly interactive: boolean;
}

export interface WatchOptions {
  readonly json: boolean;
  readonly once: boolean;
  /** Rules run on every round, event and host change; the alerts each one raises go to `onAlerts` too. */
  readonly alerts?: { readonly engine: AlertEngine; onAlerts(alerts: readonly Alert[]): void };
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
 * Drives the collectors for the `watch` command and resolves with the exit code:
 * 0 after `--once`, 2 when no engine can be reached at start (or, with `--once`, any one).
 */
export function runWatch(
  collectors: readonly Collector[],
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
    let finished = false;

    const raise = (alerts: readonly Alert[]): void => {
      for (const alert of alerts) {
        if (options.json) out.write(jsonLine(alert));
        recentAlerts.unshift(alert);
        recentAlerts.length = Math.min(recentAlerts.length, TABLE_ALERTS);
      }
      if (alerts.length > 0) options.alerts?.onAlerts(alerts);
    };

    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      for (const collector of collectors) collector.stop();
      resolve(code);
    };

    const finishOnceIfSettled = (): void => {
      const failed = [...failedAtStart].filter((host) => !onceDone.has(host)).length;
      if (onceDone.size + failed < collectors.length) return;
      if (!options.json) redraw();
      finish(failed > 0 ? 2 : 0);
    };

    const redraw = (): void => {
      if (options.json) return;
      const table = renderTable([...latest.values()], [...states.values()], recentAlerts);
      out.write(out.interactive ? `\x1b[H\x1b[2J${table}\n` : `${table}\n\n`);
    };

    for (const collector of collectors) {
      collector.on({
        host(state) {
          states.set(state.host, state);
          if (options.json) out.write(jsonLine(state));
          raise(options.alerts?.engine.onHost(state) ?? []);
          if (state.warning !== undefined && !warned.has(state.host)) {
            warned.add(state.host);
            out.error(`${state.host}: warning: ${state.warning}\n`);
          }
          if (state.state === 'up') {
            everUp.add(state.host);
            failedAtStart.delete(state.host);
          }
          if (state.state !== 'up' && state.state !== 'connecting') {
            const firstFailure = !everUp.has(state.host) && !failedAtStart.has(state.host);
            if (!everUp.has(state.host)) failedAtStart.add(state.host);
            // One host that cannot be reached must not take the others down with it.
            if (failedAtStart.size === collectors.length) {
              out.error(`${state.message}\n`);
              finish(2);
              return;
            }
            if (options.once) finishOnceIfSettled();
            if (!options.json || firstFailure)
              out.error(
                `${state.host}: ${state.message} (retrying in ${Math.round((state.retryInMs ?? 0) / 1000)} s)\n`,
              );
          }
          if (!options.json && state.state === 'up' && !options.once)
            out.error(`${state.host}: ${state.message}\n`);
        },
        event(event) {
          if (options.json && !options.once) out.write(jsonLine(event));
          raise(options.alerts?.engine.onEvent(event) ?? []);
        },
        round(round) {
          const alerts = options.alerts?.engine.onRound(round.host, round.samples) ?? [];
          if (options.once) {
            if (onceDone.has(round.host)) return;
            const seen = (onceRounds.get(round.host) ?? 0) + 1;
            onceRounds.set(round.host, seen);
            if (!complete(round) && seen < ONCE_MAX_ROUNDS) {
              raise(alerts);
              return;
            }
            onceDone.add(round.host);
          }
          latest.set(round.host, round);
          if (options.json) {
            for (const sample of round.samples) out.write(jsonLine(sample));
            const { host, ts, fresh, running, durationMs } = round;
            out.write(jsonLine({ type: 'round', host, ts, fresh, running, durationMs }));
          }
          // After the samples, so that a reader has the numbers an alert speaks of.
          raise(alerts);
          if (!options.json && !options.once) redraw();
          if (options.once) finishOnceIfSettled();
        },
      });
    }
    for (const collector of collectors) collector.start();
  });
}
