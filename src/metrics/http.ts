/**
 * `/metrics` over HTTP: as one route of `serve`'s bridge, or as a server of its own for the
 * desktop app's opt-in exporter. Both follow the bridge's rule: loopback needs no token but only
 * answers to local Host names; any other bind needs the token on every request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { isLoopback, loopbackHostAllowed } from '../auth/loopback.ts';
import { authenticate } from '../auth/token.ts';
import { createMetricsRegistry, type MetricsState } from './registry.ts';

/** Answers a scrape; the caller has already decided the request may have it. */
export function sendMetrics(
  registry: Registry,
  req: IncomingMessage,
  res: ServerResponse,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('use GET\n');
    return;
  }
  registry.metrics().then(
    (text) => {
      res.writeHead(200, { ...headers, 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? '' : text);
    },
    (error: unknown) => {
      res.writeHead(500, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`could not render the metrics: ${(error as Error).message}\n`);
    },
  );
}

export interface MetricsServerOptions {
  /** The monitor's state at scrape time: `MonitorService.current`. */
  readonly read: () => MetricsState;
  readonly port: number;
  readonly bind: string;
  /** Required, and checked on every request, when `bind` is not loopback. */
  readonly token: string | null;
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The standalone exporter's request handler: GET /metrics, nothing else. */
function createMetricsServer(options: Omit<MetricsServerOptions, 'port' | 'bind'>): Server {
  const registry = createMetricsRegistry(options.read);
  const { token } = options;
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://metrics.invalid');
    const fail = (status: number, message: string): void => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${message}\n`);
    };
    if (token === null && !loopbackHostAllowed(req.headers.host)) {
      fail(403, 'this exporter answers only to localhost');
      return;
    }
    if (
      token !== null &&
      authenticate(token, {
        authorization: req.headers.authorization,
        cookie: req.headers.cookie,
        queryToken: url.searchParams.get('token'),
      }) === null
    ) {
      fail(401, 'a token is required: send it as Authorization: Bearer <token>');
      return;
    }
    if (url.pathname !== '/metrics') {
      fail(404, 'not found: scrape /metrics');
      return;
    }
    sendMetrics(registry, req, res, { 'X-Content-Type-Options': 'nosniff' });
  });
}

/**
 * Starts the exporter on its own port: what the desktop app calls when the `exporter` setting is
 * on. Off loopback without a token it refuses to start rather than serve to the network.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  if (!isLoopback(options.bind) && options.token === null) {
    throw new Error(
      `the exporter on ${options.bind} needs a token; without one it listens on 127.0.0.1 only`,
    );
  }
  const token = isLoopback(options.bind) ? null : options.token;
  const server = createMetricsServer({ read: options.read, token });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.bind, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.bind.includes(':') ? `[${options.bind}]` : options.bind;
  return {
    url: `http://${host}:${port}/metrics`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
