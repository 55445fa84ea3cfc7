import type { Reading } from '../model.ts';

/** The cumulative CPU time of a reading in seconds: Linux counts ns, Windows 100 ns intervals. */
export function cpuSeconds(reading: Reading): number | null {
  const seconds = reading.cpuTotal / (reading.platform === 'windows' ? 1e7 : 1e9);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/**
 * CPU % as the docker CLI computes it (cli/command/container/stats_helpers.go), where 100 % is
 * one full core. Unlike the CLI, which prints 0 % whenever it cannot tell, this returns null for
 * "unknown" (no earlier reading, counters that went backwards after a restart, no CPU count), so
 * a chart shows a gap rather than a false idle.
 */
export function cpuPercent(
  previous: Reading | null,
  current: Reading,
  hostCpus: number | null,
): number | null {
  if (previous === null || previous.platform !== current.platform) return null;
  const cpuDelta = current.cpuTotal - previous.cpuTotal;
  if (cpuDelta < 0) return null;
  return current.platform === 'windows'
    ? windowsPercent(previous, current, cpuDelta)
    : linuxPercent(previous, current, cpuDelta, hostCpus);
}

/** cpuDelta / systemDelta × onlineCPUs × 100; the CLI's own fallback to len(percpu_usage) happens when reading. */
function linuxPercent(
  previous: Reading,
  current: Reading,
  cpuDelta: number,
  hostCpus: number | null,
): number | null {
  if (current.systemCpu === null || previous.systemCpu === null) return null;
  const systemDelta = current.systemCpu - previous.systemCpu;
  const cpus = current.onlineCpus > 0 ? current.onlineCpus : (hostCpus ?? 0);
  if (systemDelta <= 0 || cpus <= 0) return null;
  return (cpuDelta / systemDelta) * cpus * 100;
}

/** Windows counts CPU time in 100 ns intervals; the possible intervals are wall time × processors. */
function windowsPercent(previous: Reading, current: Reading, cpuDelta: number): number | null {
  if (current.readTimeNs === undefined || previous.readTimeNs === undefined) return null;
  const processors = current.numProcs ?? current.onlineCpus;
  const possibleIntervals = ((current.readTimeNs - previous.readTimeNs) / 100) * processors;
  if (!(possibleIntervals > 0)) return null;
  return (cpuDelta / possibleIntervals) * 100;
}

/** The share of what the container may use: its CPU limit, else every CPU it can see. */
export function cpuOfLimitPercent(
  percent: number | null,
  cpuLimit: number | null,
  onlineCpus: number,
): number | null {
  if (percent === null) return null;
  const allowed = cpuLimit !== null && cpuLimit > 0 ? cpuLimit : onlineCpus;
  return allowed > 0 ? percent / allowed : null;
}
