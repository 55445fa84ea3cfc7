/**
 * Splits a byte stream into lines without trusting the peer: a line longer than
 * `maxLineBytes` is dropped instead of growing a buffer without bound. It is reported as soon as
 * it passes the bound, not at its end, so that a caller can hang up on a line that never ends.
 */
export function createLineSplitter(
  maxLineBytes: number,
  onLine: (line: string) => void,
  onOversize: (bytes: number) => void = () => {},
): (chunk: Buffer | string) => void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let discarding = false;

  return (chunk) => {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10)) {
      const head = buf.subarray(0, nl);
      buf = buf.subarray(nl + 1);
      if (discarding) {
        discarding = false;
        continue;
      }
      if (pendingBytes + head.length > maxLineBytes) {
        onOversize(pendingBytes + head.length);
      } else {
        const line =
          pending.length === 0 ? head.toString('utf8') : Buffer.concat([...pending, head]).toString('utf8');
        if (line.trim() !== '') onLine(line);
      }
      pending = [];
      pendingBytes = 0;
    }
    if (buf.length === 0 || discarding) return;
    if (pendingBytes + buf.length > maxLineBytes) {
      discarding = true;
      onOversize(pendingBytes + buf.length);
      pending = [];
      pendingBytes = 0;
    } else {
      pending.push(Buffer.from(buf));
      pendingBytes += buf.length;
    }
  };
}
