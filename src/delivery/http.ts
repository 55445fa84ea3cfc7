/**
 * One POST to a receiver, bounded in time and memory whatever the receiver does: no answer at
 * all, headers one byte a minute, or a 10 MB answer. The whole exchange has one deadline, and an
 * answer is read up to a cap and then cut off, so a bad receiver costs one socket for a while and
 * a few KiB, and never holds up another channel.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface HttpLimits {
  /** From the first byte sent to the last byte of the answer read. */
  readonly timeoutMs: number;
  /** More of an answer than this is not read; what was read is kept. */
  readonly maxAnswerBytes: number;
  /** CAs to trust besides the system's (a private CA, or a test's). */
  readonly ca?: readonly string[];
}

export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The receiver said more than `maxAnswerBytes`; `body` is its beginning. */
  readonly truncated: boolean;
}

function readCapped(
  res: IncomingMessage,
  max: number,
  signal: AbortSignal,
): Promise<{ body: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (truncated: boolean): void => {
      if (done) return;
      done = true;
      resolve({ body: Buffer.concat(chunks).toString('utf8'), truncated });
    };
    res.on('data', (chunk: Buffer) => {
      if (done) return;
      const room = max - size;
      chunks.push(room < chunk.length ? chunk.subarray(0, room) : chunk);
      size += Math.min(room, chunk.length);
      if (size >= max) {
        finish(true);
        res.destroy();
      }
    });
    res.on('end', () => finish(false));
    // A receiver that hangs up mid-answer still answered: its status stands, with what it sent.
    // Running out of time is another matter: nothing complete came, so the message is tried again.
    const cut = (error?: Error): void => {
      if (done) return;
      if (!signal.aborted) return finish(true);
      done = true;
      reject(error ?? new Error('aborted'));
    };
    res.on('error', cut);
    res.on('close', () => cut());
  });
}

/** Resolves with the receiver's answer, or rejects with why none came (refused, reset, too slow). */
export function post(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  limits: HttpLimits,
): Promise<HttpAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const signal = AbortSignal.timeout(limits.timeoutMs);
  const slow = (): Error => new Error(`no complete answer within ${formatSeconds(limits.timeoutMs)}`);
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal,
        // One connection per message: a receiver that misbehaved leaves nothing behind for the next.
        agent: false,
        ...(limits.ca === undefined ? {} : { ca: [...rootCertificates, ...limits.ca] }),
      },
      (res) => {
        readCapped(res, limits.maxAnswerBytes, signal).then(
          ({ body: text, truncated }) =>
            resolve({
              status: res.statusCode ?? 0,
              statusText: res.statusMessage ?? '',
              headers: res.headers,
              body: text,
              truncated,
            }),
          (error: Error) => reject(signal.aborted ? slow() : error),
        );
      },
    );
    req.on('error', (error) => reject(signal.aborted ? slow() : error));
    req.end(body);
  });
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
