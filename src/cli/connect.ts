import { readFileSync } from 'node:fs';
import { Collector } from '../collect/collector.ts';
import { chooseSource } from '../collect/choose-source.ts';
import { createEngineClient } from '../docker/client.ts';
import {
  defaultDeps,
  dockerodeOptions,
  parseHostUrl,
  resolveEndpoint,
  unreachableMessage,
  type Endpoint,
  type Resolution,
} from '../docker/endpoint.ts';
import { systemClock } from '../util/clock.ts';

export type SourceChoice = 'auto' | 'cgroup' | 'api';

export interface ConnectOptions {
  readonly intervalMs: number;
  readonly trayIntervalMs?: number;
  readonly includeOthers: boolean;
  readonly source: SourceChoice;
  readonly requestTimeoutMs: number;
}

/** The name a host goes by in samples and alerts: `local`, or the address the user gave. */
export function hostLabel(endpoint: Endpoint): string {
  if (endpoint.local) return 'local';
  return endpoint.url.replace(/^[a-z]+:\/\//, '');
}

/** Builds the collector for one engine: the found local one (`url` null) or a user-given URL. */
export async function createCollectorFor(
  url: string | null,
  options: ConnectOptions,
): Promise<{ ok: true; collector: Collector } | { ok: false; error: string }> {
  let resolution: Resolution;
  if (url === null) {
    resolution = await resolveEndpoint(defaultDeps());
  } else {
    const parsed = parseHostUrl(url);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    resolution = { endpoint: parsed.endpoint, reason: '--host was given', tried: [parsed.endpoint.url] };
  }
  const endpoint = resolution.endpoint;
  if (endpoint === null)
    return { ok: false, error: unreachableMessage(resolution, 'no engine socket was found') };
  let dockerOptions;
  try {
    dockerOptions = dockerodeOptions(endpoint, (path) => readFileSync(path));
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const client = createEngineClient(dockerOptions);
  const collector = new Collector({
    host: hostLabel(endpoint),
    endpoint: endpoint.url,
    reason: resolution.reason,
    client,
    clock: systemClock,
    intervals: { fastMs: options.intervalMs, trayMs: options.trayIntervalMs ?? options.intervalMs },
    mode: 'fast',
    includeOthers: options.includeOthers,
    requestTimeoutMs: options.requestTimeoutMs,
    createSource: (engine, containers) =>
      chooseSource({
        choice: options.source,
        endpoint,
        engine,
        containers,
        client,
        clock: systemClock,
        intervalMs: options.intervalMs,
        requestTimeoutMs: options.requestTimeoutMs,
      }),
    unreachableHint: (cause) => unreachableMessage(resolution, cause),
  });
  return { ok: true, collector };
}
