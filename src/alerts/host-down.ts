/** One host-down per outage of an engine, whatever its reconnect attempts; host-up only after one. */
import type { HostState } from '../model.ts';
import { hostReachable } from './events.ts';
import { type Condition, newCondition, step } from './noise.ts';
import type { AlertFields } from './notice.ts';
import type { ActiveAlert } from './types.ts';

export class HostReachability {
  readonly #hosts = new Map<string, Condition>();

  judge(state: HostState, cooldownMs: number, now: number): AlertFields | null {
    const reachable = hostReachable(state);
    if (reachable === null) return null;
    let condition = this.#hosts.get(state.host);
    if (condition === undefined) {
      condition = newCondition();
      this.#hosts.set(state.host, condition);
    }
    const base = {
      host: state.host,
      stack: null,
      name: state.host,
      role: null,
      key: state.host,
      valueBytes: null,
      limitBytes: null,
      etaSeconds: null,
    };
    switch (step(condition, reachable ? 'none' : 'warning', now, cooldownMs)) {
      case 'raise':
        return {
          ...base,
          severity: 'warning',
          rule: 'host-down',
          message: `Docker on ${state.host} is unreachable: ${state.message}`,
        };
      case 'recover':
        return {
          ...base,
          severity: 'info',
          rule: 'host-up',
          message: `Docker on ${state.host} is reachable again`,
        };
      default:
        return null;
    }
  }

  active(): ActiveAlert[] {
    const out: ActiveAlert[] = [];
    for (const [host, condition] of this.#hosts) {
      if (condition.level === 'none') continue;
      out.push({
        rule: 'host-down',
        severity: 'warning',
        host,
        stack: null,
        name: host,
        key: host,
        etaSeconds: null,
      });
    }
    return out;
  }

  forget(host: string): void {
    this.#hosts.delete(host);
  }
}
