/** Where a container's cgroup lives, found from its main process like cAdvisor does. */

export interface ProcCgroupLine {
  readonly hierarchy: number;
  readonly controllers: readonly string[];
  readonly path: string;
}

export interface CgroupMount {
  readonly mountPoint: string;
  /** The cgroup path that is mounted there (`/` unless the reader sits in a cgroup namespace). */
  readonly root: string;
  readonly version: 1 | 2;
  readonly controllers: readonly string[];
}

export type CgroupDirs =
  | {
      readonly version: 1;
      readonly memory: string;
      readonly cpuacct: string;
      readonly pids: string | null;
      readonly blkio: string | null;
    }
  | { readonly version: 2; readonly unified: string };

/** `/proc/<pid>/cgroup`: `4:memory:/docker/<id>` (v1) or `0::/system.slice/docker-<id>.scope` (v2). */
export function parseProcCgroup(text: string): ProcCgroupLine[] {
  const lines: ProcCgroupLine[] = [];
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first === -1 || second === -1) continue;
    const hierarchy = Number(line.slice(0, first));
    if (!Number.isInteger(hierarchy)) continue;
    const controllers = line.slice(first + 1, second);
    lines.push({
      hierarchy,
      controllers: controllers === '' ? [] : controllers.split(','),
      path: line.slice(second + 1),
    });
  }
  return lines;
}

/** Octal escapes (`\040` for a space) that mountinfo uses in paths. */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The cgroup and cgroup2 mounts in `/proc/self/mountinfo`. */
export function parseMountinfo(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const separator = line.indexOf(' - ');
    if (separator === -1) continue;
    const before = line.slice(0, separator).split(' ');
    const [fsType, , superOptions = ''] = line.slice(separator + 3).split(' ');
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    const root = before[3];
    const mountPoint = before[4];
    if (root === undefined || mountPoint === undefined) continue;
    mounts.push({
      mountPoint: unescapeMountPath(mountPoint),
      root: unescapeMountPath(root),
      version: fsType === 'cgroup2' ? 2 : 1,
      controllers:
        fsType === 'cgroup2' ? [] : superOptions.split(',').filter((o) => o !== 'rw' && o !== 'ro'),
    });
  }
  return mounts;
}

function join(mountPoint: string, root: string, path: string): string {
  const inside = root !== '/' && (path === root || path.startsWith(`${root}/`));
  const relative = inside ? path.slice(root.length) : path;
  return `${mountPoint}/${relative}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
}

/**
 * A reader in its own cgroup namespace sees the engine's containers as `/` (its own root) or as
 * `/../…` (outside it): the path then says nothing about where the mount shows them.
 */
function pathIsUsable(path: string): boolean {
  return path !== '/' && !path.startsWith('/..');
}

/** Where the engine puts a container: cgroupfs driver, then systemd driver. */
function conventionalDirs(mountPoint: string, id: string): string[] {
  return [`${mountPoint}/docker/${id}`, `${mountPoint}/system.slice/docker-${id}.scope`];
}

function locate(
  mount: CgroupMount,
  path: string,
  id: string,
  exists: (dir: string) => boolean,
): string | null {
  if (pathIsUsable(path)) {
    const dir = join(mount.mountPoint, mount.root, path);
    if (exists(dir)) return dir;
  }
  return conventionalDirs(mount.mountPoint.replace(/\/$/, ''), id).find(exists) ?? null;
}

/** The directories holding a container's memory, CPU, pids and block I/O files; null when they cannot be found. */
export function resolveCgroupDirs(
  procCgroup: readonly ProcCgroupLine[],
  mounts: readonly CgroupMount[],
  id: string,
  exists: (dir: string) => boolean,
): CgroupDirs | null {
  const v1 = (controller: string): string | null => {
    const line = procCgroup.find((l) => l.controllers.includes(controller));
    const mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
    return line && mount ? locate(mount, line.path, id, exists) : null;
  };
  const memory = v1('memory');
  const cpuacct = v1('cpuacct');
  if (memory !== null && cpuacct !== null)
    return { version: 1, memory, cpuacct, pids: v1('pids'), blkio: v1('blkio') };

  const unifiedLine = procCgroup.find((l) => l.hierarchy === 0 && l.controllers.length === 0);
  const unifiedMount = mounts.find((m) => m.version === 2);
  if (unifiedLine === undefined || unifiedMount === undefined) return null;
  const unified = locate(unifiedMount, unifiedLine.path, id, exists);
  return unified === null ? null : { version: 2, unified };
}
