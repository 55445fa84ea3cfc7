import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { startMetricsServer } from '../../../src/metrics/http.ts';
import { createMetricsRegistry, type MetricsState } from '../../../src/metrics/registry.ts';
import { createBridgeServer } from '../../../src/serve/server.ts';
import { createMonitorService } from '../../../src/service/create-monitor.ts';
import { memorySettingsStore } from '../../../src/settings/store.ts';
import { host, sample } from '../../helpers/metrics-fixtures.ts';

const state: MetricsState = {
  samples: [sample('docker-api-1')],
  hosts: [host('local', 'up')],
  active: [],
  oomKills: new Map(),
};

async function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { headers, redirect: 'manual' });
}

/** fetch will not send a Host header of our choosing; node:http will, as a rebinding page's would. */
function statusWithHost(url: string, hostHeader: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Host: hostHeader } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('/metrics over HTTP', () => {
  const service = createMonitorService({
    collectors: [],
    clock: { now: () => 1_700_000_000_000, setTimeout: () => null, clearTimeout: () => undefined },
    settings: memorySettingsStore(),
  });
  after(() => service.stop());

  it("is on serve's bridge behind the same token, without the page's cookie redirect", async () => {
    const server = createBridgeServer({
      service,
      assets: new Map(),
      token: 'secret-token',
      metrics: createMetricsRegistry(() => state),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal((await get(`${base}/metrics`)).status, 401);
      assert.equal((await get(`${base}/metrics`, { Authorization: 'Bearer wrong' })).status, 401);
      const ok = await get(`${base}/metrics`, { Authorization: 'Bearer secret-token' });
      assert.equal(ok.status, 200);
      assert.match(ok.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.match(await ok.text(), /container_memory_working_set_bytes\{host="local"/);
      const query = await get(`${base}/metrics?token=secret-token`);
      assert.equal(query.status, 200, 'a scraper that follows no cookies gets the metrics at once');
      assert.equal((await get(`${base}/metrics`, { Authorization: 'Bearer secret-token' })).status, 200);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('is absent from serve unless asked for', async () => {
    const server = createBridgeServer({ service, assets: new Map(), token: null });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal((await get(`${base}/metrics`)).status, 404);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('runs on a port of its own for the desktop app: loopback only, or with a token', async () => {
    await assert.rejects(
      startMetricsServer({ read: () => state, port: 0, bind: '0.0.0.0', token: null }),
      /needs a token/,
    );
    const local = await startMetricsServer({ read: () => state, port: 0, bind: '127.0.0.1', token: null });
    try {
      assert.equal((await get(local.url)).status, 200);
      assert.equal(await statusWithHost(local.url, 'attacker.example'), 403, 'DNS rebinding is refused');
      assert.equal((await get(local.url.replace('/metrics', '/'))).status, 404);
    } finally {
      await local.close();
    }
    const open = await startMetricsServer({ read: () => state, port: 0, bind: '0.0.0.0', token: 'tok' });
    try {
      const url = open.url.replace('0.0.0.0', '127.0.0.1');
      assert.equal((await get(url)).status, 401);
      const ok = await get(url, { Authorization: 'Bearer tok' });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /dify_monitor_host_up\{host="local"\} 1/);
    } finally {
      await open.close();
    }
  });
});
