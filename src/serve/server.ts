import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { checkRequest, isInvokeChannel, type InvokeChannel, type InvokeChannels } from '../api.ts';
import { loopbackHostAllowed } from '../auth/loopback.ts';
import { authenticate, TOKEN_COOKIE } from '../auth/token.ts';
import { sendMetrics } from '../metrics/http.ts';
import type { MonitorService } from '../service/monitor.ts';
import type { AssetTable } from './assets.ts';
import { streamEvents } from './sse.ts';

export const MAX_BODY_BYTES = 64 * 1024;

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface BridgeOptions {
  readonly service: MonitorService;
  readonly assets: AssetTable;
  /** Required for every request when set: a bind other than loopback. */
  readonly token: string | null;
  /** `serve --metrics`: GET /metrics renders this registry, behind the same token. */
  readonly metrics?: Registry;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function invoke(service: MonitorService, channel: string, req: IncomingMessage): Promise<unknown> {
  if (!isInvokeChannel(channel)) throw new HttpError(404, `no channel ${channel}`);
  // A form post from another site cannot send this type without a CORS preflight, which we never allow.
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'send the request as application/json');
  }
  const text = await readBody(req);
  let payload: unknown = null;
  if (text.trim() !== '') {
    try {
      payload = JSON.parse(text);
    } catch (error) {
      throw new HttpError(400, `the body is not JSON: ${(error as Error).message}`);
    }
  }
  return answer(service, channel, payload);
}

function answer<C extends InvokeChannel>(
  service: MonitorService,
  channel: C,
  payload: unknown,
): Promise<InvokeChannels[C]['response']> {
  const checked = checkRequest(channel, payload);
  if (!checked.ok) throw new HttpError(400, checked.error);
  return service.handle(channel, checked.value);
}

/**
 * The web bridge: the built renderer, `POST /api/<channel>` for invokes and `GET /api/events`
 * for pushes. The renderer's bridge client speaks this, so the page cannot tell it from Electron.
 */
export function createBridgeServer(options: BridgeOptions): Server {
  const { service, assets, token } = options;
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://bridge.invalid');
    const fail = (status: number, message: string): void => sendJson(res, status, { error: message });

    if (token === null && !loopbackHostAllowed(req.headers.host)) {
      fail(403, 'this server answers only to localhost');
      return;
    }
    if (token !== null) {
      const how = authenticate(token, {
        authorization: req.headers.authorization,
        cookie: req.headers.cookie,
        queryToken: url.searchParams.get('token'),
      });
      if (how === null) {
        fail(401, 'a token is required: open the address serve printed at start');
        return;
      }
      // A scraper keeps no cookies: following the redirect would only ask for the token again.
      if (how === 'query' && url.pathname !== '/metrics') {
        // Keep the token out of the address bar and history: a cookie carries it from here on.
        res.writeHead(303, {
          ...SECURITY_HEADERS,
          'Set-Cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          Location: url.pathname,
          'Cache-Control': 'no-store',
        });
        res.end();
        return;
      }
    }

    if (url.pathname === '/metrics' && options.metrics !== undefined) {
      sendMetrics(options.metrics, req, res, SECURITY_HEADERS);
      return;
    }
    if (url.pathname === '/api/events') {
      if (req.method !== 'GET') {
        fail(405, 'use GET');
        return;
      }
      streamEvents(service, res, SECURITY_HEADERS);
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') {
        fail(405, 'use POST');
        return;
      }
      invoke(service, url.pathname.slice('/api/'.length), req).then(
        (value) => sendJson(res, 200, value ?? null),
        (error: unknown) => {
          if (error instanceof HttpError) fail(error.status, error.message);
          else fail(500, (error as Error).message);
        },
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      fail(405, 'use GET');
      return;
    }
    const asset = assets.get(url.pathname);
    if (asset === undefined) {
      fail(404, 'not found');
      return;
    }
    send(res, 200, asset.type, req.method === 'HEAD' ? '' : asset.body);
  });
}
