/**
 * What a rule has to say, before the engine makes it an alert: the engine adds who it is about,
 * the time, and whether it is muted.
 */
import type { EffectiveLimit } from './limit.ts';
import type { Decision } from './noise.ts';
import type { Level } from './threshold.ts';
import type { Alert, AlertRule, HeldProcess, LogLine, Severity, SnapshotEntry } from './types.ts';

/** A container rule's words and figures; the container is the engine's to add. */
export interface Notice {
  readonly rule: AlertRule;
  readonly severity: Severity;
  readonly message: string;
  readonly valueBytes?: number | null;
  readonly limit?: EffectiveLimit | null;
  readonly etaSeconds?: number | null;
  readonly snapshot?: readonly SnapshotEntry[];
  readonly process?: HeldProcess;
  readonly logLine?: LogLine;
}

/** Everything of an alert but when it was raised and whether it is muted. */
export type AlertFields = Omit<Alert, 'type' | 'ts' | 'muted' | 'key'> & { readonly key: string };

/** A raised level as a severity; only warning and critical are ever raised. */
export function severityOf(level: Level): Severity {
  return level === 'critical' ? 'critical' : 'warning';
}

/**
 * A condition's step as a notice: the rule's own when raised, a recovered one when a raised
 * episode ended (the engine drops those unless the settings ask for them). Built only when due.
 */
export function noticeOf(
  decision: Decision,
  raised: () => Notice,
  recovered: () => Omit<Notice, 'rule' | 'severity'>,
): Notice | null {
  if (decision === 'raise') return raised();
  if (decision === 'recover') return { rule: 'recovered', severity: 'info', ...recovered() };
  return null;
}
