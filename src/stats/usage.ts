import type { Reading, Sample } from '../model.ts';
import { cpuOfLimitPercent, cpuPercent } from './cpu.ts';
import { memPercent } from './memory.ts';

/** What one sample shows: rates from two readings, levels and counters from the latest. */
export type Usage = Pick<
  Sample,
  | 'cpuPercent'
  | 'cpuOfLimitPercent'
  | 'memUsageBytes'
  | 'memLimitBytes'
  | 'memPercent'
  | 'netRxBytes'
  | 'netTxBytes'
  | 'blockReadBytes'
  | 'blockWriteBytes'
  | 'pids'
>;

function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

export function computeUsage(
  previous: Reading | null,
  current: Reading,
  cpuLimit: number | null,
  hostCpus: number | null = null,
): Usage {
  const percent = finiteOrNull(cpuPercent(previous, current, hostCpus));
  const cpus = current.onlineCpus > 0 ? current.onlineCpus : (hostCpus ?? 0);
  return {
    cpuPercent: percent,
    cpuOfLimitPercent: finiteOrNull(cpuOfLimitPercent(percent, cpuLimit, cpus)),
    memUsageBytes: finiteOrNull(current.memUsageBytes),
    memLimitBytes: finiteOrNull(current.memLimitBytes),
    memPercent: finiteOrNull(memPercent(current.memUsageBytes, current.memLimitBytes)),
    netRxBytes: finiteOrNull(current.netRxBytes),
    netTxBytes: finiteOrNull(current.netTxBytes),
    blockReadBytes: finiteOrNull(current.blockReadBytes),
    blockWriteBytes: finiteOrNull(current.blockWriteBytes),
    pids: finiteOrNull(current.pids),
  };
}
