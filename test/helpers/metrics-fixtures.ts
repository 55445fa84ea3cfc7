import type { HostState, Sample } from '../../src/model.ts';
import { makeHostState, makeSample } from './samples.ts';

export const MiB = 1024 * 1024;
export const T0 = Date.UTC(2025, 10, 23, 12, 0, 0);

/** A running container's sample with every exported counter set; `extra` overrides any field. */
export function sample(name: string, extra: Partial<Sample> = {}): Sample {
  const service = name.replace(/^docker-|-1$/g, '');
  return makeSample({
    ts: T0,
    service,
    name,
    id: `${name}-id`,
    cpuPercent: 12.5,
    cpuSeconds: 42.25,
    cpuOfLimitPercent: 6.25,
    memUsageBytes: 100 * MiB,
    memLimitBytes: 256 * MiB,
    memLimitSource: 'container',
    memPercent: 39.0625,
    netRxBytes: 1000,
    netTxBytes: 2000,
    blockReadBytes: 3000,
    blockWriteBytes: 4000,
    pids: 7,
    restartCount: 2,
    key: `local/docker/${service}/1`,
    ...extra,
  });
}

export function host(name: string, state: HostState['state'], memTotalBytes = 8192 * MiB): HostState {
  return makeHostState(name, state, { ts: T0, memTotalBytes });
}
