/**
 * What the engine holds per container (per history key), and the table of the rules that keep a
 * condition there. A rule added to the table gets its condition in every track, is reported by
 * `active()` while it holds, and ends with the container's run if it judged that run's samples.
 */
import type { ProcessTable, Role, Sample } from '../model.ts';
import type { Lifecycle } from './events.ts';
import { type KillState, newKillState } from './kills.ts';
import { type LogState, newLogState } from './log-signature.ts';
import { effectiveLimit } from './limit.ts';
import { type Condition, newCondition, reset } from './noise.ts';
import { severityOf } from './notice.ts';
import { Series } from './series.ts';
import { type Growth, secondsToLimit } from './trend.ts';
import type { ActiveAlert, AlertRule, AlertSettings } from './types.ts';

/**
 * Points kept per container, and how many of them a window may use: readings closer together than
 * window / used are skipped, so the window always fits and a faster interval only thins it.
 */
const MEMORY_POINTS = 400;
export const MEMORY_POINTS_USED = 360;
const CPU_POINTS = 256;
export const CPU_POINTS_USED = 200;

interface ConditionRuleEntry {
  /** Judged on the samples of one run: a stop or restart ends it, without a recovered notice. */
  readonly endsWithRun: boolean;
  /** What `active()` says besides the level: the trend's time to the limit. */
  readonly etaSeconds?: (t: Track, settings: AlertSettings) => number | null;
}

/** The per-container rules that hold a condition, in the order `active()` lists them. */
export const CONDITION_RULES = {
  'memory-threshold': { endsWithRun: true },
  'memory-trend': { endsWithRun: true, etaSeconds: trendEtaSeconds },
  'cpu-threshold': { endsWithRun: true },
  'restart-loop': { endsWithRun: false },
  unhealthy: { endsWithRun: false },
} as const satisfies Partial<Record<AlertRule, ConditionRuleEntry>>;

export type ConditionRule = keyof typeof CONDITION_RULES;

const RULES = Object.entries(CONDITION_RULES) as [ConditionRule, ConditionRuleEntry][];

export interface Track {
  readonly key: string;
  host: string;
  id: string;
  name: string;
  stack: string | null;
  role: Role | null;
  restartCount: number | null;
  /** Null until a sample said, so that a kill from before we watched raises nothing. */
  oomKilled: boolean | null;
  lastSeen: number;
  /** The latest sample with a memory reading, and when it arrived. */
  live: Sample | null;
  liveAt: number;
  /** The latest list of its processes, where a collector reads them. */
  processes: ProcessTable | null;
  lifecycle: Lifecycle | null;
  readonly restarts: number[];
  eventRestartsSinceSample: number;
  readonly kills: KillState;
  readonly logs: LogState;
  readonly memory: Series;
  readonly cpu: Series;
  lastGrowth: Growth | null;
  lastGrowthAt: number;
  readonly conditions: Readonly<Record<ConditionRule, Condition>>;
}

export function newTrack(key: string, host: string, id: string, now: number): Track {
  return {
    key,
    host,
    id,
    name: key,
    stack: null,
    role: null,
    restartCount: null,
    oomKilled: null,
    lastSeen: now,
    live: null,
    liveAt: -Infinity,
    processes: null,
    lifecycle: null,
    restarts: [],
    eventRestartsSinceSample: 0,
    kills: newKillState(),
    logs: newLogState(),
    memory: new Series(MEMORY_POINTS),
    cpu: new Series(CPU_POINTS),
    lastGrowth: null,
    lastGrowthAt: -Infinity,
    conditions: Object.fromEntries(RULES.map(([rule]) => [rule, newCondition()])) as Record<
      ConditionRule,
      Condition
    >,
  };
}

/** The container stopped or restarted: its memory and CPU history end, without a recovered notice. */
export function endRun(t: Track): void {
  t.memory.clear();
  t.cpu.clear();
  t.lastGrowth = null;
  t.lastGrowthAt = -Infinity;
  for (const [rule, entry] of RULES) if (entry.endsWithRun) reset(t.conditions[rule]);
}

/** The track's conditions that hold now, raised or not. */
export function activeConditions(t: Track, settings: AlertSettings): ActiveAlert[] {
  const out: ActiveAlert[] = [];
  for (const [rule, entry] of RULES) {
    const level = t.conditions[rule].level;
    if (level === 'none') continue;
    const { host, stack, name, key } = t;
    const etaSeconds = entry.etaSeconds?.(t, settings) ?? null;
    out.push({ rule, severity: severityOf(level), host, stack, name, key, etaSeconds });
  }
  return out;
}

/** The trend's time to the limit as of the latest sample: the last fit, less the time since it. */
function trendEtaSeconds(t: Track, settings: AlertSettings): number | null {
  if (t.lastGrowth === null || t.live === null) return null;
  const limit = effectiveLimit(t.live, settings.roleBudgetBytes);
  if (limit === null) return null;
  const since = Math.max(0, t.live.ts - t.lastGrowthAt) / 1000;
  return Math.max(0, secondsToLimit(t.lastGrowth, limit.bytes) - since);
}
