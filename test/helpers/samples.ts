import type { Alert } from '../../src/alerts/types.ts';
import type { HostState, Sample } from '../../src/model.ts';

const GIB = 1024 ** 3;

/**
 * A running Dify api container's sample on `local`, with plain numbers under the host's 8 GiB.
 * Tests give what they look at; everything else is written once, here.
 */
export function makeSample(over: Partial<Sample> = {}): Sample {
  return {
    type: 'sample',
    ts: 0,
    host: 'local',
    stack: 'docker',
    role: 'api',
    service: 'api',
    name: 'docker-api-1',
    id: 'docker-api-1-id',
    image: 'langgenius/dify-api:1.10.1',
    state: 'running',
    health: 'none',
    cpuPercent: 1,
    cpuOfLimitPercent: 1,
    memUsageBytes: 0,
    memLimitBytes: 8 * GIB,
    memLimitSource: 'host',
    memPercent: 0,
    netRxBytes: 0,
    netTxBytes: 0,
    blockReadBytes: 0,
    blockWriteBytes: 0,
    pids: 3,
    restartCount: 0,
    oomKilled: false,
    exitCode: null,
    key: 'local/docker/api/1',
    ...over,
  };
}

/** A host state as a collector reports it for the default socket; the message is the state. */
export function makeHostState(
  host: string,
  state: HostState['state'],
  over: Partial<HostState> = {},
): HostState {
  return {
    type: 'host',
    ts: 0,
    host,
    state,
    message: state,
    endpoint: 'unix:///var/run/docker.sock',
    reason: 'test',
    ...over,
  };
}

/** The OOM kill of docker-worker-1 at `ts`, as the alert engine logs it. */
export function makeKillAlert(ts: number): Alert {
  return {
    type: 'alert',
    ts,
    severity: 'critical',
    rule: 'oom-killed',
    host: 'local',
    stack: 'docker',
    name: 'docker-worker-1',
    role: 'worker',
    message: 'docker-worker-1 was OOM-killed',
    valueBytes: null,
    limitBytes: null,
    etaSeconds: null,
    key: 'local/docker/worker/1',
  };
}
