/**
 * A generic-webhook receiver a test can make misbehave: answer a status of its choice, hang,
 * drip its answer a byte at a time, answer 10 MB, or be down altogether (nothing listening on
 * its port) and come back on the same port. Every body it accepted is checked against the
 * documented schema (docs/webhook-v1.schema.json).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';

export type Behaviour =
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }
  | 'hang'
  | 'drip'
  | 'huge';

export interface WebhookReceiver {
  readonly url: string;
  /** Bodies answered with a 2xx, in the order they came. */
  readonly accepted: Record<string, unknown>[];
  /** Every request's body, whatever the answer. */
  readonly requests: Record<string, unknown>[];
  /** Every request's path and query, in the same order. */
  readonly paths: string[];
  /** Bodies that did not match the schema. */
  readonly invalid: unknown[];
  /** Answers for the next requests, in order; then `behaviour`. */
  readonly next: Behaviour[];
  behaviour: Behaviour;
  /** How many connections are open now (a hanging one stays until the client gives up). */
  open(): number;
  /** Bytes of the 10 MB answers that got written before the client hung up. */
  readonly hugeWritten: number[];
  /** Stops listening and drops every connection: the port refuses. */
  down(): Promise<void>;
  /** Listens again, on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

const schema = JSON.parse(
  readFileSync(new URL('../../docs/webhook-v1.schema.json', import.meta.url), 'utf8'),
) as object;
const validate = new Ajv2020({ allErrors: true, validateFormats: false }).compile(schema);

const HUGE_BYTES = 10 * 1024 * 1024;

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString('utf8')));
    req.on('end', () => resolve(raw));
  });
}

function drip(res: ServerResponse): void {
  const socket = res.socket;
  const text = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';
  let i = 0;
  const timer = setInterval(() => {
    if (socket === null || socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++] ?? '');
  }, 1000);
}

function huge(res: ServerResponse, written: number[]): void {
  res.writeHead(200, { 'content-type': 'text/plain' });
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let sent = 0;
  const index = written.push(0) - 1;
  const more = (): void => {
    while (sent < HUGE_BYTES && !res.destroyed) {
      sent += chunk.length;
      written[index] = sent;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end();
  };
  more();
}

export async function startWebhookReceiver(behaviour: Behaviour = { status: 200 }): Promise<WebhookReceiver> {
  const sockets = new Set<Socket>();
  let port = 0;
  let server: Server | null = null;
  const receiver: WebhookReceiver = {
    get url() {
      return `http://127.0.0.1:${port}/hooks/dify-monitor?token=planted-webhook-token`;
    },
    accepted: [],
    requests: [],
    paths: [],
    invalid: [],
    next: [],
    behaviour,
    hugeWritten: [],
    open: () => sockets.size,
    down,
    up,
    close: down,
  };

  function handle(req: IncomingMessage, res: ServerResponse): void {
    void readAll(req).then((raw) => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        receiver.invalid.push(raw);
      }
      if (!validate(body)) receiver.invalid.push(body);
      receiver.requests.push(body);
      receiver.paths.push(req.url ?? '');
      const answer = receiver.next.shift() ?? receiver.behaviour;
      if (answer === 'hang') return;
      if (answer === 'drip') return drip(res);
      if (answer === 'huge') return huge(res, receiver.hugeWritten);
      if (answer.status >= 200 && answer.status < 300) receiver.accepted.push(body);
      res
        .writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers })
        .end(answer.body ?? '');
    });
  }

  async function up(): Promise<void> {
    const s = createServer(handle);
    s.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
    port = (s.address() as AddressInfo).port;
    server = s;
  }

  async function down(): Promise<void> {
    const s = server;
    server = null;
    if (s === null) return;
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => s.close(resolve));
  }

  await up();
  return receiver;
}
