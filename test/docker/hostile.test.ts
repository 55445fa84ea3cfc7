import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

/*
 * A real engine never sends these, so this one test speaks Docker's API from a script: the point
 * is what a broken proxy, a half-dead engine or an attacker on DOCKER_HOST can send.
 */
const IDS = { truncated: 'a'.repeat(64), endless: 'b'.repeat(64), nonsense: 'c'.repeat(64) };

function inspect(id: string, name: string): object {
  return {
    Id: id,
    Name: `/${name}`,
    Config: { Image: 'hostile', Labels: null, Env: 'not-a-list' },
    State: { Status: 'running', Pid: 0 },
    HostConfig: { Memory: 'lots' },
  };
}

function streamStats(res: ServerResponse, id: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const write = (): void => {
    if (res.destroyed) return;
    if (id === IDS.truncated)
      res.write(
        '{"read":"2026-11-23T00:00:00Z","cpu_stats":{"cpu_usage":{"total_us\n{"memory_stats":\nnot json at all\n',
      );
    if (id === IDS.endless) res.write('x'.repeat(256 * 1024));
    if (id === IDS.nonsense) {
      res.write(
        `${JSON.stringify({
          read: 'yesterday',
          preread: '2026-11-23T00:00:00Z',
          cpu_stats: {
            cpu_usage: { total_usage: -5, percpu_usage: 'many' },
            system_cpu_usage: 'NaN',
            online_cpus: -1,
          },
          precpu_stats: { cpu_usage: { total_usage: 1e308 }, system_cpu_usage: 1e308 },
          memory_stats: { usage: 1e308, limit: 0, stats: { total_inactive_file: -1 } },
          pids_stats: { current: 'x' },
          networks: { eth0: { rx_bytes: null, tx_bytes: [] } },
          blkio_stats: { io_service_bytes_recursive: [{ op: null, value: 'v' }, 42] },
        })}\n`,
      );
    }
    setTimeout(write, 200);
  };
  write();
}

describe('a hostile engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dm-hostile-'));
  const socket = join(dir, 'docker.sock');
  let server: Server;

  before(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? '';
      const json = (body: unknown): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.startsWith('/_ping')) return res.end('OK');
      if (url.startsWith('/version')) return json({ Version: 'hostile', ApiVersion: '1.41', Os: 'linux' });
      if (url.startsWith('/info')) return json({ MemTotal: 'infinite', NCPU: -3, OSType: 'linux' });
      if (url.startsWith('/events')) return res.writeHead(200).flushHeaders();
      if (url.startsWith('/containers/json')) return json(Object.values(IDS).map((Id) => ({ Id })));
      const match = /^\/containers\/([a-z]+)\/(json|stats)/.exec(url);
      const entry = Object.entries(IDS).find(([, id]) => id === match?.[1]);
      if (match === null || entry === undefined)
        return res.writeHead(404).end('{"message":"no such container"}');
      if (match[2] === 'json') return json(inspect(entry[1], entry[0]));
      return streamStats(res, entry[1]);
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('cannot crash the watcher or make it print NaN', async () => {
    const run = await runCli(
      [
        'watch',
        '--json',
        '--all',
        '--source',
        'api',
        '--interval',
        '500ms',
        '--alert-log',
        join(dir, 'alerts.json'),
        '--host',
        `unix://${socket}`,
      ],
      5000,
    );
    assert.equal(run.code, 0, `stopped by our SIGTERM, not by a crash (stderr: ${run.stderr})`);
    const rounds = run.lines.filter((l) => l['type'] === 'round');
    assert.ok(rounds.length >= 5, `kept collecting until stopped (${rounds.length} rounds)`);
    assert.doesNotMatch(run.stdout, /NaN|Infinity/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    const samples = run.lines.filter((l) => l['type'] === 'sample');
    for (const name of Object.keys(IDS)) {
      const mine = samples.filter((s) => s['name'] === name);
      assert.ok(mine.length > 0, `${name} is listed`);
      for (const s of mine) {
        for (const field of ['cpuPercent', 'memUsageBytes', 'memPercent', 'pids', 'netRxBytes']) {
          assert.ok(s[field] === null || Number.isFinite(s[field]), `${name}.${field} = ${String(s[field])}`);
        }
      }
    }
  });
});
