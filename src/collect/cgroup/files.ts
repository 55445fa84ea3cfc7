import { closeSync, openSync, readSync } from 'node:fs';

/** Fits memory.stat (about 1 KiB) and net/dev of a few hundred interfaces; grows if a file does not fit. */
const INITIAL_BUFFER_BYTES = 64 * 1024;
/** All files share one buffer: reads are synchronous, so no two overlap. */
let buffer = Buffer.allocUnsafe(INITIAL_BUFFER_BYTES);

/**
 * A kernel file kept open and re-read from offset 0 each time: a pread or two per sample instead
 * of open+read+close, which is most of what reading a cgroup file costs.
 */
export class KernelFile {
  readonly path: string;
  private fd: number | null;

  constructor(path: string) {
    this.path = path;
    this.fd = openSync(path, 'r');
  }

  /** The file's current content; throws when the cgroup or process is gone. */
  read(): string {
    if (this.fd === null) throw new Error(`${this.path} is closed`);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
      const n = readSync(this.fd, buffer, length, buffer.length - length, length);
      if (n === 0) break;
      length += n;
    }
    return buffer.toString('latin1', 0, length);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Opens a file, or null when it is not there (a controller the kernel lacks). */
export function openOptional(path: string): KernelFile | null {
  try {
    return new KernelFile(path);
  } catch {
    return null;
  }
}
