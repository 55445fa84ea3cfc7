import type { Reading } from '../model.ts';
import { arrayAt, counterAt, isObject, objectAt, stringAt, type JsonObject } from './json.ts';
import { blockIo, networkIo, storageIo } from './io.ts';
import { usageWithoutCache } from './memory.ts';
import { parseEngineTimeNs } from './time.ts';

export type ParsedReading =
  { readonly ok: true; readonly reading: Reading } | { readonly ok: false; readonly error: string };

/**
 * The engine does not say its OS in a stats body. Windows bodies carry a processor count and
 * private working set but no host CPU time; Linux ones (Docker and Podman) have system_cpu_usage.
 */
function isWindows(body: JsonObject): boolean {
  const memory = objectAt(body, 'memory_stats');
  if (memory !== null && 'privateworkingset' in memory) return true;
  const cpu = objectAt(body, 'cpu_stats');
  return (counterAt(body, 'num_procs') ?? 0) > 0 && counterAt(cpu, 'system_cpu_usage') === null;
}

/** online_cpus, else the length of percpu_usage as the CLI falls back to (API < 1.27 and Podman), else 0. */
function onlineCpusOf(cpu: JsonObject | null): number {
  const online = counterAt(cpu, 'online_cpus');
  if (online !== null && online > 0) return online;
  return arrayAt(objectAt(cpu, 'cpu_usage'), 'percpu_usage')?.length ?? 0;
}

/**
 * The counters of one `GET /containers/{id}/stats` body. Its time is ours (`now`), not the
 * engine's `read`, because a remote engine's clock may be off and charts share one time axis.
 */
export function readingFromStats(body: unknown, now: number): ParsedReading {
  if (!isObject(body)) return { ok: false, error: 'the engine sent stats that are not a JSON object' };
  const cpu = objectAt(body, 'cpu_stats');
  const cpuTotal = counterAt(objectAt(cpu, 'cpu_usage'), 'total_usage');
  if (cpuTotal === null) return { ok: false, error: 'the engine sent stats without CPU usage' };
  const windows = isWindows(body);
  const memory = objectAt(body, 'memory_stats');
  const rawUsage = counterAt(memory, windows ? 'privateworkingset' : 'usage');
  const limit = windows ? null : counterAt(memory, 'limit');
  const net = networkIo(body['networks']);
  const block = windows ? storageIo(body['storage_stats']) : blockIo(body['blkio_stats']);
  const readNs = parseEngineTimeNs(stringAt(body, 'read'));
  const numProcs = counterAt(body, 'num_procs') ?? 0;
  return {
    ok: true,
    reading: {
      ts: now,
      platform: windows ? 'windows' : 'linux',
      cpuTotal,
      systemCpu: counterAt(cpu, 'system_cpu_usage'),
      onlineCpus: windows ? numProcs : onlineCpusOf(cpu),
      memUsageBytes: rawUsage === null || windows ? rawUsage : usageWithoutCache(rawUsage, memory?.['stats']),
      memLimitBytes: limit !== null && limit > 0 ? limit : null,
      pids: counterAt(objectAt(body, 'pids_stats'), 'current'),
      netRxBytes: net?.rx ?? null,
      netTxBytes: net?.tx ?? null,
      blockReadBytes: block?.read ?? null,
      blockWriteBytes: block?.write ?? null,
      ...(windows && readNs !== null ? { readTimeNs: readNs, numProcs } : {}),
    },
  };
}

/**
 * The engine's previous sample of CPU counters, which a streamed body carries in precpu_stats.
 * Using it gives exactly the CLI's numbers. A first or one-shot body has an empty one: not ok.
 */
export function readingFromPrecpu(body: unknown, now: number): ParsedReading {
  if (!isObject(body)) return { ok: false, error: 'not a JSON object' };
  const current = readingFromStats(body, now);
  if (!current.ok) return current;
  const precpu = objectAt(body, 'precpu_stats');
  const cpuTotal = counterAt(objectAt(precpu, 'cpu_usage'), 'total_usage');
  const prereadNs = parseEngineTimeNs(stringAt(body, 'preread'));
  const readNs = parseEngineTimeNs(stringAt(body, 'read'));
  const systemCpu = counterAt(precpu, 'system_cpu_usage');
  const windows = current.reading.platform === 'windows';
  if (
    cpuTotal === null ||
    prereadNs === null ||
    readNs === null ||
    (!windows && (systemCpu === null || systemCpu === 0))
  ) {
    return { ok: false, error: 'no previous sample in this body' };
  }
  return {
    ok: true,
    reading: {
      ...current.reading,
      ts: now - Math.max(0, Math.round((readNs - prereadNs) / 1e6)),
      cpuTotal,
      systemCpu,
      ...(windows ? { readTimeNs: prereadNs } : {}),
    },
  };
}
