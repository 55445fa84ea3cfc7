/**
 * The stack-memory rule: one condition per Dify stack of a host, judged on the sum of its
 * containers' memory against the host's (see `stack.ts`).
 */
import type { Sample } from '../model.ts';
import { type Condition, newCondition, reset, step } from './noise.ts';
import { type AlertFields, severityOf } from './notice.ts';
import { stackMessage, stackTotals } from './stack.ts';
import { levelAfter } from './threshold.ts';
import type { ActiveAlert, AlertSettings } from './types.ts';

/** A stack not in its host's rounds this long is gone; its state is dropped. */
const FORGET_AFTER_MS = 10 * 60_000;

interface StackState {
  readonly host: string;
  readonly stack: string;
  readonly condition: Condition;
  lastSeen: number;
}

export class StackMemory {
  readonly #stacks = new Map<string, StackState>();

  /** One round of one host; `hostBytes` null when the host's memory is not known. */
  judge(
    host: string,
    samples: readonly Sample[],
    hostBytes: number | null,
    settings: AlertSettings,
    now: number,
  ): AlertFields[] {
    const out: AlertFields[] = [];
    const seen = new Set<string>();
    if (hostBytes !== null) {
      for (const total of stackTotals(samples.filter((s) => s.host === host))) {
        const key = `${host}/${total.stack}`;
        seen.add(key);
        const state = this.#state(key, host, total.stack);
        state.lastSeen = now;
        const level = levelAfter(state.condition.level, (total.usedBytes / hostBytes) * 100, settings.stack);
        const message = stackMessage(total.stack, total.usedBytes, hostBytes);
        const fields = {
          host,
          stack: total.stack,
          name: total.stack,
          role: null,
          key,
          valueBytes: total.usedBytes,
          limitBytes: hostBytes,
          etaSeconds: null,
        };
        switch (step(state.condition, level, now, settings.cooldownMs)) {
          case 'raise':
            out.push({ ...fields, severity: severityOf(level), rule: 'stack-memory', message });
            break;
          case 'recover':
            out.push({
              ...fields,
              severity: 'info',
              rule: 'recovered',
              message: `${message}: back to normal`,
            });
            break;
        }
      }
    }
    for (const [key, state] of this.#stacks) {
      if (state.host !== host || seen.has(key)) continue;
      // No reading for the stack in this round (stopped, or host memory unknown): nothing to judge.
      reset(state.condition);
      if (now - state.lastSeen > FORGET_AFTER_MS) this.#stacks.delete(key);
    }
    return out;
  }

  active(): ActiveAlert[] {
    const out: ActiveAlert[] = [];
    for (const [key, s] of this.#stacks) {
      if (s.condition.level === 'none') continue;
      const severity = severityOf(s.condition.level);
      out.push({
        rule: 'stack-memory',
        severity,
        host: s.host,
        stack: s.stack,
        name: s.stack,
        key,
        etaSeconds: null,
      });
    }
    return out;
  }

  forgetHost(host: string): void {
    for (const [key, s] of this.#stacks) if (s.host === host) this.#stacks.delete(key);
  }

  #state(key: string, host: string, stack: string): StackState {
    let state = this.#stacks.get(key);
    if (state === undefined) {
      state = { host, stack, condition: newCondition(), lastSeen: -Infinity };
      this.#stacks.set(key, state);
    }
    return state;
  }
}
