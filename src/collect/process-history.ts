/**
 * Each container's processes across readings: a label per process, its RSS trend, and the
 * processes that just went away. The OOM killer's victim is the one that went away holding the
 * most (it chooses by size), so those are kept for two readings: a kill that fell between the
 * counters and the process list of one round is still found in the next.
 */
import type { ContainerProcess } from '../model.ts';
import { processLabel } from './process-label.ts';
import type { RawProcess } from './process-reading.ts';

/** Trend points are kept at least this far apart … */
const POINT_SPACING_MS = 10_000;
/** … over this long, so a 1 s and a 30 s reading rate keep the same window in a few dozen points. */
const TREND_WINDOW_MS = 5 * 60_000;
/** Two readings closer than this make no trend worth showing. */
const MIN_TREND_SPAN_MS = 5_000;
/** A process that went away is named among the exited for this many readings. */
const EXITED_READINGS = 2;

interface Point {
  readonly ts: number;
  readonly rss: number;
}

interface Tracked {
  argv: readonly string[];
  label: string;
  readonly points: Point[];
  latest: Point | null;
}

interface Gone {
  readonly process: ContainerProcess;
  readonly reading: number;
}

interface ContainerHistory {
  readonly pids: Map<number, Tracked>;
  readonly gone: Gone[];
  readings: number;
}

export interface ProcessView {
  readonly processes: readonly ContainerProcess[];
  readonly exited: readonly ContainerProcess[];
}

function trendOf(t: Tracked): number | null {
  const first = t.points[0];
  const last = t.latest;
  if (first === undefined || last === null || last.ts - first.ts < MIN_TREND_SPAN_MS) return null;
  return (last.rss - first.rss) / ((last.ts - first.ts) / 1000);
}

function remember(t: Tracked, rss: number, ts: number): void {
  t.latest = { ts, rss };
  const previous = t.points[t.points.length - 1];
  if (previous === undefined || ts - previous.ts >= POINT_SPACING_MS) t.points.push({ ts, rss });
  while ((t.points[0]?.ts ?? ts) < ts - TREND_WINDOW_MS) t.points.shift();
}

function viewOf(pid: number, ppid: number | null, t: Tracked): ContainerProcess {
  return {
    pid,
    ppid,
    label: t.label,
    command: t.argv.join(' '),
    rssBytes: t.latest?.rss ?? 0,
    rssTrendBytesPerSec: trendOf(t),
  };
}

/** Largest first; ties by pid so that a table does not reshuffle between readings. */
function bySize(a: ContainerProcess, b: ContainerProcess): number {
  return b.rssBytes - a.rssBytes || a.pid - b.pid;
}

export class ProcessHistory {
  readonly #containers = new Map<string, ContainerHistory>();

  /** One reading of a container's processes at `ts`. */
  update(id: string, raw: readonly RawProcess[], ts: number): ProcessView {
    const history: ContainerHistory = this.#containers.get(id) ?? { pids: new Map(), gone: [], readings: 0 };
    this.#containers.set(id, history);
    const reading = ++history.readings;
    const argvOf = new Map(raw.map((p) => [p.pid, p.argv]));
    const processes: ContainerProcess[] = [];
    const live = new Set<number>();
    for (const p of raw) {
      const tracked = this.#track(history, p, argvOf.get(p.ppid ?? -1) ?? null);
      if (p.ending) continue;
      live.add(p.pid);
      if (p.rssBytes !== null) remember(tracked, p.rssBytes, ts);
      processes.push(viewOf(p.pid, p.ppid, tracked));
    }
    for (const [pid, tracked] of history.pids) {
      if (live.has(pid)) continue;
      history.pids.delete(pid);
      if (tracked.latest !== null) history.gone.push({ process: viewOf(pid, null, tracked), reading });
    }
    while ((history.gone[0]?.reading ?? reading) <= reading - EXITED_READINGS) history.gone.shift();
    return { processes: processes.sort(bySize), exited: history.gone.map((g) => g.process).sort(bySize) };
  }

  forget(id: string): void {
    this.#containers.delete(id);
  }

  #track(history: ContainerHistory, p: RawProcess, parentArgv: readonly string[] | null): Tracked {
    const current = history.pids.get(p.pid);
    if (current !== undefined && current.argv.join('\0') === p.argv.join('\0')) return current;
    // A new pid, or a pid reused by another program (or one that exec'd): a new history.
    const tracked: Tracked = {
      argv: p.argv,
      label: processLabel(p.argv, parentArgv),
      points: [],
      latest: null,
    };
    if (current !== undefined && current.latest !== null) {
      history.gone.push({ process: viewOf(p.pid, null, current), reading: history.readings });
    }
    history.pids.set(p.pid, tracked);
    return tracked;
  }
}
