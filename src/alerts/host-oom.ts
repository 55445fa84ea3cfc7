/**
 * Each host's own count of OOM kills (`oom_kill` in /proc/vmstat), as its rounds bring it: whether
 * the host's OOM killer ended a container that died of SIGKILL. The host counts every kill, those
 * at a container's own limit too, so the kills the running containers' own counts explain are
 * taken off: what is left happened outside them, as the death of a container's main process does.
 * Only a local Linux engine's rounds carry it; elsewhere (macOS, Windows, remote) it is unknown.
 */

/** What the host's count says about a SIGKILL at a given time. */
export type HostKillCause =
  { readonly by: 'host'; readonly kills: number } | { readonly by: 'not-oom' } | { readonly by: 'unknown' };

interface Count {
  readonly ts: number;
  readonly kills: number;
  /** Kills the running containers' own counts had shown by then, summed. */
  readonly explained: number;
}

/** Rounds kept per host: enough to look back past a die that a slow inspect delayed. */
const KEPT = 16;

export class HostOomCounts {
  readonly #counts = new Map<string, Count[]>();
  /** Hosts whose rounds come without the count: it cannot be read there. */
  readonly #without = new Set<string>();

  /** A round of `host` at `ts`, with the host's count read before its containers', or without one. */
  onRound(host: string, ts: number, kills: number | undefined, explained: number): void {
    if (kills === undefined) {
      this.#without.add(host);
      this.#counts.delete(host);
      return;
    }
    this.#without.delete(host);
    const counts = this.#counts.get(host) ?? [];
    counts.push({ ts, kills, explained });
    if (counts.length > KEPT) counts.shift();
    this.#counts.set(host, counts);
  }

  /**
   * Whether the count rose, beyond what the containers' own counts explain, between the last
   * round before `killTs` and the first round after `seenAt`.
   */
  causeOf(host: string, killTs: number, seenAt: number): HostKillCause | 'wait' {
    if (this.#without.has(host)) return { by: 'unknown' };
    const counts = this.#counts.get(host) ?? [];
    const at = counts.findLastIndex((c) => c.ts < killTs);
    const before = counts[at];
    const after = counts.find((c) => c.ts > seenAt);
    if (after === undefined) return 'wait';
    if (before === undefined) return { by: 'unknown' };
    // A round reads the host's count before its containers', so a container's kill is explained
    // no later than the host counts it; explained from one round earlier also covers a kill
    // between the two reads of the round before. What is left can only be too little, never a
    // container's kill taken for one outside.
    const explainedBefore = (counts[at - 1] ?? before).explained;
    const kills = after.kills - before.kills - (after.explained - explainedBefore);
    return kills > 0 ? { by: 'host', kills } : { by: 'not-oom' };
  }

  forget(host: string): void {
    this.#counts.delete(host);
    this.#without.delete(host);
  }
}
