/**
 * What lifecycle events mean for alerts: an out-of-memory kill, a restart, a health change, a
 * host going away and coming back.
 */
import type { ContainerEvent, ContainerEventAction, Health, HostState, Role } from '../model.ts';
import { formatBytes } from './format.ts';
import type { SnapshotEntry } from './types.ts';

/** SIGKILL's exit status: what the kernel's OOM killer leaves, but also `docker kill`. */
const SIGKILL_EXIT = 137;

export type KillEvidence = 'oom' | 'exit-137';

/**
 * Whether an event reports a container killed for memory, and how sure that is. Exit code 137 is
 * SIGKILL from anyone; it counts only when inspect did not deny an OOM and nobody (docker
 * stop/kill/rm -f) signalled the container just before.
 */
export function killEvidence(
  event: Pick<ContainerEvent, 'action' | 'exitCode' | 'oomKilled'>,
  signalledJustBefore = false,
): KillEvidence | null {
  if (event.action === 'oom') return 'oom';
  if (event.action !== 'die') return null;
  if (event.oomKilled === true) return 'oom';
  if (event.exitCode === SIGKILL_EXIT && event.oomKilled !== false && !signalledJustBefore) return 'exit-137';
  return null;
}

export interface Holder {
  readonly name: string;
  readonly role: Role;
  readonly memUsageBytes: number | null;
}

/** Who held the memory, largest first; containers without a reading are left out. */
export function oomSnapshot(holders: Iterable<Holder>): SnapshotEntry[] {
  const entries: SnapshotEntry[] = [];
  for (const h of holders) {
    if (h.memUsageBytes !== null && Number.isFinite(h.memUsageBytes)) {
      entries.push({ name: h.name, role: h.role, memUsageBytes: h.memUsageBytes });
    }
  }
  return entries.sort((a, b) => b.memUsageBytes - a.memUsageBytes || a.name.localeCompare(b.name));
}

/** "docker held 3.1 GiB: docker-worker-1 1.9 GiB, docker-api-1 600 MiB, …" (the top three). */
export function describeSnapshot(stack: string, snapshot: readonly SnapshotEntry[]): string {
  const total = snapshot.reduce((sum, e) => sum + e.memUsageBytes, 0);
  const top = snapshot.slice(0, 3).map((e) => `${e.name} ${formatBytes(e.memUsageBytes)}`);
  const more = snapshot.length > 3 ? ', …' : '';
  return `${stack} held ${formatBytes(total)}: ${top.join(', ')}${more}`;
}

export type Lifecycle = Extract<ContainerEventAction, 'start' | 'die' | 'restart'>;

/**
 * Whether this lifecycle event is a restart: a start after a die (what `restart: always` does),
 * or a `restart` action not already seen as die + start.
 */
export function isRestart(previous: Lifecycle | null, action: Lifecycle): boolean {
  if (action === 'start') return previous === 'die';
  if (action === 'restart') return previous !== 'start';
  return false;
}

/** Most restarts a key remembers; enough to count any sensible loop threshold. */
const MAX_RESTARTS_KEPT = 64;

/** Appends `count` restarts at `now` and forgets those older than the window. */
export function recordRestarts(times: number[], now: number, count: number, windowMs: number): void {
  for (let i = 0; i < count; i++) times.push(now);
  dropBefore(times, now - windowMs);
  if (times.length > MAX_RESTARTS_KEPT) times.splice(0, times.length - MAX_RESTARTS_KEPT);
}

/** Restarts within the window ending at `now`; prunes the older ones. */
export function restartsWithin(times: number[], now: number, windowMs: number): number {
  dropBefore(times, now - windowMs);
  return times.length;
}

function dropBefore(times: number[], ts: number): void {
  let drop = 0;
  while (drop < times.length && (times[drop] as number) <= ts) drop++;
  if (drop > 0) times.splice(0, drop);
}

/** A health report as an unhealthy condition: true, false, or null for "cannot tell yet" (starting). */
export function isUnhealthy(health: Health): boolean | null {
  if (health === 'unhealthy') return true;
  if (health === 'starting') return null;
  return false;
}

/** Up, and the failed states (down, auth-failed, tls-failed), are what an alert tracks; connecting tells nothing new. */
export function hostReachable(state: HostState): boolean | null {
  if (state.state === 'up') return true;
  if (state.state === 'connecting') return null;
  return false;
}
