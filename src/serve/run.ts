import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { MonitorService } from '../service/monitor.ts';
import { createMetricsRegistry } from '../metrics/registry.ts';
import { loadAssets } from './assets.ts';
import { isLoopback } from '../auth/loopback.ts';
import { newToken } from '../auth/token.ts';
import { createBridgeServer } from './server.ts';

export interface ServeOptions {
  readonly port: number;
  readonly bind: string;
  readonly rendererDir: string;
  /** The monitor to serve, built by `composeMonitor` like every shell's. */
  readonly service: MonitorService;
  /** Also serve Prometheus metrics at /metrics. */
  readonly metrics?: boolean;
  /** A token to require even on loopback, kept across restarts; otherwise one is made off loopback. */
  readonly token?: string;
}

export interface Serving {
  /** Where the dashboard is, without the token. */
  readonly address: string;
  /** The address a browser can open as it is: with the token, when one is needed. */
  readonly url: string;
  readonly token: string | null;
  readonly service: MonitorService;
  close(): Promise<void>;
}

/** The first of `candidates` that holds a built renderer (index.html). */
export function findRendererDir(candidates: readonly string[]): string | null {
  return candidates.find((dir) => existsSync(`${dir}/index.html`)) ?? null;
}

/** Starts the web bridge over a running monitor; the URL printed for a non-loopback bind carries the token. */
export async function startServe(options: ServeOptions, warn: (text: string) => void): Promise<Serving> {
  const { assets, missing } = loadAssets(options.rendererDir);
  if (missing.length > 0) {
    warn(
      `The dashboard is not built (missing ${missing.join(', ')} in ${options.rendererDir}); run npm run build.`,
    );
  }
  const token = options.token ?? (isLoopback(options.bind) ? null : newToken());
  const { service } = options;
  const server = createBridgeServer({
    service,
    assets,
    token,
    ...(options.metrics === true ? { metrics: createMetricsRegistry(() => service.current()) } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.bind, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.bind.includes(':') ? `[${options.bind}]` : options.bind;
  const address = `http://${host}:${port}/`;
  return {
    address,
    url: token === null ? address : `${address}?token=${token}`,
    token,
    service,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.stop();
    },
  };
}
