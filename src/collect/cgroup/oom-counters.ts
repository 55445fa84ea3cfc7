/**
 * The kernel's own count of OOM kills: per cgroup, and for the whole host. The kernel counts a
 * kill in the victim's cgroup whichever OOM killer chose it, the cgroup's own (its limit) or the
 * host's (the machine or the Docker Desktop VM ran out), so the per-cgroup count catches a worker
 * killed inside a container that has no limit and keeps running: no engine event says that.
 */
import type { KernelCounters } from '../../model.ts';
import { parseFlatKeyed, parseSingle } from './parse.ts';

/**
 * v1: `memory.oom_control` (`oom_kill`, kernel 4.13+) and `memory.failcnt`; v2: `memory.events`
 * (`oom_kill` and `max`). Null when the kernel keeps no kill count.
 */
export function parseKernelCounters(
  version: 1 | 2,
  events: string,
  failcnt: string | null,
): KernelCounters | null {
  const values = parseFlatKeyed(events);
  const oomKills = values.get('oom_kill');
  if (oomKills === undefined) return null;
  if (version === 2) return { oomKills, limitHits: values.get('max') ?? null };
  const hits = failcnt === null ? null : parseSingle(failcnt);
  return { oomKills, limitHits: hits !== null && Number.isFinite(hits) ? hits : null };
}

/** `oom_kill` of /proc/vmstat: every OOM kill on the host since it booted. */
export function parseVmstatOomKills(vmstat: string): number | null {
  const match = /(?:^|\n)oom_kill (\d{1,20})\n?/.exec(vmstat);
  return match === null ? null : Number(match[1]);
}

const SIGKILL_BIT = 1n << 8n;

/**
 * Whether `/proc/<pid>/status` shows a process on its way out: a zombie, or SIGKILL pending (what
 * the OOM killer sends; the kill is counted before the process has finished dying).
 */
export function isDying(status: string): boolean {
  let dying = false;
  for (const line of status.split('\n')) {
    const [key, value = ''] = line.split(':\t');
    if (key === 'State') dying ||= /^[ZX]/.test(value);
    if ((key === 'SigPnd' || key === 'ShdPnd') && /^[0-9a-f]{1,16}$/.test(value))
      dying ||= (BigInt(`0x${value}`) & SIGKILL_BIT) !== 0n;
  }
  return dying;
}
