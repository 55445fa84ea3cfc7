import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiWatchArgs, runCli } from '../../helpers/cli.ts';
import {
  idOf,
  jsonRoute,
  startFakeDaemon,
  type FakeDaemon,
  type Handler,
} from '../../helpers/fake-daemon.ts';

/*
 * What a broken proxy, a half-dead engine or an attacker on DOCKER_HOST can send: damaged stats
 * bodies and nonsense in every field the watcher reads.
 */
const NAMES = ['truncated', 'endless', 'nonsense'] as const;
type Name = (typeof NAMES)[number];

function inspect(name: Name): object {
  return {
    Id: idOf(name),
    Name: `/${name}`,
    Config: { Image: 'hostile', Labels: null, Env: 'not-a-list' },
    State: { Status: 'running', Pid: 0 },
    HostConfig: { Memory: 'lots' },
  };
}

function streamStats(res: ServerResponse, name: Name): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const write = (): void => {
    if (res.destroyed) return;
    if (name === 'truncated')
      res.write(
        '{"read":"2026-11-23T00:00:00Z","cpu_stats":{"cpu_usage":{"total_us\n{"memory_stats":\nnot json at all\n',
      );
    if (name === 'endless') res.write('x'.repeat(256 * 1024));
    if (name === 'nonsense') {
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
  let daemon: FakeDaemon;

  before(async () => {
    daemon = await startFakeDaemon({
      containers: NAMES,
      routes: {
        version: jsonRoute({ Version: 'hostile', ApiVersion: '1.41', Os: 'linux' }),
        info: jsonRoute({ MemTotal: 'infinite', NCPU: -3, OSType: 'linux' }),
        ...Object.fromEntries(
          NAMES.flatMap((name): [string, Handler][] => [
            [`inspect:${name}`, jsonRoute(inspect(name))],
            [`stats:${name}`, (_req, res) => streamStats(res, name)],
          ]),
        ),
      },
    });
  });

  after(async () => {
    await daemon.close();
  });

  it('cannot crash the watcher or make it print NaN', async () => {
    const run = await runCli(
      apiWatchArgs({ hosts: [daemon.url], alertLog: join(daemon.dir, 'alerts.json') }),
      5000,
    );
    assert.equal(run.code, 0, `stopped by our SIGTERM, not by a crash (stderr: ${run.stderr})`);
    const rounds = run.lines.filter((l) => l['type'] === 'round');
    assert.ok(rounds.length >= 5, `kept collecting until stopped (${rounds.length} rounds)`);
    assert.doesNotMatch(run.stdout, /NaN|Infinity/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    const samples = run.lines.filter((l) => l['type'] === 'sample');
    for (const name of NAMES) {
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
