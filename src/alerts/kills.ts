/**
 * The oom-killed rule: a kill for memory is raised at once, once per kill, with who held the
 * memory. The oom event, a die with exit code 137 and the inspect flag all describe one kill.
 */
import { describeSnapshot, type KillEvidence } from './events.ts';
import { formatBytes } from './format.ts';
import { describeLimit, type EffectiveLimit } from './limit.ts';
import type { Notice } from './notice.ts';
import type { SnapshotEntry } from './types.ts';

/** A die with exit code 137 and the oom event (and the inspect flag) describe one kill. */
const SAME_KILL_MS = 60_000;
/** `docker stop` sends SIGTERM, waits 10 s, then SIGKILL: a die within this of a signal was asked for. */
const SIGNALLED_MS = 30_000;

export interface KillState {
  lastKillAt: number;
  lastSignalAt: number;
  /** Kills raised since the engine started: the exporter's OOM event counter. */
  count: number;
}

export function newKillState(): KillState {
  return { lastKillAt: -Infinity, lastSignalAt: -Infinity, count: 0 };
}

/** The container's memory at the kill, its real limit, and who held the memory of its stack. */
export interface KillFigures {
  readonly usageBytes: number | null;
  readonly limit: EffectiveLimit | null;
  readonly snapshot: readonly SnapshotEntry[];
}

/** Someone (docker stop/kill/rm -f) sent the container a signal. */
export function onSignal(k: KillState, now: number): void {
  k.lastSignalAt = now;
}

export function signalledJustBefore(k: KillState, now: number): boolean {
  return now - k.lastSignalAt < SIGNALLED_MS;
}

/** Whether evidence of a kill at `now` is a new kill to raise (and counts it), or one raised already. */
export function newKill(k: KillState, now: number): boolean {
  if (now - k.lastKillAt < SAME_KILL_MS) return false;
  k.lastKillAt = now;
  k.count++;
  return true;
}

export function killNotice(
  name: string,
  stack: string | null,
  evidence: KillEvidence,
  figures: KillFigures,
): Notice {
  const { usageBytes, limit, snapshot } = figures;
  const what =
    evidence === 'oom'
      ? `${name} ran out of memory and was killed`
      : `${name} was killed (exit code 137), most likely out of memory`;
  const at =
    usageBytes !== null && limit !== null ? ` at ${formatBytes(usageBytes)} of ${describeLimit(limit)}` : '';
  // Outside a stack the snapshot holds the container alone, which the message already said.
  const held = stack !== null && snapshot.length > 0 ? `. ${describeSnapshot(stack, snapshot)}` : '';
  return {
    rule: 'oom-killed',
    severity: 'critical',
    message: `${what}${at}${held}`,
    valueBytes: usageBytes,
    limit,
    etaSeconds: null,
    snapshot,
  };
}
