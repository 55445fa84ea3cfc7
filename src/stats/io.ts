import { arrayAt, counterAt, isObject, stringAt } from './json.ts';

/**
 * Block I/O bytes from `blkio_stats.io_service_bytes_recursive`. The docker CLI sums every entry
 * whose op starts with r or w; Podman adds count ops (`rios`, `wios`) that would then be counted
 * as bytes, so this matches the whole op name. Docker itself only sends Read/Write/Sync/Async/
 * Discard/Total (v1) or read/write (v2), where both rules agree.
 */
export function blockIo(blkio: unknown): { read: number; write: number } | null {
  const entries = arrayAt(blkio, 'io_service_bytes_recursive');
  if (entries === null) return null;
  let read = 0;
  let write = 0;
  for (const entry of entries) {
    const value = counterAt(entry, 'value');
    const op = stringAt(entry, 'op')?.toLowerCase();
    if (value === null) continue;
    if (op === 'read') read += value;
    else if (op === 'write') write += value;
  }
  return { read, write };
}

/** Windows has no blkio; its storage stats carry the same meaning. */
export function storageIo(storage: unknown): { read: number; write: number } | null {
  const read = counterAt(storage, 'read_size_bytes');
  const write = counterAt(storage, 'write_size_bytes');
  return read === null || write === null ? null : { read, write };
}

/** Sum over every network the container is attached to; null when it has none (`--network none`). */
export function networkIo(networks: unknown): { rx: number; tx: number } | null {
  if (!isObject(networks)) return null;
  const interfaces = Object.values(networks);
  if (interfaces.length === 0) return null;
  let rx = 0;
  let tx = 0;
  for (const counters of interfaces) {
    rx += counterAt(counters, 'rx_bytes') ?? 0;
    tx += counterAt(counters, 'tx_bytes') ?? 0;
  }
  return { rx, tx };
}
