/**
 * The kill rules: every OOM kill, with its kind, told once.
 *
 * - **The container's own limit** killed its main process: the engine's `oom` event and a die with
 *   exit code 137 within milliseconds (inspect then says OOMKilled).
 * - **A process inside a container that keeps running** (a gunicorn or celery worker, a plugin):
 *   on a local Linux engine the cgroup's own kill counter rises while the main process lives, so
 *   the kill is known at the next round, named from the processes that went away. Over the API
 *   only the `oom` event says it, and only for a kill at the container's own limit: the oom is held
 *   until no die came for HOLD_MS (the collector inspects the container before it passes on each
 *   event, up to its 5 s request timeout, so the hold is twice that).
 * - **SIGKILL, not by its own limit**: exit code 137 with OOMKilled false. The host's (or Docker
 *   Desktop VM's) OOM killer ends containers that have no limit, which Dify's compose file sets
 *   none of, and the engine sends no `oom` event for it. The host's own kill count says whether it
 *   was the OOM killer where it can be read; a signal the engine sent (docker kill, docker stop
 *   past its grace period) says it was asked for, and a `docker rm -f` (its destroy follows) is not
 *   told at all.
 *
 * Each alert gives the memory the container had reached before the kill (the peak of the last
 * PEAK_WINDOW_MS of readings: a reading just after shows what the kill gave back) and the process
 * that held the most.
 */
import type { ContainerEvent, ContainerProcess, KernelCounters } from '../model.ts';
import { describeSnapshot, type KillEvidence, killEvidence } from './events.ts';
import { formatBytes } from './format.ts';
import type { HostKillCause } from './host-oom.ts';
import { describeLimit, type EffectiveLimit } from './limit.ts';
import type { Notice } from './notice.ts';
import type { Points } from './series.ts';
import type { HeldProcess, SnapshotEntry } from './types.ts';

/** Evidence of one kill within this of the kill raised (the oom, its die, the inspect flag) is that kill. */
const SAME_KILL_MS = 60_000;
/** `docker stop` sends SIGTERM, waits 10 s, then SIGKILL: a die within this of a signal was asked for. */
const SIGNALLED_MS = 30_000;
/** How long an oom waits for the container's die before it counts as a process's kill. */
const HOLD_MS = 10_000;
/** A signalled SIGKILL end waits this long for the destroy of a `docker rm -f`. */
const SIGNALLED_HOLD_MS = 2_000;
/** An unasked SIGKILL end waits at most this long for a round with the host's kill count. */
const END_HOLD_MS = 6_000;
/** An oom the engine saw up to this after the round that counted a kill is that kill. */
const COUNTED_SLACK_MS = 1_000;
/** The readings before an oom that say how much memory the container had reached. */
export const PEAK_WINDOW_MS = 30_000;
const SIGKILL_EXIT = 137;

/** The container's memory before the kill, its real limit, and who held the memory. */
export interface KillFigures {
  readonly usageBytes: number | null;
  readonly limit: EffectiveLimit | null;
  readonly snapshot: readonly SnapshotEntry[];
  /** The container's largest process in its last process list. */
  readonly holder: ContainerProcess | null;
}

/** Whose OOM killer took a process: the container's limit, the host's, or not known. */
export type ProcessCause = 'own-limit' | 'host' | null;

export type Kill =
  | { readonly kind: 'container'; readonly evidence: KillEvidence; readonly figures: KillFigures }
  | {
      readonly kind: 'process';
      readonly figures: KillFigures;
      /** The process that went away holding the most; null when no process list says. */
      readonly victim: ContainerProcess | null;
      readonly cause: ProcessCause;
      /** `counters`: the cgroup's kill count; `event`: the engine's oom alone (its API names no process). */
      readonly seen: 'counters' | 'event';
    }
  | { readonly kind: 'sigkill'; readonly figures: KillFigures; readonly cause: SigkillCause };

/** Why a container died of SIGKILL that was not its own limit's. */
export type SigkillCause = HostKillCause | { readonly by: 'engine' };

interface Held {
  readonly at: number;
  readonly figures: KillFigures;
  /** Counted as a kill when it came (no kernel counters to count it later). */
  readonly counted: boolean;
}

interface Ended {
  readonly at: number;
  /** When the engine saw the die, on its clock. */
  readonly engineTs: number;
  readonly figures: KillFigures;
  readonly signalled: boolean;
}

export interface KillState {
  /** An oom waiting to learn whether the container outlived it, with the figures from before it. */
  held: Held | null;
  /** A SIGKILL end waiting for the host's kill count, or for the destroy of a `docker rm -f`. */
  ended: Ended | null;
  raisedAt: number;
  raisedKind: Kill['kind'] | null;
  signalledAt: number;
  /**
   * A process of this run was OOM-killed. Inspect's OOMKilled then stays true for the rest of the
   * run, even through a `docker stop` with exit code 0, so it no longer tells how the run ended.
   */
  processKilledInRun: boolean;
  /**
   * This run's end was told as a kill. A sample of the ended container says that end again,
   * however long after the die it comes: after a laptop's sleep, the first round is a minute or
   * hours on, and it is still the same end, not another kill.
   */
  endTold: boolean;
  /** The cgroup's counters last seen in this run; null where they cannot be read. */
  kernel: KernelCounters | null;
  /** When the counters last told a kill: an oom the engine saw before that is the same kill. */
  countedAt: number;
  /** Kills seen since the engine started: the exporter's OOM event counter. */
  count: number;
}

export function newKillState(): KillState {
  return {
    held: null,
    ended: null,
    raisedAt: -Infinity,
    raisedKind: null,
    signalledAt: -Infinity,
    processKilledInRun: false,
    endTold: false,
    kernel: null,
    countedAt: -Infinity,
    count: 0,
  };
}

/** Someone (docker stop/kill/rm -f) sent the container a signal. */
export function onSignal(k: KillState, now: number): void {
  k.signalledAt = now;
}

/** The container (re)started: a new run, whose inspect flag and counters start clean. */
export function onStart(k: KillState): void {
  k.processKilledInRun = false;
  k.endTold = false;
  k.kernel = null;
}

/**
 * An oom event (`engineTs` on the engine's clock), or the inspect flag turning true on a live
 * container: held (see above), unless the cgroup's counters already told this kill.
 */
export function onOom(k: KillState, figures: () => KillFigures, now: number, engineTs = now): void {
  // Several processes killed in one episode are one kill; an oom after the container's die is its kill.
  if (k.held !== null || (k.raisedKind === 'container' && now - k.raisedAt < SAME_KILL_MS)) return;
  if (engineTs <= k.countedAt + COUNTED_SLACK_MS && now - k.countedAt < SAME_KILL_MS) return;
  const counted = k.kernel === null;
  if (counted) k.count++;
  k.held = { at: now, figures: figures(), counted };
}

export interface CounterContext {
  readonly figures: () => KillFigures;
  /** The process that went away holding the most since the last readings. */
  readonly victim: ContainerProcess | null;
  /** The container has no limit of its own: only the host's OOM killer can take its processes. */
  readonly unlimited: boolean;
}

/**
 * The cgroup's counters of a reading taken while the main process lived: a rise in the kill count
 * is a process killed inside a container that keeps running, told now.
 */
export function onCounters(
  k: KillState,
  counters: KernelCounters,
  ctx: CounterContext,
  now: number,
): Kill | null {
  const before = k.kernel;
  k.kernel = counters;
  if (before === null || counters.oomKills <= before.oomKills) return null;
  const held = k.held;
  k.held = null;
  k.count += counters.oomKills - before.oomKills - (held?.counted === true ? 1 : 0);
  k.countedAt = now;
  const hitLimit = (counters.limitHits ?? 0) > (before.limitHits ?? 0);
  const cause: ProcessCause = held !== null || hitLimit ? 'own-limit' : ctx.unlimited ? 'host' : null;
  const figures = held?.figures ?? ctx.figures();
  return raise(k, { kind: 'process', figures, victim: ctx.victim, cause, seen: 'counters' }, now);
}

/**
 * The container died, as a die event (`engineTs` on the engine's clock) or a sample that shows it
 * ended says. A held oom was its kill, unless someone stopped it: then the container had outlived
 * the oom. Without one, the die alone can be the evidence: OOMKilled, or exit code 137, which
 * waits (see `settleEnded`) when inspect denied an OOM or the engine had sent a signal.
 */
export function onEnd(
  k: KillState,
  end: Pick<ContainerEvent, 'exitCode' | 'oomKilled'>,
  figures: () => KillFigures,
  now: number,
  engineTs = now,
): Kill | null {
  const signalled = now - k.signalledAt < SIGNALLED_MS;
  const held = k.held;
  if (held !== null) {
    k.held = null;
    if (!held.counted) k.count++;
    const kill: Kill = signalled
      ? { kind: 'process', figures: held.figures, victim: null, cause: 'own-limit', seen: 'event' }
      : { kind: 'container', evidence: 'oom', figures: held.figures };
    return raise(k, kill, now);
  }
  if (k.endTold) return null;
  const flag = k.processKilledInRun ? {} : { oomKilled: end.oomKilled };
  if (end.exitCode === SIGKILL_EXIT && flag.oomKilled !== true && (flag.oomKilled === false || signalled)) {
    k.ended = { at: now, engineTs, figures: figures(), signalled };
    return null;
  }
  const evidence = killEvidence({ action: 'die', exitCode: end.exitCode, ...flag }, signalled);
  if (evidence === null || now - k.raisedAt < SAME_KILL_MS) return null;
  k.count++;
  return raise(k, { kind: 'container', evidence, figures: figures() }, now);
}

/**
 * A SIGKILL end waiting: a signalled one once a `docker rm -f` would have shown its destroy, an
 * unasked one once the host's kill count after it is known (`host` answers `wait` until a round
 * after the die came), or after END_HOLD_MS without.
 */
export function settleEnded(
  k: KillState,
  host: (engineTs: number, at: number) => HostKillCause | 'wait',
  now: number,
): Kill | null {
  const ended = k.ended;
  if (ended === null) return null;
  if (ended.signalled)
    return now - ended.at < SIGNALLED_HOLD_MS ? null : settle(k, ended, { by: 'engine' }, now);
  const known = host(ended.engineTs, ended.at);
  if (known === 'wait' && now - ended.at < END_HOLD_MS) return null;
  return settle(k, ended, known === 'wait' ? { by: 'unknown' } : known, now);
}

/** The container was removed: a `docker rm -f` is no news, an unasked SIGKILL before it is. */
export function onDestroy(
  k: KillState,
  host: (engineTs: number, at: number) => HostKillCause | 'wait',
  now: number,
): Kill | null {
  const ended = k.ended;
  if (ended === null) return null;
  if (ended.signalled) {
    k.ended = null;
    return null;
  }
  const known = host(ended.engineTs, ended.at);
  return settle(k, ended, known === 'wait' ? { by: 'unknown' } : known, now);
}

function settle(k: KillState, ended: Ended, cause: SigkillCause, now: number): Kill | null {
  k.ended = null;
  if (cause.by === 'host' || cause.by === 'unknown') k.count++;
  return raise(k, { kind: 'sigkill', figures: ended.figures, cause }, now);
}

/** Time passed: a held oom whose container outlived the hold was a process's kill. */
export function expire(k: KillState, now: number): Kill | null {
  const held = k.held;
  if (held === null || now - held.at < HOLD_MS) return null;
  k.held = null;
  if (!held.counted) k.count++;
  return raise(
    k,
    { kind: 'process', figures: held.figures, victim: null, cause: 'own-limit', seen: 'event' },
    now,
  );
}

function raise(k: KillState, kill: Kill, now: number): Kill | null {
  if (kill.kind === 'process') k.processKilledInRun = true;
  else k.endTold = true;
  // A worker the OOM killer takes again and again is one alert per window; the container's own
  // death after it is news.
  if (kill.kind === 'process' && now - k.raisedAt < SAME_KILL_MS) return null;
  k.raisedAt = now;
  k.raisedKind = kill.kind;
  return kill;
}

/** The highest reading at or after `from`, and `latest`: the memory the container had reached. */
export function peakSince(points: Points, from: number, latest: number | null): number | null {
  let peak = latest;
  for (let i = points.length - 1; i >= 0 && points.tsAt(i) >= from; i--) {
    const value = points.valueAt(i);
    if (peak === null || value > peak) peak = value;
  }
  return peak;
}

/** "plugin langgenius/openai (pid 42)". */
function named(p: ContainerProcess): string {
  return `${p.label} (pid ${p.pid})`;
}

function heldOf(p: ContainerProcess | null): HeldProcess | null {
  return p === null ? null : { label: p.label, pid: p.pid, rssBytes: p.rssBytes };
}

export function killNotice(name: string, stack: string | null, kill: Kill): Notice {
  const { usageBytes, limit, snapshot, holder } = kill.figures;
  const figures =
    usageBytes !== null && limit !== null ? `${formatBytes(usageBytes)} of ${describeLimit(limit)}` : null;
  const process = kill.kind === 'process' ? (kill.victim ?? holder) : holder;
  // "docker-plugin_daemon-1: plugin langgenius/openai held 1.9 GiB", unless the words named it already.
  const heldBy =
    process === null || (kill.kind === 'process' && kill.victim !== null)
      ? ''
      : `. ${name}: ${process.label} held ${formatBytes(process.rssBytes)}`;
  // Outside a stack the snapshot holds the container alone, which the message already said.
  const stackHeld = stack !== null && snapshot.length > 0 ? `. ${describeSnapshot(stack, snapshot)}` : '';
  const { rule, severity } = ruleOf(kill);
  const held = heldOf(process);
  return {
    rule,
    severity,
    message: `${killWords(name, kill, figures)}${heldBy}${stackHeld}`,
    valueBytes: usageBytes,
    limit,
    etaSeconds: null,
    snapshot,
    ...(held === null ? {} : { process: held }),
  };
}

/** A SIGKILL someone asked for, or that the host's count says was not the OOM killer, is not an OOM kill. */
function ruleOf(kill: Kill): Pick<Notice, 'rule' | 'severity'> {
  if (kill.kind === 'sigkill' && (kill.cause.by === 'engine' || kill.cause.by === 'not-oom'))
    return { rule: 'killed', severity: 'warning' };
  return { rule: 'oom-killed', severity: 'critical' };
}

function killWords(name: string, kill: Kill, figures: string | null): string {
  switch (kill.kind) {
    case 'process':
      return processWords(name, kill, figures);
    case 'sigkill': {
      const reached = figures === null ? '' : `. It had reached ${figures}`;
      return `${name} was killed (signal 9), not by its own limit: ${sigkillWords(kill.cause)}${reached}`;
    }
    case 'container': {
      const at = figures === null ? '' : ` at ${figures}`;
      return kill.evidence === 'oom'
        ? `${name} ran out of memory and was killed${at}`
        : `${name} was killed (exit code 137), most likely out of memory${at}`;
    }
  }
}

function processWords(
  name: string,
  kill: Extract<Kill, { kind: 'process' }>,
  figures: string | null,
): string {
  const who =
    kill.victim === null
      ? 'a process'
      : `${named(kill.victim)}, holding ${formatBytes(kill.victim.rssBytes)},`;
  const by =
    kill.cause === 'host'
      ? "the host's OOM killer, not by its own limit: the host ran out of memory"
      : 'the OOM killer';
  const unseen = kill.seen === 'event' ? " (the engine's API does not say which process)" : '';
  const reached = figures === null ? '' : `. It had reached ${figures}`;
  return `${who} in ${name} was killed by ${by}; the container is still running${unseen}${reached}`;
}

function sigkillWords(cause: SigkillCause): string {
  switch (cause.by) {
    case 'engine':
      return 'the engine sent it SIGKILL (docker kill, or docker stop past its grace period)';
    case 'host':
      return `the host's OOM killer (the host counted ${cause.kills} OOM ${cause.kills === 1 ? 'kill' : 'kills'} outside the running containers)`;
    case 'not-oom':
      return 'not the OOM killer either (the host counted no OOM kill outside the running containers): something sent it SIGKILL';
    case 'unknown':
      return "most likely the host's or the VM's OOM killer, which the engine's API does not report";
  }
}
