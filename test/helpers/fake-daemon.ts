import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * A real engine never sends what these tests need (a 100 MB line, a body that never ends, a byte
 * every few seconds), so this one speaks Docker's API from a script. Everything a route does not
 * override answers like a small, healthy engine with one running container per route.
 */

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface FakeDaemon {
  readonly url: string;
  readonly dir: string;
  close(): Promise<void>;
}

export interface FakeDaemonOptions {
  /** Container name → id is derived; the stats route of each may be replaced. */
  readonly containers: readonly string[];
  /** Overrides by exact route name: `_ping`, `version`, `info`, `events`, `list`, `inspect:<name>`, `stats:<name>`. */
  readonly routes?: Readonly<Record<string, Handler>>;
}

export function idOf(name: string): string {
  return Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64);
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A route that answers `body` as JSON, for overriding what the engine says about itself. */
export function jsonRoute(body: unknown): Handler {
  return (_req, res) => json(res, body);
}

/** A Linux stats body with plausible numbers; `n` moves the counters forward. */
export function statsBody(n: number): object {
  return {
    read: new Date().toISOString(),
    preread: new Date(Date.now() - 1000).toISOString(),
    pids_stats: { current: 3 },
    cpu_stats: {
      cpu_usage: { total_usage: 1e9 + n * 5e7 },
      system_cpu_usage: 1e12 + n * 2e9,
      online_cpus: 2,
    },
    precpu_stats: {
      cpu_usage: { total_usage: 1e9 + (n - 1) * 5e7 },
      system_cpu_usage: 1e12 + (n - 1) * 2e9,
      online_cpus: 2,
    },
    memory_stats: { usage: 50_000_000, limit: 1_000_000_000, stats: { inactive_file: 0 } },
    networks: { eth0: { rx_bytes: n * 100, tx_bytes: n * 50 } },
    blkio_stats: { io_service_bytes_recursive: [] },
  };
}

export function inspectBody(name: string): object {
  return {
    Id: idOf(name),
    Name: `/${name}`,
    Config: { Image: 'busybox', Labels: {} },
    State: { Status: 'running', Pid: 0, Health: null },
    HostConfig: { Memory: 0 },
    RestartCount: 0,
  };
}

/** Sends `text` one byte at a time, `everyMs` apart, headers included: a peer that never quite answers. */
export function dripFeed(res: ServerResponse, text: string, everyMs: number): void {
  const socket = res.socket;
  if (socket === null) return;
  let i = 0;
  const next = (): void => {
    if (socket.destroyed || i >= text.length) return;
    socket.write(text[i++] ?? '');
    setTimeout(next, everyMs);
  };
  next();
}

/** Healthy stream: one body a second, as dockerd sends them. */
export const healthyStats: Handler = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  let n = 1;
  const write = (): void => {
    if (res.destroyed) return;
    res.write(`${JSON.stringify(statsBody(n++))}\n`);
    if (new URL(req.url ?? '/', 'http://x').searchParams.get('stream') === 'false') {
      res.end();
      return;
    }
    setTimeout(write, 250);
  };
  write();
};

export async function startFakeDaemon(options: FakeDaemonOptions): Promise<FakeDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'dm-fake-daemon-'));
  const socket = join(dir, 'docker.sock');
  const routes = options.routes ?? {};
  const byId = new Map(options.containers.map((name) => [idOf(name), name]));

  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    const route = (name: string, fallback: Handler): void => (routes[name] ?? fallback)(req, res);
    if (url.startsWith('/_ping')) return route('_ping', (_q, r) => void r.end('OK'));
    if (url.startsWith('/version'))
      return route('version', (_q, r) => json(r, { Version: 'fake', ApiVersion: '1.45', Os: 'linux' }));
    if (url.startsWith('/info'))
      return route('info', (_q, r) => json(r, { MemTotal: 8_000_000_000, NCPU: 2, OSType: 'linux' }));
    if (url.startsWith('/events'))
      return route('events', (_q, r) => {
        r.writeHead(200, { 'content-type': 'application/json' });
        r.flushHeaders();
      });
    if (url.startsWith('/containers/json'))
      return route('list', (_q, r) =>
        json(
          r,
          [...byId.keys()].map((Id) => ({ Id })),
        ),
      );
    const match = /^\/containers\/([0-9a-f]+)\/(json|stats)/.exec(url);
    const name = match === null ? undefined : byId.get(match[1] ?? '');
    if (match === null || name === undefined)
      return res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"message":"no such container"}');
    if (match[2] === 'json') return route(`inspect:${name}`, (_q, r) => json(r, inspectBody(name)));
    return route(`stats:${name}`, healthyStats);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    url: `unix://${socket}`,
    dir,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resident and peak resident memory of a process, in bytes, from /proc. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number =>
    Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 };
}
