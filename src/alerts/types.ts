/**
 * The alert vocabulary: the `{"type":"alert",…}` line `watch --json` prints, the rules that raise
 * it, and the settings that tune them.
 */
import type { Role } from '../model.ts';

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_RULES = [
  'memory-threshold',
  'memory-trend',
  'stack-memory',
  'cpu-threshold',
  'oom-killed',
  'killed',
  'log-signature',
  'restart-loop',
  'unhealthy',
  'host-down',
  'host-up',
  'recovered',
] as const;

export type AlertRule = (typeof ALERT_RULES)[number];

/** Who held the memory when a container was OOM-killed, largest first. */
export interface SnapshotEntry {
  readonly name: string;
  readonly role: Role;
  readonly memUsageBytes: number;
}

/** The process inside a container that held the most, or that the OOM killer took. */
export interface HeldProcess {
  /** "plugin langgenius/openai", "gunicorn worker", "celery worker", else its program. */
  readonly label: string;
  readonly pid: number;
  readonly rssBytes: number;
}

/** The log line an alert was raised for, or that told of the kill it is about. */
export interface LogLine {
  readonly text: string;
  /** When the engine logged it, ms since epoch. */
  readonly ts: number;
  /** The signature that knew it: `gunicorn-sigkill`, `user:<name>` for a pattern from settings. */
  readonly signature: string;
}

export interface Alert {
  readonly type: 'alert';
  /** When the engine raised it, ms since epoch. */
  readonly ts: number;
  readonly severity: Severity;
  readonly rule: AlertRule;
  readonly host: string;
  readonly stack: string | null;
  /** Container name; the stack name for stack-memory; the host name for host-down/host-up. */
  readonly name: string;
  /** Null where the alert is not about one container (stack, host) or the container is unknown. */
  readonly role: Role | null;
  readonly message: string;
  readonly valueBytes: number | null;
  readonly limitBytes: number | null;
  readonly etaSeconds: number | null;
  /** The history key of the container (Sample.key), `host/stack` for a stack, the host for a host. */
  readonly key?: string;
  readonly snapshot?: readonly SnapshotEntry[];
  /** oom-killed and killed: the process that held the most, or the one killed. */
  readonly process?: HeldProcess;
  /** log-signature, and a kill a log line told of too: the line. */
  readonly logLine?: LogLine;
  /** Logged but not to be notified: muted container, mute-all or quiet hours. */
  readonly muted?: boolean;
}

/** A rule's condition that holds now, raised or not (muted, cooling down): the exporter's alert state. */
export interface ActiveAlert {
  readonly rule: AlertRule;
  readonly severity: Severity;
  readonly host: string;
  readonly stack: string | null;
  readonly name: string;
  /** The alert key: Sample.key, `host/stack` for a stack, the host for a host. */
  readonly key: string;
  /** memory-trend only: seconds until the fitted growth reaches the limit, from the latest sample. */
  readonly etaSeconds: number | null;
}

export interface LevelSettings {
  readonly warningPercent: number;
  readonly criticalPercent: number;
  /** How many points under a line the value must fall before that level clears. */
  readonly hysteresisPoints: number;
}

export interface CpuSettings extends LevelSettings {
  /** The level must hold for this long before it is raised, and be gone this long before it clears. */
  readonly sustainMs: number;
  /** Two samples further apart than this break the run: nothing is known in between. */
  readonly maxGapMs: number;
}

export interface TrendSettings {
  /** Warn when the estimated time to the limit falls under this. */
  readonly horizonMs: number;
  /** How much recent history the growth fit looks at. */
  readonly windowMs: number;
  /** Share of the window the samples must span before a fit is trusted. */
  readonly minCoverage: number;
  readonly minPoints: number;
  /** Slower growth than this is not a leak worth a warning, whatever the ETA. */
  readonly minGrowthBytesPerSec: number;
  /** A raised trend clears only after this long without a qualifying fit, so a noisy fit does not flap. */
  readonly clearAfterMs: number;
}

export interface RestartLoopSettings {
  readonly count: number;
  readonly windowMs: number;
}

/** Local wall-clock times "HH:MM"; the range may wrap past midnight. */
export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

export interface AlertSettings {
  readonly memory: LevelSettings;
  /** Per-role memory budget in bytes; overrides the container's own limit and the host's memory. */
  readonly roleBudgetBytes: Readonly<Partial<Record<Role, number>>>;
  /** Percent of the CPUs the container may use (Sample.cpuOfLimitPercent). */
  readonly cpu: CpuSettings;
  /** All containers of a stack against the host's memory. */
  readonly stack: LevelSettings;
  readonly trend: TrendSettings;
  readonly restartLoop: RestartLoopSettings;
  /** After an alert was notified, the same (key, rule) is not notified again for this long. */
  readonly cooldownMs: number;
  /** Send an info alert when a notified condition clears. */
  readonly recoveredNotice: boolean;
  /** Everything is muted until this time (ms since epoch); null when not muted. */
  readonly muteUntil: number | null;
  /** Alert keys (Sample.key, `host/stack`, host) whose alerts are muted. */
  readonly mutedKeys: readonly string[];
  readonly quietHours: QuietHours | null;
}

const MIB = 1024 * 1024;

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  memory: { warningPercent: 85, criticalPercent: 90, hysteresisPoints: 5 },
  roleBudgetBytes: {},
  cpu: { warningPercent: 70, criticalPercent: 90, hysteresisPoints: 5, sustainMs: 60_000, maxGapMs: 30_000 },
  stack: { warningPercent: 85, criticalPercent: 90, hysteresisPoints: 5 },
  trend: {
    horizonMs: 10 * 60_000,
    windowMs: 5 * 60_000,
    minCoverage: 0.6,
    minPoints: 10,
    minGrowthBytesPerSec: MIB / 60,
    clearAfterMs: 60_000,
  },
  restartLoop: { count: 3, windowMs: 10 * 60_000 },
  cooldownMs: 5 * 60_000,
  recoveredNotice: false,
  muteUntil: null,
  mutedKeys: [],
  quietHours: null,
};
