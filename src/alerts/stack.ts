/**
 * A Dify stack's memory as a whole. No Dify service sets a memory limit, so on Docker Desktop or a
 * small VM it is the sum over all containers that runs out, before any one of them looks big.
 */
import type { Sample } from '../model.ts';
import { formatBytesOf, formatPercent } from './format.ts';

export interface StackTotal {
  readonly stack: string;
  readonly usedBytes: number;
  readonly containers: number;
}

/** Memory in use per stack, over the samples of one host's round that have a reading. */
export function stackTotals(samples: readonly Sample[]): StackTotal[] {
  const totals = new Map<string, { usedBytes: number; containers: number }>();
  for (const s of samples) {
    if (s.stack === null || s.memUsageBytes === null || !Number.isFinite(s.memUsageBytes)) continue;
    const total = totals.get(s.stack);
    if (total === undefined) totals.set(s.stack, { usedBytes: s.memUsageBytes, containers: 1 });
    else {
      total.usedBytes += s.memUsageBytes;
      total.containers++;
    }
  }
  return [...totals].map(([stack, t]) => ({ stack, ...t }));
}

/** The host's memory as samples reveal it: a container without a limit reports the host's as its own. */
export function hostMemoryOf(samples: readonly Sample[]): number | null {
  for (const s of samples) {
    // Under one byte is no reading of memory (a broken body), and would divide into Infinity %.
    if (s.memLimitSource === 'host' && s.memLimitBytes !== null && s.memLimitBytes >= 1)
      return s.memLimitBytes;
  }
  return null;
}

/** "Dify (docker) is using 7.1 of 7.7 GiB of the host's memory (92 %)". */
export function stackMessage(stack: string, usedBytes: number, hostBytes: number): string {
  const percent = formatPercent((usedBytes / hostBytes) * 100);
  return `Dify (${stack}) is using ${formatBytesOf(usedBytes, hostBytes)} of the host's memory (${percent})`;
}
