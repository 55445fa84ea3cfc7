/**
 * Processes of containers on this machine, from each container's cgroup process list and
 * `/proc/<pid>/{status,cmdline}`: no engine call. As with the cgroup files, every file stays open
 * and is re-read at offset 0; a pid's file read after that process ended fails, which is how a
 * reused pid is told from its predecessor.
 */
import { existsSync, readFileSync } from 'node:fs';
import { KernelFile } from './cgroup/files.ts';
import { isDying } from './cgroup/oom-counters.ts';
import { parseMountinfo, parseProcCgroup, resolveCgroupDirs, type CgroupMount } from './cgroup/paths.ts';
import type { ProcessReader, RawProcess } from './process-reading.ts';

const KIB = 1024;
/** A command line longer than this says nothing more a person would read. */
const MAX_COMMAND_CHARS = 1000;

interface Listed {
  readonly mainPid: number;
  readonly procs: KernelFile;
}

interface Known {
  readonly status: KernelFile;
  readonly argv: readonly string[];
}

export interface ProcStatus {
  readonly name: string;
  readonly state: string;
  readonly ppid: number | null;
  readonly rssBytes: number | null;
  /** A zombie, or SIGKILL pending. */
  readonly ending: boolean;
}

/** The lines of `/proc/<pid>/status` we use: Name, State, PPid and VmRSS (absent for a zombie). */
export function parseProcStatus(text: string): ProcStatus {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const ppid = Number.parseInt(fields.get('PPid') ?? '', 10);
  const rss = /^(\d+) kB$/.exec(fields.get('VmRSS') ?? '');
  return {
    name: fields.get('Name') ?? '',
    state: fields.get('State')?.charAt(0) ?? '?',
    ppid: Number.isInteger(ppid) ? ppid : null,
    rssBytes: rss === null ? null : Number(rss[1]) * KIB,
    ending: isDying(text),
  };
}

/** `cgroup.procs`: one pid a line. */
export function parsePids(text: string): number[] {
  const pids: number[] = [];
  for (const line of text.split('\n')) {
    const pid = Number(line);
    if (line !== '' && Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids;
}

/** NUL-separated arguments; a process that rewrote its title may have put it all in the first. */
export function parseCmdline(raw: string): string[] {
  const argv = raw.slice(0, MAX_COMMAND_CHARS).split('\0');
  while (argv.length > 0 && argv[argv.length - 1]?.trim() === '') argv.pop();
  return argv.map((arg) => arg.trimEnd());
}

export function createProcReader(options: { readonly procRoot?: string } = {}): ProcessReader {
  const procRoot = options.procRoot ?? '/proc';
  const listed = new Map<string, Listed>();
  const known = new Map<number, Known>();
  let mounts: CgroupMount[] | null = null;

  const drop = (id: string): void => {
    listed.get(id)?.procs.close();
    listed.delete(id);
  };

  const listOf = (id: string, mainPid: number): Listed | null => {
    const current = listed.get(id);
    if (current !== undefined && current.mainPid === mainPid) return current;
    drop(id);
    try {
      mounts ??= parseMountinfo(readFileSync(`${procRoot}/self/mountinfo`, 'latin1'));
      const procCgroup = parseProcCgroup(readFileSync(`${procRoot}/${mainPid}/cgroup`, 'latin1'));
      const dirs = resolveCgroupDirs(procCgroup, mounts, id, existsSync);
      if (dirs === null) return null;
      const dir = dirs.version === 1 ? dirs.memory : dirs.unified;
      const entry = { mainPid, procs: new KernelFile(`${dir}/cgroup.procs`) };
      listed.set(id, entry);
      return entry;
    } catch {
      return null;
    }
  };

  const forgetPid = (pid: number): void => {
    known.get(pid)?.status.close();
    known.delete(pid);
  };

  const open = (pid: number): Known => {
    const status = new KernelFile(`${procRoot}/${pid}/status`);
    let argv: string[] = [];
    try {
      argv = parseCmdline(readFileSync(`${procRoot}/${pid}/cmdline`, 'utf8'));
    } catch {
      // Gone between the list and here: its status read fails next and it is left out.
    }
    const entry = { status, argv };
    known.set(pid, entry);
    return entry;
  };

  /** One process, or null when it ended meanwhile; a pid reused since the last read is opened afresh. */
  const processOf = (pid: number, retry = true): RawProcess | null => {
    let entry: Known;
    try {
      entry = known.get(pid) ?? open(pid);
    } catch {
      return null;
    }
    let status: ProcStatus;
    try {
      status = parseProcStatus(entry.status.read());
    } catch {
      forgetPid(pid);
      return retry ? processOf(pid, false) : null;
    }
    const argv = entry.argv.length > 0 ? entry.argv : [status.name];
    return { pid, ppid: status.ppid, argv, rssBytes: status.rssBytes, ending: status.ending };
  };

  return {
    kind: 'proc',
    async read(containers) {
      const out = new Map<string, RawProcess[]>();
      const seen = new Set<number>();
      for (const container of containers) {
        const list = container.pid > 0 ? listOf(container.id, container.pid) : null;
        if (list === null) continue;
        let pids: number[];
        try {
          pids = parsePids(list.procs.read());
        } catch {
          drop(container.id);
          continue;
        }
        const processes: RawProcess[] = [];
        for (const pid of pids) {
          seen.add(pid);
          const process = processOf(pid);
          if (process !== null) processes.push(process);
        }
        out.set(container.id, processes);
      }
      for (const pid of [...known.keys()]) if (!seen.has(pid)) forgetPid(pid);
      return out;
    },
    forget: drop,
    close() {
      for (const id of [...listed.keys()]) drop(id);
      for (const pid of [...known.keys()]) forgetPid(pid);
    },
  };
}
