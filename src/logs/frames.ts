/**
 * The engine's log stream of a container without a TTY multiplexes stdout and stderr: each frame
 * is an 8-byte header (stream 1 or 2, three zero bytes, a big-endian 32-bit length) and that many
 * bytes. Payload is passed on as it arrives, never gathered into a frame: a frame of a 100 MB line
 * costs nothing more than its bytes flowing through.
 */

const HEADER_BYTES = 8;

export type StreamName = 'stdout' | 'stderr';

export function createDemuxer(
  onPayload: (stream: StreamName, bytes: Buffer) => void,
): (chunk: Buffer) => void {
  const header = Buffer.alloc(HEADER_BYTES);
  let headerFill = 0;
  let remaining = 0;
  let stream: StreamName = 'stdout';
  return (chunk) => {
    let at = 0;
    while (at < chunk.length) {
      if (remaining === 0) {
        const take = Math.min(HEADER_BYTES - headerFill, chunk.length - at);
        chunk.copy(header, headerFill, at, at + take);
        headerFill += take;
        at += take;
        if (headerFill < HEADER_BYTES) return;
        headerFill = 0;
        // 0 is stdin, which a log stream never carries; anything else counts as stderr.
        stream = header[0] === 1 ? 'stdout' : 'stderr';
        remaining = header.readUInt32BE(4);
        continue;
      }
      const take = Math.min(remaining, chunk.length - at);
      onPayload(stream, chunk.subarray(at, at + take));
      remaining -= take;
      at += take;
    }
  };
}
