import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { post } from '../../../src/delivery/http.ts';

const servers: Server[] = [];

async function receiver(
  handle: (res: ServerResponse) => void,
): Promise<{ url: string; closed: Promise<void> }> {
  let closed!: () => void;
  const done = new Promise<void>((resolve) => (closed = resolve));
  const server = createServer((req, res) => {
    req.resume();
    res.on('close', closed);
    handle(res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, closed: done };
}

const limits = { timeoutMs: 500, maxAnswerBytes: 64 * 1024 };

describe('one POST, bounded whatever the receiver does', () => {
  after(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  it('a receiver that never answers: rejected with why, and the connection is closed by us', async () => {
    const r = await receiver(() => undefined);
    await assert.rejects(post(r.url, '{}', {}, limits), /no complete answer within 0\.5 s/);
    await r.closed;
  });

  it('a receiver that sends its headers a byte at a time: the same', async () => {
    const r = await receiver((res) => {
      const socket = res.socket;
      const text = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';
      let i = 0;
      const timer = setInterval(() => {
        if (socket === null || socket.destroyed || i >= text.length) return clearInterval(timer);
        socket.write(text[i++] ?? '');
      }, 100);
    });
    await assert.rejects(post(r.url, '{}', {}, limits), /no complete answer/);
    await r.closed;
  });

  it('a 10 MB answer: its first 64 KiB are kept, the rest is never read', async () => {
    let written = 0;
    const r = await receiver((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const more = (): void => {
        // Stops as soon as the client hung up; counts what the kernel took.
        while (written < 10 * 1024 * 1024 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    const answer = await post(r.url, '{}', {}, { ...limits, timeoutMs: 10_000 });
    assert.equal(answer.status, 200);
    assert.equal(answer.truncated, true);
    assert.equal(Buffer.byteLength(answer.body), 64 * 1024);
    await r.closed;
    assert.ok(
      written < 10 * 1024 * 1024,
      `the receiver got to write ${written} bytes of 10 MiB before we hung up`,
    );
  });

  it('a receiver that is not there: rejected with the reason, and no address path in it', async () => {
    const r = await receiver(() => undefined);
    const url = `${r.url.replace(/:\d+\//, ':1/')}?token=planted-token`;
    await assert.rejects(post(url, '{}', {}, limits), (error: Error) => {
      assert.match(error.message, /ECONNREFUSED/);
      assert.doesNotMatch(error.message, /planted-token|hook/);
      return true;
    });
  });
});
