/**
 * The oom-killed rule. The engine's `oom` event says the kernel's OOM killer ended a process in
 * the container's cgroup: either its main process, and the container dies with it (a die with
 * exit code 137 follows within milliseconds; inspect then says OOMKilled), or another process (a
 * gunicorn or celery worker, a shell's command), and the container keeps running.
 *
 * Which one it was is known only after the event, so an oom is held. A die of the container
 * while it is held (or a sample that shows the container ended) makes it the container's kill,
 * raised then. No die for HOLD_MS makes it a process's kill, raised at the first round or event
 * after that. On the engine the die trails the oom by milliseconds, but the collector inspects the
 * container before it passes on each event (up to its 5 s request timeout), so the hold is twice
 * that. Either way the alert gives the memory the container had reached before the kill: the
 * peak of its readings of the last PEAK_WINDOW_MS before the oom, since a reading just after it
 * shows the memory the kill gave back.
 */
import type { ContainerEvent } from '../model.ts';
import { describeSnapshot, type KillEvidence, killEvidence } from './events.ts';
import { formatBytes } from './format.ts';
import { describeLimit, type EffectiveLimit } from './limit.ts';
import type { Notice } from './notice.ts';
import type { Points } from './series.ts';
import type { SnapshotEntry } from './types.ts';

/** Evidence of one kill within this of the kill raised (the oom, its die, the inspect flag) is that kill. */
const SAME_KILL_MS = 60_000;
/** `docker stop` sends SIGTERM, waits 10 s, then SIGKILL: a die within this of a signal was asked for. */
const SIGNALLED_MS = 30_000;
/** How long an oom waits for the container's die before it counts as a process's kill. */
const HOLD_MS = 10_000;
/** The readings before an oom that say how much memory the container had reached. */
export const PEAK_WINDOW_MS = 30_000;

export type KillKind = 'container' | 'process';

/** The container's memory before the kill, its real limit, and who held the memory of its stack. */
export interface KillFigures {
  readonly usageBytes: number | null;
  readonly limit: EffectiveLimit | null;
  readonly snapshot: readonly SnapshotEntry[];
}

export interface Kill {
  readonly kind: KillKind;
  readonly evidence: KillEvidence;
  readonly figures: KillFigures;
}

export interface KillState {
  /** An oom waiting to learn whether the container outlived it, with the figures from before it. */
  held: { readonly at: number; readonly figures: KillFigures } | null;
  raisedAt: number;
  raisedKind: KillKind | null;
  signalledAt: number;
  /**
   * A process of this run was OOM-killed. Inspect's OOMKilled then stays true for the rest of the
   * run, even through a `docker stop` with exit code 0, so it no longer tells how the run ended.
   */
  processKilledInRun: boolean;
  /** Kills seen since the engine started: the exporter's OOM event counter. */
  count: number;
}

export function newKillState(): KillState {
  return {
    held: null,
    raisedAt: -Infinity,
    raisedKind: null,
    signalledAt: -Infinity,
    processKilledInRun: false,
    count: 0,
  };
}

/** Someone (docker stop/kill/rm -f) sent the container a signal. */
export function onSignal(k: KillState, now: number): void {
  k.signalledAt = now;
}

/** The container (re)started: a new run, whose inspect flag starts clean. */
export function onStart(k: KillState): void {
  k.processKilledInRun = false;
}

/** An oom event, or the inspect flag turning true on a live container: held (see above). */
export function onOom(k: KillState, figures: () => KillFigures, now: number): void {
  // Several processes killed in one episode are one kill; an oom after the container's die is its kill.
  if (k.held !== null || (k.raisedKind === 'container' && now - k.raisedAt < SAME_KILL_MS)) return;
  k.held = { at: now, figures: figures() };
  k.count++;
}

/**
 * The container died, as a die event or a sample that shows it ended says. A held oom was its
 * kill, unless someone stopped it: then the container had outlived the oom. Without a held oom,
 * the die alone can be the evidence (exit code 137, the inspect flag).
 */
export function onEnd(
  k: KillState,
  end: Pick<ContainerEvent, 'exitCode' | 'oomKilled'>,
  figures: () => KillFigures,
  now: number,
): Kill | null {
  const signalled = now - k.signalledAt < SIGNALLED_MS;
  const held = k.held;
  if (held !== null) {
    k.held = null;
    return raise(k, signalled ? 'process' : 'container', 'oom', held.figures, now);
  }
  const flag = k.processKilledInRun ? {} : { oomKilled: end.oomKilled };
  const evidence = killEvidence({ action: 'die', exitCode: end.exitCode, ...flag }, signalled);
  if (evidence === null || now - k.raisedAt < SAME_KILL_MS) return null;
  k.count++;
  return raise(k, 'container', evidence, figures(), now);
}

/** Time passed: a held oom whose container outlived the hold was a process's kill. */
export function expire(k: KillState, now: number): Kill | null {
  const held = k.held;
  if (held === null || now - held.at < HOLD_MS) return null;
  k.held = null;
  return raise(k, 'process', 'oom', held.figures, now);
}

function raise(
  k: KillState,
  kind: KillKind,
  evidence: KillEvidence,
  figures: KillFigures,
  now: number,
): Kill | null {
  if (kind === 'process') k.processKilledInRun = true;
  // A worker the OOM killer takes again and again is one alert per window; the container's own
  // death after it is news.
  if (kind === 'process' && now - k.raisedAt < SAME_KILL_MS) return null;
  k.raisedAt = now;
  k.raisedKind = kind;
  return { kind, evidence, figures };
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

export function killNotice(name: string, stack: string | null, kill: Kill): Notice {
  const { usageBytes, limit, snapshot } = kill.figures;
  const figures =
    usageBytes !== null && limit !== null ? `${formatBytes(usageBytes)} of ${describeLimit(limit)}` : null;
  // Outside a stack the snapshot holds the container alone, which the message already said.
  const held = stack !== null && snapshot.length > 0 ? `. ${describeSnapshot(stack, snapshot)}` : '';
  return {
    rule: 'oom-killed',
    severity: 'critical',
    message: `${killWords(name, kill, figures)}${held}`,
    valueBytes: usageBytes,
    limit,
    etaSeconds: null,
    snapshot,
  };
}

function killWords(name: string, kill: Kill, figures: string | null): string {
  if (kill.kind === 'process') {
    const reached = figures === null ? '' : `. It had reached ${figures}`;
    return `a process in ${name} was killed by the OOM killer; the container is still running${reached}`;
  }
  const at = figures === null ? '' : ` at ${figures}`;
  return kill.evidence === 'oom'
    ? `${name} ran out of memory and was killed${at}`
    : `${name} was killed (exit code 137), most likely out of memory${at}`;
}
