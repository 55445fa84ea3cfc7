import type { ContainerMeta } from '../model.ts';
import type { EngineClient, EngineInfo } from '../docker/client.ts';
import type { Endpoint } from '../docker/endpoint.ts';
import type { Clock } from '../util/clock.ts';
import { createApiSource } from './api-source.ts';
import { cgroupUnavailableReason, createCgroupSource } from './cgroup-source.ts';
import { createProcReader } from './proc-reader.ts';
import type { ProcessReader } from './process-reading.ts';
import type { StatsSource } from './source.ts';
import { createTopReader } from './top-reader.ts';

export interface SourceChoiceInput {
  readonly choice: 'auto' | 'cgroup' | 'api';
  readonly endpoint: Endpoint;
  readonly engine: EngineInfo;
  readonly containers: readonly ContainerMeta[];
  readonly client: EngineClient;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * The kernel's cgroup files cost a few file reads per sample; the engine's API costs the
 * engine milliseconds of CPU per sample. Use the files whenever this process can see the
 * engine's containers (a local Linux engine), the API otherwise.
 */
export function chooseSource(input: SourceChoiceInput): {
  source: StatsSource;
  reason: string;
  processes: ProcessReader;
} {
  const api = (): StatsSource =>
    createApiSource({
      client: input.client,
      clock: input.clock,
      intervalMs: input.intervalMs,
      requestTimeoutMs: input.requestTimeoutMs,
      concurrency: 8,
    });
  // Processes come from where the numbers do: /proc beside the cgroup files, else the engine's top.
  const top = (): ProcessReader =>
    createTopReader({ client: input.client, requestTimeoutMs: input.requestTimeoutMs });
  if (input.choice === 'api')
    return { source: api(), reason: 'reading stats from the engine API (--source api)', processes: top() };
  const unavailable = cgroupUnavailableReason(input.endpoint, input.engine, input.containers);
  if (unavailable === null) {
    return {
      source: createCgroupSource({
        clock: input.clock,
        memTotalBytes: input.engine.memTotalBytes,
        fallback: api(),
      }),
      reason: 'reading stats from the kernel cgroup files, without asking the engine',
      processes: createProcReader(),
    };
  }
  if (input.choice === 'cgroup') {
    return {
      source: api(),
      reason: `cgroup files cannot be used (${unavailable}); reading the engine API instead`,
      processes: top(),
    };
  }
  return { source: api(), reason: `reading stats from the engine API (${unavailable})`, processes: top() };
}
