import { existsSync, readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import type { ContainerMeta, Reading } from '../model.ts';
import type { EngineInfo } from '../docker/client.ts';
import type { Endpoint } from '../docker/endpoint.ts';
import type { Clock } from '../util/clock.ts';
import { usageWithoutCache } from '../stats/memory.ts';
import { KernelFile, openOptional } from './cgroup/files.ts';
import { isDying, parseKernelCounters, parseVmstatOomKills } from './cgroup/oom-counters.ts';
import {
  parseBlkioV1,
  parseFlatKeyed,
  parseIoStatV2,
  parseNetDev,
  parseSingle,
  parseSystemCpuNs,
  type ByteCounts,
} from './cgroup/parse.ts';
import { parseMountinfo, parseProcCgroup, resolveCgroupDirs, type CgroupMount } from './cgroup/paths.ts';
import type { SourceResult, StatsSource } from './source.ts';

export interface CgroupSourceOptions {
  readonly clock: Clock;
  /** The engine reports this as the limit of a container without one; so do we. */
  readonly memTotalBytes: number;
  /** Answers for containers whose files this process cannot open. */
  readonly fallback: StatsSource;
  /** Where /proc is; tests point it at a made-up tree. */
  readonly procRoot?: string;
}

/** The open files of one container, for one pid: a restarted container gets new ones. */
interface ContainerFiles {
  readonly pid: number;
  readonly version: 1 | 2;
  readonly memoryUsage: KernelFile;
  readonly memoryStat: KernelFile;
  readonly memoryLimit: KernelFile;
  readonly cpu: KernelFile;
  readonly pids: KernelFile | null;
  readonly blkio: readonly KernelFile[];
  readonly netDev: KernelFile | null;
  /** v1 `memory.oom_control`, v2 `memory.events`; v1's `memory.failcnt`. */
  readonly oomEvents: KernelFile | null;
  readonly failcnt: KernelFile | null;
  /** The main process's status: whether it is dying when the kill count rises. */
  readonly status: KernelFile | null;
  /** The kill count last handed on. */
  lastOomKills: number | null;
}

function sameInode(a: string, b: string): boolean {
  try {
    return statSync(a).ino === statSync(b).ino;
  } catch {
    return false;
  }
}

function openFiles(procRoot: string, meta: ContainerMeta, mounts: readonly CgroupMount[]): ContainerFiles {
  const procCgroup = parseProcCgroup(readFileSync(`${procRoot}/${meta.pid}/cgroup`, 'latin1'));
  const dirs = resolveCgroupDirs(procCgroup, mounts, meta.id, existsSync);
  if (dirs === null) throw new Error(`no cgroup directory found for pid ${meta.pid}`);
  const opened: KernelFile[] = [];
  const open = (path: string): KernelFile => {
    const file = new KernelFile(path);
    opened.push(file);
    return file;
  };
  const optional = (path: string): KernelFile | null => {
    const file = openOptional(path);
    if (file !== null) opened.push(file);
    return file;
  };
  try {
    // A --network host container sees our interfaces; the engine reports no networks for it.
    const hostNetwork = sameInode(`${procRoot}/${meta.pid}/ns/net`, `${procRoot}/self/ns/net`);
    const netDev = hostNetwork ? null : optional(`${procRoot}/${meta.pid}/net/dev`);
    const status = optional(`${procRoot}/${meta.pid}/status`);
    if (dirs.version === 1) {
      // As containerd does: the throttle file always, plus the CFQ one on kernels that have it.
      const blkio =
        dirs.blkio === null
          ? []
          : [
              optional(`${dirs.blkio}/blkio.throttle.io_service_bytes`),
              existsSync(`${dirs.blkio}/blkio.io_serviced_recursive`)
                ? optional(`${dirs.blkio}/blkio.io_service_bytes_recursive`)
                : null,
            ].filter((f) => f !== null);
      return {
        pid: meta.pid,
        version: 1,
        memoryUsage: open(`${dirs.memory}/memory.usage_in_bytes`),
        memoryStat: open(`${dirs.memory}/memory.stat`),
        memoryLimit: open(`${dirs.memory}/memory.limit_in_bytes`),
        cpu: open(`${dirs.cpuacct}/cpuacct.usage`),
        pids: dirs.pids === null ? null : optional(`${dirs.pids}/pids.current`),
        blkio,
        netDev,
        oomEvents: optional(`${dirs.memory}/memory.oom_control`),
        failcnt: optional(`${dirs.memory}/memory.failcnt`),
        status,
        lastOomKills: null,
      };
    }
    const ioStat = optional(`${dirs.unified}/io.stat`);
    return {
      pid: meta.pid,
      version: 2,
      memoryUsage: open(`${dirs.unified}/memory.current`),
      memoryStat: open(`${dirs.unified}/memory.stat`),
      memoryLimit: open(`${dirs.unified}/memory.max`),
      cpu: open(`${dirs.unified}/cpu.stat`),
      pids: optional(`${dirs.unified}/pids.current`),
      blkio: ioStat === null ? [] : [ioStat],
      netDev,
      oomEvents: optional(`${dirs.unified}/memory.events`),
      failcnt: null,
      status,
      lastOomKills: null,
    };
  } catch (error) {
    for (const file of opened) file.close();
    throw error;
  }
}

function closeFiles(files: ContainerFiles): void {
  const all = [
    files.memoryUsage,
    files.memoryStat,
    files.memoryLimit,
    files.cpu,
    files.pids,
    files.netDev,
    files.oomEvents,
    files.failcnt,
    files.status,
  ];
  for (const file of [...all, ...files.blkio]) file?.close();
}

/** dockerd reports the host's memory as the limit of a container without one (v1's is 2^63 − 4096, v2's `max`). */
function limitOf(limit: number | null, memTotal: number): number | null {
  if (limit === null) return null;
  const capped = memTotal > 0 ? Math.min(limit, memTotal) : limit;
  return Number.isFinite(capped) && capped > 0 ? capped : null;
}

function blockOf(files: ContainerFiles): ByteCounts | null {
  const counts = files.blkio
    .map((file) => (files.version === 1 ? parseBlkioV1(file.read()) : parseIoStatV2(file.read())))
    .filter((c) => c !== null);
  if (counts.length === 0) return null;
  return {
    read: counts.reduce((sum, c) => sum + c.read, 0),
    write: counts.reduce((sum, c) => sum + c.write, 0),
  };
}

/** cgroup v2 counts CPU in µs; the engine reports ns. */
function v2CpuNs(cpuStat: string): number | null {
  const usec = parseFlatKeyed(cpuStat).get('usage_usec');
  return usec === undefined ? null : usec * 1000;
}

/** Throws when the container's CPU or memory cannot be read: then its numbers must come from elsewhere. */
function readContainer(
  files: ContainerFiles,
  now: number,
  systemCpu: number | null,
  onlineCpus: number,
  memTotal: number,
): Reading {
  const usage = parseSingle(files.memoryUsage.read());
  const cpuText = files.cpu.read();
  const cpuTotal = files.version === 1 ? parseSingle(cpuText) : v2CpuNs(cpuText);
  if (cpuTotal === null || !Number.isFinite(cpuTotal) || usage === null || !Number.isFinite(usage))
    throw new Error('unreadable cgroup counters');
  const stat = Object.fromEntries(parseFlatKeyed(files.memoryStat.read()));
  const net = files.netDev === null ? null : parseNetDev(files.netDev.read());
  const block = blockOf(files);
  const pids = files.pids === null ? null : parseSingle(files.pids.read());
  return {
    ts: now,
    platform: 'linux',
    cpuTotal,
    systemCpu,
    onlineCpus,
    memUsageBytes: usageWithoutCache(usage, stat),
    memLimitBytes: limitOf(parseSingle(files.memoryLimit.read()), memTotal),
    pids: pids !== null && Number.isFinite(pids) ? pids : null,
    netRxBytes: net?.rx ?? null,
    netTxBytes: net?.tx ?? null,
    blockReadBytes: block?.read ?? null,
    blockWriteBytes: block?.write ?? null,
  };
}

/**
 * The cgroup's kill counters, handed on only while the main process lives: a count that rose as
 * the main process itself was killed is the container's death, which its die event tells.
 */
function withKernelCounters(files: ContainerFiles, reading: Reading): Reading {
  if (files.oomEvents === null) return reading;
  const counters = parseKernelCounters(files.version, files.oomEvents.read(), files.failcnt?.read() ?? null);
  if (counters === null) return reading;
  const rose = files.lastOomKills !== null && counters.oomKills > files.lastOomKills;
  if (rose && (files.status === null || isDying(files.status.read()))) return reading;
  files.lastOomKills = counters.oomKills;
  return { ...reading, kernel: counters };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Stats read straight from the kernel's cgroup files, as cAdvisor and Netdata do: no request to
 * the engine, so the engine spends nothing per sample. Containers whose files cannot be opened
 * are asked of the fallback (the engine's API) instead.
 */
export function createCgroupSource(options: CgroupSourceOptions): StatsSource {
  const procRoot = options.procRoot ?? '/proc';
  const { fallback } = options;
  const onlineCpus = cpus().length;
  const open = new Map<string, ContainerFiles>();
  /** Containers whose files could not be opened, by the pid that failed: not retried until it changes. */
  const unopenable = new Map<string, number>();
  let procStat: KernelFile | null = null;
  let vmstat: KernelFile | null = null;
  let mounts: CgroupMount[] | null = null;

  const closeOne = (id: string): void => {
    const files = open.get(id);
    if (files !== undefined) closeFiles(files);
    open.delete(id);
    unopenable.delete(id);
  };

  const filesFor = (meta: ContainerMeta): ContainerFiles | null => {
    const current = open.get(meta.id);
    if (current !== undefined && current.pid === meta.pid) return current;
    if (unopenable.get(meta.id) === meta.pid) return null;
    closeOne(meta.id);
    try {
      if (meta.pid <= 0) throw new Error('not running');
      mounts ??= parseMountinfo(readFileSync(`${procRoot}/self/mountinfo`, 'latin1'));
      const files = openFiles(procRoot, meta, mounts);
      open.set(meta.id, files);
      return files;
    } catch {
      unopenable.set(meta.id, meta.pid);
      return null;
    }
  };

  const systemCpuNs = (): number | null => {
    try {
      procStat ??= new KernelFile(`${procRoot}/stat`);
      return parseSystemCpuNs(procStat.read());
    } catch {
      return null;
    }
  };

  const askFallback = async (containers: ContainerMeta[]): Promise<Map<string, SourceResult>> => {
    try {
      return await fallback.read(containers);
    } catch (error) {
      const failed: SourceResult = { ok: false, error: messageOf(error) };
      return new Map(containers.map((c) => [c.id, failed]));
    }
  };

  return {
    kind: 'cgroup',
    async read(containers) {
      const results = new Map<string, SourceResult>();
      const elsewhere: ContainerMeta[] = [];
      const running = containers.filter((c) => c.state === 'running');
      if (running.length === 0) return results;
      const now = options.clock.now();
      const systemCpu = systemCpuNs();
      for (const meta of running) {
        const files = filesFor(meta);
        if (files === null) {
          elsewhere.push(meta);
          continue;
        }
        try {
          const reading = readContainer(files, now, systemCpu, onlineCpus, options.memTotalBytes);
          results.set(meta.id, { ok: true, reading: withKernelCounters(files, reading), previous: null });
        } catch {
          // The process is gone or the cgroup torn down; the die event will follow, the API may still know.
          closeOne(meta.id);
          elsewhere.push(meta);
        }
      }
      if (elsewhere.length > 0)
        for (const [id, result] of await askFallback(elsewhere)) results.set(id, result);
      return results;
    },
    hostOomKills() {
      try {
        vmstat ??= new KernelFile(`${procRoot}/vmstat`);
        return parseVmstatOomKills(vmstat.read());
      } catch {
        return null;
      }
    },
    setInterval(ms) {
      fallback.setInterval(ms);
    },
    forget(id) {
      closeOne(id);
      fallback.forget(id);
    },
    close() {
      for (const id of [...open.keys()]) closeOne(id);
      unopenable.clear();
      procStat?.close();
      procStat = null;
      vmstat?.close();
      vmstat = null;
      fallback.close();
    },
  };
}

/** True when this process sees the container's main process as the engine does. */
function seesContainer(meta: ContainerMeta): boolean {
  try {
    if (readFileSync(`/proc/${meta.pid}/cgroup`, 'latin1').includes(meta.id)) return true;
    // In our own cgroup namespace the path may read `/`: look where the engine puts it instead.
    const procCgroup = parseProcCgroup(readFileSync(`/proc/${meta.pid}/cgroup`, 'latin1'));
    const mounts = parseMountinfo(readFileSync('/proc/self/mountinfo', 'latin1'));
    const dirs = resolveCgroupDirs(procCgroup, mounts, meta.id, existsSync);
    if (dirs === null) return false;
    const dir = dirs.version === 1 ? dirs.memory : dirs.unified;
    return readFileSync(`${dir}/cgroup.procs`, 'latin1').split('\n').includes(String(meta.pid));
  } catch {
    return false;
  }
}

/**
 * Why the cgroup files cannot serve this engine, or null when they can: the engine must be on
 * this Linux machine, and its container processes visible to us (not inside a VM such as
 * Docker Desktop's, nor another pid namespace). With nothing running yet there is nothing to
 * check; a container that turns out unreadable is then asked of the fallback.
 */
export function cgroupUnavailableReason(
  endpoint: Endpoint,
  engine: EngineInfo,
  containers: readonly ContainerMeta[],
): string | null {
  if (!endpoint.local) return 'the engine is remote';
  if (process.platform !== 'linux') return `this machine runs ${process.platform}, not Linux`;
  if (engine.os !== 'linux') return `the engine runs ${engine.os} containers`;
  const probe = containers.find((c) => c.state === 'running' && c.pid > 0);
  if (probe === undefined || seesContainer(probe)) return null;
  return `pid ${probe.pid} here is not container ${probe.name}: the engine runs in a VM or another pid namespace`;
}
