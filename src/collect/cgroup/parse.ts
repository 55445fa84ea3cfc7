/**
 * Parsers for the kernel files a container's numbers come from. Each returns null for content
 * it cannot read, never NaN: a file can be caught half-written or a cgroup torn down mid-read.
 */

/** Past 2^53 a counter loses its last digits but stays meaningful: an unlimited v1 limit, months of CPU ns. */
function counter(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,20}$/.test(text)) return null;
  return Number(text);
}

/** A file holding one number (`memory.usage_in_bytes`, `pids.current`), or v2's `max` for none. */
export function parseSingle(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === 'max') return Number.POSITIVE_INFINITY;
  return counter(trimmed);
}

/** `key value` lines (`memory.stat`, `cpu.stat`). */
export function parseFlatKeyed(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value, extra] = line.split(' ');
    const n = extra === undefined ? counter(value) : null;
    if (key !== undefined && key !== '' && n !== null) values.set(key, n);
  }
  return values;
}

export interface ByteCounts {
  readonly read: number;
  readonly write: number;
}

/**
 * cgroup v1 `blkio.throttle.io_service_bytes`: `8:0 Read 4096` per device and op, then `Total`.
 * The CLI sums the ops named read and write in any case, so this does too.
 */
export function parseBlkioV1(text: string): ByteCounts | null {
  let read = 0;
  let write = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    const [device, op, value] = line.split(' ');
    if (device === undefined || device === '') continue;
    if (device === 'Total') {
      if (counter(op) !== null) seen = true;
      continue;
    }
    const n = counter(value);
    if (n === null || !/^\d+:\d+$/.test(device)) continue;
    seen = true;
    const kind = op?.toLowerCase();
    if (kind === 'read') read += n;
    else if (kind === 'write') write += n;
  }
  return seen ? { read, write } : null;
}

/** cgroup v2 `io.stat`: `8:0 rbytes=… wbytes=… rios=…` per device; empty when there was no I/O. */
export function parseIoStatV2(text: string): ByteCounts {
  let read = 0;
  let write = 0;
  for (const line of text.split('\n')) {
    for (const field of line.split(' ').slice(1)) {
      const [key, value] = field.split('=');
      const n = counter(value);
      if (n === null) continue;
      if (key === 'rbytes') read += n;
      else if (key === 'wbytes') write += n;
    }
  }
  return { read, write };
}

/**
 * Devices the kernel creates in every network namespace once their module is loaded. The engine
 * counts only the interfaces of its endpoints, so these would turn `--network none` into 0 B.
 */
const FALLBACK_DEVICES = new Set([
  'lo',
  'tunl0',
  'sit0',
  'ip6tnl0',
  'ip6gre0',
  'gre0',
  'gretap0',
  'erspan0',
  'ip_vti0',
  'ip6_vti0',
]);

export interface NetCounts {
  readonly rx: number;
  readonly tx: number;
}

/**
 * `/proc/<pid>/net/dev` of the container's network namespace, summed over its interfaces as the
 * engine does. Null when loopback is all there is (`--network none`): the API then sends no
 * networks either.
 */
export function parseNetDev(text: string): NetCounts | null {
  let rx = 0;
  let tx = 0;
  let interfaces = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    if (FALLBACK_DEVICES.has(line.slice(0, colon).trim())) continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    const received = counter(fields[0]);
    const sent = counter(fields[8]);
    if (received === null || sent === null) continue;
    rx += received;
    tx += sent;
    interfaces++;
  }
  return interfaces === 0 ? null : { rx, tx };
}

/** Linux's USER_HZ, fixed at 100 on every architecture the engine runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Host CPU time in ns as dockerd's getSystemCPUUsage computes it: the first seven fields of the
 * `cpu` line of /proc/stat (user … softirq), in clock ticks, scaled to nanoseconds.
 */
export function parseSystemCpuNs(procStat: string): number | null {
  const end = procStat.indexOf('\n');
  const line = end === -1 ? procStat : procStat.slice(0, end);
  const fields = line.trim().split(/\s+/);
  if (fields[0] !== 'cpu' || fields.length < 8) return null;
  let ticks = 0;
  for (const field of fields.slice(1, 8)) {
    const n = counter(field);
    if (n === null) return null;
    ticks += n;
  }
  return (ticks * 1e9) / CLOCK_TICKS_PER_SECOND;
}
