/**
 * The memory line a container is judged against. Dify sets no memory limits, so for most
 * containers this is the host's (or Docker Desktop VM's) memory; a per-role budget from the
 * settings overrides both, because "worker may use 1.5 GiB" is how a user thinks about it.
 */
import type { Role, Sample } from '../model.ts';
import { formatBytes } from './format.ts';

export type LimitSource = 'budget' | 'container' | 'host';

export interface EffectiveLimit {
  readonly bytes: number;
  readonly source: LimitSource;
}

export function effectiveLimit(
  sample: Pick<Sample, 'role' | 'memLimitBytes' | 'memLimitSource'>,
  budgets: Readonly<Partial<Record<Role, number>>>,
): EffectiveLimit | null {
  const budget = budgets[sample.role];
  if (budget !== undefined && Number.isFinite(budget) && budget > 0)
    return { bytes: budget, source: 'budget' };
  const bytes = sample.memLimitBytes;
  if (bytes === null || !Number.isFinite(bytes) || bytes <= 0) return null;
  return { bytes, source: sample.memLimitSource };
}

/** The limit as a message names it: "its 2.0 GiB limit", "the host's 23.5 GiB (no limit set)", "its 1.5 GiB budget". */
export function describeLimit(limit: EffectiveLimit): string {
  const size = formatBytes(limit.bytes);
  switch (limit.source) {
    case 'budget':
      return `its ${size} budget`;
    case 'container':
      return `its ${size} limit`;
    case 'host':
      return `the host's ${size} (no limit set)`;
  }
}
