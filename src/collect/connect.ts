import { readFileSync } from 'node:fs';
import { Collector } from './collector.ts';
import { chooseSource } from './choose-source.ts';
import { classifyFailure } from '../docker/failure.ts';
import type { EngineInfo } from '../docker/client.ts';
import { binarySize } from '../stats/units.ts';
import { createEngineClient } from '../docker/client.ts';
import { dockerodeOptions, type DockerodeOptions, type SshFiles } from '../docker/dockerode-options.ts';
import { parseHostUrl, type Endpoint, type ParsedHost } from '../docker/endpoint.ts';
import { defaultDeps } from '../docker/machine.ts';
import { resolveEndpoint, type Resolution } from '../docker/resolve.ts';
import { unreachableMessage } from '../docker/unreachable.ts';
import { systemClock } from '../util/clock.ts';
import { engineName, engineNames, type EngineToName } from './engine-names.ts';

export type SourceChoice = 'auto' | 'cgroup' | 'api';

export interface ConnectOptions {
  readonly intervalMs: number;
  readonly trayIntervalMs?: number;
  readonly includeOthers: boolean;
  readonly source: SourceChoice;
  readonly requestTimeoutMs: number;
}

/** Said with every state of a plain tcp:// host, in the CLI and in the UI. */
export function plainTcpWarning(endpoint: Endpoint): string | undefined {
  if (endpoint.transport !== 'tcp' || endpoint.tls !== null) return undefined;
  return `${endpoint.url} is plain TCP: unauthenticated and unencrypted, so anyone who can reach that port controls the engine. Use TLS (tcp://…:2376 with certificates) or ssh:// instead.`;
}

/**
 * A saved engine as this layer needs it; the settings' `HostSetting` has this shape. Declared
 * here so that connecting does not depend on the settings schema above it.
 */
export interface SavedEngine {
  readonly name: string;
  readonly url: string;
  readonly tls?: { readonly caPath?: string; readonly certPath?: string; readonly keyPath?: string };
  readonly identityFile?: string;
  readonly knownHostsFile?: string;
}

/** The endpoint of a saved host: TLS, when it has files, always verifies. */
export function savedEndpoint(host: SavedEngine): ParsedHost {
  const tls = host.tls === undefined ? null : { verify: true, ...host.tls };
  return parseHostUrl(host.url, tls);
}

/** What to watch: the engine found like the docker CLI (null), a `--host` URL, or a saved host. */
export type HostTarget = null | string | SavedEngine;

/** An engine resolved and ready to dial, and what it is to be named after. */
interface Dial {
  readonly resolution: Resolution;
  readonly endpoint: Endpoint;
  readonly options: DockerodeOptions;
  readonly naming: EngineToName;
}

/** Resolves a target to an endpoint and the options to dial it, or a sentence saying why not. */
export async function dialOptionsFor(
  target: HostTarget,
): Promise<({ ok: true } & Dial) | { ok: false; error: string }> {
  let resolution: Resolution;
  if (target === null || typeof target === 'string') {
    resolution = await resolveEndpoint(defaultDeps(), target === null ? {} : { host: target });
  } else {
    const parsed = savedEndpoint(target);
    if (!parsed.ok) return { ok: false, error: `Saved host "${target.name}": ${parsed.error}` };
    resolution = {
      endpoint: parsed.endpoint,
      reason: `saved host "${target.name}"`,
      tried: [parsed.endpoint.url],
    };
  }
  const endpoint = resolution.endpoint;
  if (endpoint === null) {
    return { ok: false, error: unreachableMessage(resolution, 'no engine socket was found') };
  }
  const saved = target !== null && typeof target === 'object' ? target : null;
  const sshFiles: SshFiles = {
    ...(saved?.identityFile === undefined ? {} : { identityFile: saved.identityFile }),
    ...(saved?.knownHostsFile === undefined ? {} : { knownHostsFile: saved.knownHostsFile }),
  };
  try {
    const options = dockerodeOptions(endpoint, (path) => readFileSync(path), process.env, sshFiles);
    const naming = saved === null ? { endpoint, context: resolution.context } : { saved: saved.name };
    return { ok: true, resolution, endpoint, options, naming };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Builds the collector for one engine: the found local one, a `--host` URL or a saved host. */
export async function createCollectorFor(
  target: HostTarget,
  options: ConnectOptions,
): Promise<{ ok: true; collector: Collector } | { ok: false; error: string }> {
  const dial = await dialOptionsFor(target);
  if (!dial.ok) return dial;
  return { ok: true, collector: collectorFor(dial, engineName(dial.naming, defaultDeps()), options) };
}

/**
 * The collectors of engines watched side by side, each under a name of its own that none of the
 * `reserved` saved hosts (those that cannot be set up now) goes by either.
 */
function collectorsFor(
  dials: readonly Dial[],
  reserved: readonly string[],
  options: ConnectOptions,
): Collector[] {
  const names = engineNames(
    [...dials.map((dial) => dial.naming), ...reserved.map((saved) => ({ saved }))],
    defaultDeps(),
  );
  return dials.map((dial, i) => collectorFor(dial, names[i] ?? 'local', options));
}

function collectorFor(dial: Dial, name: string, options: ConnectOptions): Collector {
  const { endpoint, resolution } = dial;
  const client = createEngineClient(dial.options);
  const warning = plainTcpWarning(endpoint);
  return new Collector({
    host: name,
    ...(warning === undefined ? {} : { warning }),
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
}

/**
 * The collectors for `watch` and `serve`: the `--host` URLs when given (any that fails is an
 * error), else the local engine and the saved hosts. Then a local engine that is not there, or a
 * saved host that cannot be set up, is only reported: the others are still worth watching.
 */
export async function createCollectors(
  hostFlags: readonly string[],
  saved: readonly SavedEngine[],
  options: ConnectOptions,
  warn: (text: string) => void,
): Promise<{ ok: true; collectors: Collector[] } | { ok: false; error: string }> {
  const dials: Dial[] = [];
  if (hostFlags.length > 0) {
    for (const url of hostFlags) {
      const dial = await dialOptionsFor(url);
      if (!dial.ok) return dial;
      dials.push(dial);
    }
    return { ok: true, collectors: collectorsFor(dials, [], options) };
  }
  const local = await dialOptionsFor(null);
  if (local.ok) dials.push(local);
  else if (saved.length === 0) return local;
  else warn(`No local engine (${local.error}); watching the saved hosts.`);
  const unwatched: string[] = [];
  for (const host of saved) {
    // The local engine saved as a host too (an imported context) is watched once, as the local engine.
    if (local.ok && local.endpoint.url === host.url) continue;
    const dial = await dialOptionsFor(host);
    if (dial.ok) dials.push(dial);
    else {
      warn(dial.error);
      unwatched.push(host.name);
    }
  }
  if (dials.length === 0) return { ok: false, error: 'None of the saved hosts can be watched.' };
  return { ok: true, collectors: collectorsFor(dials, unwatched, options) };
}

/** "Docker 28.2.2 (API 1.50) on Debian GNU/Linux 12 (linux), 2 CPUs, 7.6 GiB memory" */
function engineSummary(engine: EngineInfo): string {
  const os = engine.operatingSystem === '' ? engine.os : `${engine.operatingSystem} (${engine.os})`;
  return `${engine.product ?? 'Docker'} ${engine.version} (API ${engine.apiVersion}) on ${os}, ${engine.cpus} CPUs, ${binarySize(engine.memTotalBytes)} memory`;
}

/** One connection attempt; the exact failure, classified as the collector would. */
export async function testHost(
  target: HostTarget,
  timeoutMs: number,
): Promise<
  | { ok: true; summary: string; engine: EngineInfo; warning?: string }
  | { ok: false; state: string; error: string }
> {
  const dial = await dialOptionsFor(target);
  if (!dial.ok) return { ok: false, state: 'invalid', error: dial.error };
  const client = createEngineClient(dial.options);
  try {
    const engine = await client.describe(AbortSignal.timeout(timeoutMs));
    const warning = plainTcpWarning(dial.endpoint);
    return {
      ok: true,
      summary: engineSummary(engine),
      engine,
      ...(warning === undefined ? {} : { warning }),
    };
  } catch (error) {
    const failure = classifyFailure(error);
    return { ok: false, state: failure.state, error: failure.reason };
  } finally {
    client.close();
  }
}
