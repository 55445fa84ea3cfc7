/**
 * What is wrong now, as one answer for every shell: the tray icon, the page's badges and stack
 * cards, the CLI table and `/metrics` all read this, and none of them judges a sample itself.
 * It is the alert engine's active conditions (with their hysteresis: a container that rose past
 * 85 % stays warning until it falls below 80 %), plus OOM kills of the last 15 minutes, which are
 * moments in the log rather than conditions. Pure and browser-safe.
 */
import { t } from '../i18n/index.ts';
import { ALERT_RULES, type ActiveAlert, type Alert, type AlertRule, type Severity } from './types.ts';

const VERDICT_LEVELS = ['warning', 'critical'] as const;
export type VerdictLevel = (typeof VERDICT_LEVELS)[number];

const VERDICT_SCOPES = ['container', 'stack', 'host'] as const;
export type VerdictScope = (typeof VERDICT_SCOPES)[number];

/** One container, stack or host that something holds for. */
export interface Finding {
  /** Sample.key of a container, `host/stack` of a stack, the host's name. */
  readonly key: string;
  readonly scope: VerdictScope;
  readonly host: string;
  readonly stack: string | null;
  readonly name: string;
  readonly level: VerdictLevel;
  /** What holds, worst first: the rule whose words a UI shows is the first. */
  readonly reasons: readonly { readonly rule: AlertRule; readonly level: VerdictLevel }[];
}

export interface Verdict {
  /** Worst first, then by name: the order a list of problems reads in. */
  readonly findings: readonly Finding[];
}

/** An OOM kill keeps its container critical this long, everywhere. */
export const RECENT_KILL_MS = 15 * 60_000;

const SCOPE_OF: Readonly<Partial<Record<AlertRule, VerdictScope>>> = {
  'stack-memory': 'stack',
  'host-down': 'host',
};

/** Which rule's words win when several hold at one level: lower first. Every rule has a place. */
const WORDS_FIRST: Readonly<Record<AlertRule, number>> = {
  'oom-killed': 0,
  killed: 1,
  'memory-threshold': 2,
  'memory-trend': 3,
  'log-signature': 4,
  'restart-loop': 5,
  unhealthy: 6,
  'cpu-threshold': 7,
  'stack-memory': 8,
  'host-down': 9,
  'host-up': 10,
  recovered: 11,
};

function levelOfSeverity(severity: Severity): VerdictLevel | null {
  return severity === 'info' ? null : severity;
}

const rank = (level: VerdictLevel): number => VERDICT_LEVELS.indexOf(level);

interface Draft {
  key: string;
  scope: VerdictScope;
  host: string;
  stack: string | null;
  name: string;
  reasons: { rule: AlertRule; level: VerdictLevel }[];
}

/**
 * @param active the engine's conditions that hold now (`AlertEngine.active()`)
 * @param log the alert log, newest first
 */
export function verdictOf(active: readonly ActiveAlert[], log: readonly Alert[], now: number): Verdict {
  const drafts = new Map<string, Draft>();
  const add = (where: Omit<Draft, 'reasons'>, rule: AlertRule, level: VerdictLevel): void => {
    const draft = drafts.get(where.key) ?? { ...where, reasons: [] };
    drafts.set(where.key, draft);
    if (!draft.reasons.some((r) => r.rule === rule && r.level === level)) draft.reasons.push({ rule, level });
  };
  for (const a of active) {
    const level = levelOfSeverity(a.severity);
    if (level === null) continue;
    const scope = SCOPE_OF[a.rule] ?? 'container';
    add({ key: a.key, scope, host: a.host, stack: a.stack, name: a.name }, a.rule, level);
  }
  for (const alert of log) {
    if (now - alert.ts > RECENT_KILL_MS) break;
    if (alert.rule !== 'oom-killed') continue;
    const key = alert.key ?? alert.name;
    add(
      { key, scope: 'container', host: alert.host, stack: alert.stack, name: alert.name },
      'oom-killed',
      'critical',
    );
  }
  const findings = [...drafts.values()].map((d): Finding => {
    const reasons = d.reasons.sort(
      (a, b) => rank(b.level) - rank(a.level) || WORDS_FIRST[a.rule] - WORDS_FIRST[b.rule],
    );
    return { ...d, level: reasons[0]?.level ?? 'warning', reasons };
  });
  findings.sort((a, b) => rank(b.level) - rank(a.level) || a.name.localeCompare(b.name));
  return { findings };
}

/** The finding for one key, if any: what a badge or a row shows. */
export function findingFor(verdict: Verdict, key: string): Finding | undefined {
  return verdict.findings.find((f) => f.key === key);
}

/** How many containers, stacks and hosts are warning and critical. */
export function countLevels(verdict: Verdict): Readonly<Record<VerdictLevel, number>> {
  const out = { warning: 0, critical: 0 };
  for (const f of verdict.findings) out[f.level]++;
  return out;
}

/** The words a UI shows for a finding's first reason, in the user's language. */
export function reasonWords(rule: AlertRule, level: VerdictLevel): string {
  switch (rule) {
    case 'memory-threshold':
      return level === 'critical' ? t('verdict:memoryCritical') : t('verdict:memoryHigh');
    case 'memory-trend':
      return t('verdict:memoryRising');
    case 'stack-memory':
      return t('verdict:stackMemoryHigh');
    case 'cpu-threshold':
      return level === 'critical' ? t('verdict:cpuCritical') : t('verdict:cpuHigh');
    case 'oom-killed':
      return t('verdict:oomKilled');
    case 'killed':
      return t('verdict:killed');
    case 'log-signature':
      return t('verdict:log');
    case 'restart-loop':
      return t('verdict:restartLoop');
    case 'unhealthy':
      return t('verdict:unhealthy');
    case 'host-down':
      return t('verdict:unreachable');
    case 'host-up':
    case 'recovered':
      return t('verdict:ok');
  }
}

const MAX_FINDINGS = 5000;

function isReason(v: unknown): v is Finding['reasons'][number] {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r['rule'] === 'string' &&
    (ALERT_RULES as readonly string[]).includes(r['rule']) &&
    (VERDICT_LEVELS as readonly unknown[]).includes(r['level'])
  );
}

function isFinding(v: unknown): v is Finding {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  const short = (x: unknown): boolean => typeof x === 'string' && x.length <= 1000;
  return (
    short(f['key']) &&
    short(f['host']) &&
    short(f['name']) &&
    (f['stack'] === null || short(f['stack'])) &&
    (VERDICT_SCOPES as readonly unknown[]).includes(f['scope']) &&
    (VERDICT_LEVELS as readonly unknown[]).includes(f['level']) &&
    Array.isArray(f['reasons']) &&
    f['reasons'].length <= ALERT_RULES.length * VERDICT_LEVELS.length &&
    f['reasons'].every(isReason)
  );
}

/** A verdict from an untrusted side (the bridge, a page), or null when it is not one. */
export function parseVerdict(v: unknown): Verdict | null {
  if (typeof v !== 'object' || v === null) return null;
  const findings = (v as Record<string, unknown>)['findings'];
  if (!Array.isArray(findings) || findings.length > MAX_FINDINGS || !findings.every(isFinding)) return null;
  return { findings };
}
