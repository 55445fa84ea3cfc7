import { localDocker, type DockerCli } from './docker-cli.ts';

/**
 * One row of `docker stats --no-stream --format '{{json .}}'`, numbers parsed. This is the
 * reference the monitor's own figures are checked against, so it reads only what the CLI prints
 * and shares no code with src/. Null where the CLI prints `--` (a container that is not running).
 */
export interface DockerStatsRow {
  readonly id: string;
  readonly name: string;
  readonly cpuPercent: number | null;
  readonly memUsageBytes: number | null;
  readonly memLimitBytes: number | null;
  readonly memPercent: number | null;
  readonly netRxBytes: number | null;
  readonly netTxBytes: number | null;
  readonly blockReadBytes: number | null;
  readonly blockWriteBytes: number | null;
  readonly pids: number | null;
}

/* go-units: memory in 1024-based units, network and block I/O in 1000-based ones. */
const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  pib: 2 ** 50,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
};

/** `12.5MiB` → 13107200, `1.2kB` → 1200, rounded to whole bytes; null for `--` or anything else unreadable. */
export function parseSize(text: string): number | null {
  const match = /^\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([a-z]+)\s*$/i.exec(text);
  if (match === null) return null;
  const factor = UNITS[(match[2] ?? '').toLowerCase()];
  return factor === undefined ? null : Math.round(Number(match[1]) * factor);
}

/** `12.5MiB / 1GiB` → [used, limit]. */
export function parsePair(text: string | undefined): [number | null, number | null] {
  const [left, right] = (text ?? '').split('/');
  return [parseSize(left ?? ''), parseSize(right ?? '')];
}

/** `101.25%` → 101.25. */
export function parsePercent(text: string | undefined): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)%\s*$/.exec(text ?? '');
  return match === null ? null : Number(match[1]);
}

function parseCount(text: string | undefined): number | null {
  return /^\s*\d+\s*$/.test(text ?? '') ? Number(text) : null;
}

export function parseStatsRow(line: string): DockerStatsRow {
  const raw = JSON.parse(line) as Record<string, string | undefined>;
  const [memUsageBytes, memLimitBytes] = parsePair(raw['MemUsage']);
  const [netRxBytes, netTxBytes] = parsePair(raw['NetIO']);
  const [blockReadBytes, blockWriteBytes] = parsePair(raw['BlockIO']);
  return {
    id: raw['ID'] ?? '',
    name: raw['Name'] ?? '',
    cpuPercent: parsePercent(raw['CPUPerc']),
    memUsageBytes,
    memLimitBytes,
    memPercent: parsePercent(raw['MemPerc']),
    netRxBytes,
    netTxBytes,
    blockReadBytes,
    blockWriteBytes,
    pids: parseCount(raw['PIDs']),
  };
}

/** One `docker stats --no-stream` pass over the named containers (the CLI spends about 2 s on it). */
export async function dockerStatsSnapshot(
  names: readonly string[],
  docker: DockerCli = localDocker,
): Promise<DockerStatsRow[]> {
  if (names.length === 0) return [];
  const out = await docker('stats', '--no-stream', '--format', '{{json .}}', ...names);
  return out
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map(parseStatsRow);
}
