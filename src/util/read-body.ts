import type { Readable } from 'node:stream';

/**
 * Reads a whole response body, but no more than `maxBytes`: an engine that answers with an
 * endless or enormous body is cut off with a reason instead of growing a buffer until the
 * request's timeout (a unix socket delivers several hundred MB in two seconds).
 */
export function readBoundedBody(body: Readable, maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error === null) resolve(Buffer.concat(chunks, size));
      else {
        chunks.length = 0;
        body.destroy();
        reject(error);
      }
    };
    const onAbort = (): void =>
      settle(signal?.reason instanceof Error ? signal.reason : new Error('the request was aborted'));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    body.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) {
        settle(new Error(`the engine sent more than ${maxBytes} bytes in one answer; refused`));
        return;
      }
      chunks.push(chunk);
    });
    body.on('end', () => settle(null));
    body.on('error', (error) => settle(error));
    body.on('close', () => settle(new Error('the engine closed the connection mid-answer')));
  });
}
