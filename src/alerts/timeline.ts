/**
 * Timeline entries from what the monitor already sees: alerts (an OOM kill keeps the time of
 * its kill), restarts and deploys from events and rounds, engine down and up from host states.
 * Pure over its inputs; the service adds the monitor's own starts and sleeps and keeps them.
 */
import type { ContainerEvent, HostState, Round, Sample } from '../model.ts';
import type { TimelineEntry, TimelineKind, TimelineSeverity } from '../history/timeline-entry.ts';
import { t } from '../i18n/index.ts';
import type { Alert } from './types.ts';

/** What the timeline remembers of a container between rounds, and across restarts of the app. */
export interface KnownContainer {
  readonly id: string;
  readonly image: string;
  readonly restartCount: number;
  readonly name: string;
}

/** An oom or a die with exit 137 this long before the OOM alert is the kill it is about: after a sleep, the events of the time away come late. */
const KILL_LOOKBACK_MS = 15 * 60_000;
const SIGKILL_EXIT = 137;

/** Alerts the engine entries already tell: a host-down alert is the engine-down entry. */
const TOLD_BY_HOST = new Set(['host-down', 'host-up']);
const KILL_RULES = new Set(['oom-killed', 'killed']);

export function entry(
  fields: Pick<TimelineEntry, 'ts' | 'kind' | 'severity' | 'text'> & Partial<TimelineEntry>,
): TimelineEntry {
  return { host: null, stack: null, key: null, name: null, rule: null, untilTs: null, ...fields };
}

function ofSample(s: Sample, kind: TimelineKind, severity: TimelineSeverity, text: string): TimelineEntry {
  return entry({ ts: s.ts, host: s.host, stack: s.stack, key: s.key, name: s.name, kind, severity, text });
}

export class TimelineDeriver {
  readonly #known: Map<string, KnownContainer>;
  readonly #hostUp = new Map<string, boolean>();
  /** The last kill evidence per history key: when the engine said oom or a die of 137. */
  readonly #kills = new Map<string, number>();
  /** Container ids that died, for a start of the same id to read as a restart. */
  readonly #died = new Set<string>();
  /** Restarts the events told of per container id, not yet seen in a round's restart count. */
  readonly #told = new Map<string, number>();
  readonly #stacks = new Map<string, string | null>();
  #changed = false;

  /** `known`: what an earlier run saw last, so a recreate while the app was closed is still told. */
  constructor(known: ReadonlyMap<string, KnownContainer> = new Map()) {
    this.#known = new Map(known);
  }

  /** The containers as last seen; `changed` says whether it differs from the last time it was asked. */
  known(): { readonly containers: ReadonlyMap<string, KnownContainer>; readonly changed: boolean } {
    const changed = this.#changed;
    this.#changed = false;
    return { containers: this.#known, changed };
  }

  onRound(round: Round): TimelineEntry[] {
    return round.samples.flatMap((s) => this.#sample(s));
  }

  #sample(s: Sample): TimelineEntry[] {
    this.#stacks.set(s.key, s.stack);
    const before = this.#known.get(s.key);
    const now: KnownContainer = { id: s.id, image: s.image, restartCount: s.restartCount, name: s.name };
    if (
      before === undefined ||
      before.id !== now.id ||
      before.image !== now.image ||
      before.restartCount !== now.restartCount
    ) {
      this.#known.set(s.key, now);
      this.#changed = true;
    }
    if (before === undefined) return [];
    if (before.image !== now.image)
      return [
        ofSample(
          s,
          'deploy',
          'info',
          t('timeline:newImage', { name: s.name, from: before.image, to: now.image }),
        ),
      ];
    if (before.id !== now.id)
      return [ofSample(s, 'deploy', 'info', t('timeline:recreated', { name: s.name }))];
    // A restart the events told of is an entry already; only restarts nobody saw are counted here.
    const unseen = now.restartCount - before.restartCount - (this.#told.get(s.id) ?? 0);
    if (now.restartCount !== before.restartCount) this.#told.delete(s.id);
    return unseen > 0
      ? [ofSample(s, 'restart', 'warning', t('timeline:restartedAway', { name: s.name, times: unseen }))]
      : [];
  }

  onEvent(event: ContainerEvent): TimelineEntry[] {
    const key = event.key;
    if (event.action === 'oom' || (event.action === 'die' && event.exitCode === SIGKILL_EXIT)) {
      if (key !== null) this.#kills.set(key, event.ts);
    }
    if (event.action === 'die') {
      this.#died.add(event.id);
      return [];
    }
    if (event.action !== 'start' || !this.#died.delete(event.id)) return [];
    this.#told.set(event.id, (this.#told.get(event.id) ?? 0) + 1);
    return [
      entry({
        ts: event.ts,
        host: event.host,
        stack: key === null ? null : (this.#stacks.get(key) ?? null),
        key,
        name: event.name,
        kind: 'restart',
        severity: 'warning',
        text: t('timeline:restart', { name: event.name }),
      }),
    ];
  }

  onHost(state: HostState): TimelineEntry[] {
    const up = state.state === 'up';
    const was = this.#hostUp.get(state.host);
    if (state.state === 'connecting' || was === up) return [];
    this.#hostUp.set(state.host, up);
    // The first answer of a run is no change: the app's start entry says the monitor began.
    if (was === undefined && up) return [];
    return [
      entry({
        ts: state.ts,
        host: state.host,
        kind: up ? 'engine-up' : 'engine-down',
        severity: up ? 'info' : 'critical',
        text: up
          ? t('timeline:up', { host: state.host })
          : t('timeline:down', { host: state.host, why: state.message }),
      }),
    ];
  }

  onAlert(alert: Alert): TimelineEntry[] {
    if (TOLD_BY_HOST.has(alert.rule)) return [];
    const kill = KILL_RULES.has(alert.rule);
    const killedAt = kill && alert.key !== undefined ? this.#kills.get(alert.key) : undefined;
    const ts =
      killedAt !== undefined && killedAt <= alert.ts && alert.ts - killedAt <= KILL_LOOKBACK_MS
        ? killedAt
        : alert.ts;
    return [
      entry({
        ts,
        host: alert.host,
        stack: alert.stack,
        key: alert.key ?? null,
        name: alert.name,
        kind: alert.rule === 'oom-killed' ? 'oom' : 'alert',
        severity: alert.severity,
        rule: alert.rule,
        text: alert.message,
      }),
    ];
  }
}
