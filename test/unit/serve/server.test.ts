import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Asset } from '../../../src/serve/assets.ts';
import { isLoopback } from '../../../src/auth/loopback.ts';
import { createBridgeServer, MAX_BODY_BYTES } from '../../../src/serve/server.ts';
import type { MonitorService } from '../../../src/service/monitor.ts';
import { createMonitorService } from '../../../src/service/create-monitor.ts';
import type { MonitorSource } from '../../../src/service/sources.ts';
import { memorySettingsStore } from '../../../src/settings/store.ts';
import type { Mode } from '../../../src/collect/collector.ts';

const TOKEN = 'secret-token-0123456789';

const modes: Mode[] = [];
const collector: MonitorSource = {
  on: () => () => undefined,
  setMode: (mode) => modes.push(mode),
  start: () => undefined,
  stop: () => undefined,
  state: {
    type: 'host',
    ts: 0,
    host: 'local',
    state: 'up',
    message: 'ok',
    endpoint: 'unix:///x',
    reason: 't',
  },
};

const assets = new Map<string, Asset>([
  ['/', { body: Buffer.from('<!doctype html><title>x</title>'), type: 'text/html; charset=utf-8' }],
  ['/app.js', { body: Buffer.from('console.log(1)'), type: 'text/javascript; charset=utf-8' }],
]);

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; host?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { Host: options.host ?? `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = { 'Content-Type': 'application/json' };

async function listen(
  service: MonitorService,
  token: string | null,
): Promise<{ port: number; close(): void }> {
  const server = createBridgeServer({ service, assets, token });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('the web bridge', () => {
  let service: MonitorService;
  let open: { port: number; close(): void };
  let locked: { port: number; close(): void };
  before(async () => {
    service = createMonitorService({
      collectors: [collector],
      clock: { now: () => 1_700_000_000_000, setTimeout: () => null, clearTimeout: () => undefined },
      settings: memorySettingsStore(),
    });
    open = await listen(service, null);
    locked = await listen(service, TOKEN);
  });
  after(async () => {
    open.close();
    locked.close();
    await service.stop();
  });

  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) assert.ok(isLoopback(a), a);
    for (const a of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1']) assert.ok(!isLoopback(a), a);
  });

  it('serves the page with a strict CSP and nosniff', async () => {
    const page = await call(open.port, '/');
    assert.equal(page.status, 200);
    const csp = String(page.headers['content-security-policy']);
    for (const part of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ]) {
      assert.ok(csp.includes(part), `CSP has ${part}`);
    }
    assert.ok(!csp.includes('unsafe'), 'nothing unsafe allowed');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(
      (await call(open.port, '/app.js')).headers['content-type'],
      'text/javascript; charset=utf-8',
    );
  });

  it('serves only its fixed files: traversal and anything else is 404', async () => {
    for (const path of [
      '/../package.json',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2fetc%2fpasswd',
      '/app.js/../../../etc/passwd',
      '//etc/passwd',
      '/index.ts',
      '/dist/cli.js',
    ]) {
      const reply = await call(open.port, path);
      assert.ok(reply.status === 404, `${path} → ${reply.status}`);
      assert.ok(!reply.body.includes('root:'), path);
    }
  });

  it('answers invokes, and rejects bad ones with 400 and a message', async () => {
    const snapshot = await call(open.port, '/api/monitor:snapshot', {
      method: 'POST',
      headers: json,
      body: 'null',
    });
    assert.equal(snapshot.status, 200);
    assert.equal((JSON.parse(snapshot.body) as { settings: { version: number } }).settings.version, 1);

    const notJson = await call(open.port, '/api/settings:set', {
      method: 'POST',
      headers: json,
      body: '{"a":',
    });
    assert.equal(notJson.status, 400);
    assert.match(notJson.body, /not JSON/);

    const badShape = await call(open.port, '/api/monitor:history', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ key: 'a b', metric: 'x', window: '5m' }),
    });
    assert.equal(badShape.status, 400);
    assert.match(badShape.body, /monitor:history: key must be/);

    const badMute = await call(open.port, '/api/alerts:mute', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ scope: 'all', forMs: 1e12 }),
    });
    assert.equal(badMute.status, 400);

    const settings = await call(open.port, '/api/settings:set', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ intervals: { fastMs: 3 } }),
    });
    assert.equal(
      settings.status,
      200,
      'invalid values are an answer with field errors, not a failed request',
    );
    assert.deepEqual(
      (JSON.parse(settings.body) as { errors: { path: string }[] }).errors[0]?.path,
      '/intervals/fastMs',
    );

    assert.equal(
      (await call(open.port, '/api/nope', { method: 'POST', headers: json, body: '{}' })).status,
      404,
    );
    assert.equal((await call(open.port, '/api/monitor:snapshot')).status, 405);
    const form = await call(open.port, '/api/monitor:snapshot', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'null',
    });
    assert.equal(form.status, 415, 'a cross-site form post cannot reach a handler');
  });

  it('refuses an oversized body with 413', async () => {
    const reply = await call(open.port, '/api/settings:set', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ hosts: 'x'.repeat(MAX_BODY_BYTES) }),
    });
    assert.equal(reply.status, 413);
  });

  it('on loopback, answers only to Host names of this machine (no DNS rebinding)', async () => {
    assert.equal((await call(open.port, '/', { host: 'evil.example:80' })).status, 403);
    assert.equal((await call(open.port, '/', { host: `localhost:${open.port}` })).status, 200);
  });

  it('with a token, refuses every request without it (401) and accepts header, query then cookie', async () => {
    for (const path of ['/', '/app.js', '/api/events']) {
      assert.equal((await call(locked.port, path)).status, 401, path);
    }
    assert.equal(
      (await call(locked.port, '/api/monitor:snapshot', { method: 'POST', headers: json, body: 'null' }))
        .status,
      401,
    );
    assert.equal((await call(locked.port, '/', { headers: { Authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await call(locked.port, '/?token=wrong')).status, 401);
    assert.equal(
      (
        await call(locked.port, '/api/monitor:snapshot', {
          method: 'POST',
          headers: { ...json, Authorization: `Bearer ${TOKEN}` },
          body: 'null',
        })
      ).status,
      200,
    );
    const entry = await call(locked.port, `/?token=${TOKEN}`);
    assert.equal(entry.status, 303);
    assert.equal(entry.headers.location, '/');
    const cookie = String(entry.headers['set-cookie']).split(';')[0] ?? '';
    assert.match(String(entry.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    assert.equal((await call(locked.port, '/', { headers: { Cookie: cookie } })).status, 200);
  });

  it('counts an open event stream as a viewer until it closes, and streams events', async () => {
    modes.length = 0;
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: open.port,
          path: '/api/events',
          headers: { Host: `127.0.0.1:${open.port}` },
        },
        (res) => {
          assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
          res.on('data', (d: Buffer) => {
            events.push(d.toString());
            if (events.join('').includes('event: settings:changed')) {
              assert.equal(modes.at(-1), 'fast');
              req.destroy();
              resolve();
            }
          });
          void service.handle('settings:set', { startAtLogin: true });
        },
      );
      req.on('error', reject);
      req.end();
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(modes, ['fast', 'tray']);
    assert.match(events.join(''), /data: \{"version":1/);
  });
});
