import { readdirSync, readlinkSync } from 'node:fs';

export interface Handles {
  fds: number;
  sockets: number;
}

/** Open file descriptors of a process, and how many are sockets, from /proc (as `ls -l /proc/<pid>/fd`). */
export function openHandles(pid: number | 'self'): Handles {
  let fds = 0;
  let sockets = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      fds++;
      if (target.startsWith('socket:')) sockets++;
    } catch {
      // Closed between the listing and the readlink.
    }
  }
  return { fds, sockets };
}
