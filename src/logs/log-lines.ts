/**
 * Log bytes into lines, bounded: a line longer than `maxLineBytes` keeps its first `maxLineBytes`
 * (where a signature would be) and the rest is skipped up to its newline, so a 100 MB line costs
 * `maxLineBytes` of memory. Lines are handed on as bytes: the caller decides, before paying for
 * decoding, whether it has the budget to look at one.
 */
export function createLogLineSplitter(
  maxLineBytes: number,
  onLine: (line: Buffer) => void,
): (chunk: Buffer) => void {
  const pending = Buffer.alloc(maxLineBytes);
  let fill = 0;
  let overflowed = false;
  const append = (bytes: Buffer): void => {
    const room = maxLineBytes - fill;
    if (bytes.length > room) overflowed = true;
    const take = Math.min(room, bytes.length);
    bytes.copy(pending, fill, 0, take);
    fill += take;
  };
  return (chunk) => {
    let at = 0;
    for (let nl = chunk.indexOf(10, at); nl !== -1; nl = chunk.indexOf(10, at)) {
      if (fill === 0 && !overflowed) {
        if (nl > at) onLine(chunk.subarray(at, Math.min(nl, at + maxLineBytes)));
      } else {
        append(chunk.subarray(at, nl));
        onLine(Buffer.from(pending.subarray(0, fill)));
      }
      fill = 0;
      overflowed = false;
      at = nl + 1;
    }
    if (at < chunk.length && !overflowed) append(chunk.subarray(at));
  };
}
