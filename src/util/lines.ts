/**
 * Splits a byte stream into lines without trusting the peer: a line longer than
 * `maxLineBytes` is dropped (and reported) instead of growing a buffer without bound.
 */
export function createLineSplitter(
  maxLineBytes: number,
  onLine: (line: string) => void,
  onOversize: (bytes: number) => void = () => {},
): (chunk: Buffer | string) => void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let discarding = false;
  let discarded = 0;

  return (chunk) => {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10)) {
      const head = buf.subarray(0, nl);
      buf = buf.subarray(nl + 1);
      if (discarding) {
        onOversize(discarded + head.length);
        discarding = false;
        discarded = 0;
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
    if (buf.length === 0) return;
    if (discarding) {
      discarded += buf.length;
    } else if (pendingBytes + buf.length > maxLineBytes) {
      discarding = true;
      discarded = pendingBytes + buf.length;
      pending = [];
      pendingBytes = 0;
    } else {
      pending.push(Buffer.from(buf));
      pendingBytes += buf.length;
    }
  };
}
