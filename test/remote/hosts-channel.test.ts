import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { HostTestResult } from '../../src/api.ts';
import { createCollectorFor } from '../../src/collect/connect.ts';
import type { HostState } from '../../src/model.ts';
import { createMonitorService } from '../../src/service/create-monitor.ts';
import type { MonitorService } from '../../src/service/monitor.ts';
import { DEFAULT_SETTINGS } from '../../src/settings/schema.ts';
import { memorySettingsStore, type SettingsStore } from '../../src/settings/store.ts';
import { systemClock } from '../../src/util/clock.ts';
import { startExtraDockerd, type ExtraDockerd } from '../helpers/dockerd.ts';
import { freePort } from '../helpers/free-port.ts';
import { sshFingerprint, startSshd, type TestSshd } from '../helpers/sshd.ts';

const exec = promisify(execFile);

async function docker(host: string, ...args: string[]): Promise<string> {
  return (await exec('docker', ['-H', host, ...args])).stdout.trim();
}

/** Established TCP connections to a local port, from anyone (only this test dials it). */
async function connectionsTo(port: number): Promise<number> {
  const { stdout } = await exec('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`]);
  return stdout.split('\n').filter((line) => line.trim() !== '').length;
}

function ok(result: HostTestResult): Extract<HostTestResult, { ok: true }> {
  assert.equal(result.ok, true, JSON.stringify(result));
  return result as Extract<HostTestResult, { ok: true }>;
}

function failed(result: HostTestResult): Extract<HostTestResult, { ok: false }> {
  assert.equal(result.ok, false, JSON.stringify(result));
  return result as Extract<HostTestResult, { ok: false }>;
}

describe('hosts:test and saved hosts at runtime, against real engines', { timeout: 240_000 }, () => {
  let dockerd: ExtraDockerd;
  let port: number;
  let sshd: TestSshd;
  let silent: Server;
  let silentPort: number;
  let store: SettingsStore;
  let service: MonitorService;
  const home = mkdtempSync(join(tmpdir(), 'dm-hosts-home-'));
  const realHome = process.env['HOME'];
  const realAgent = process.env['SSH_AUTH_SOCK'];

  before(async () => {
    port = await freePort();
    [dockerd, sshd] = await Promise.all([
      startExtraDockerd('hosts-channel', port),
      startSshd('unix:///var/run/docker.sock'),
    ]);
    // Accepts and never answers: an engine that hangs.
    silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as { port: number }).port;
    // ~/.ssh/known_hosts is read from HOME: an empty one knows no host.
    process.env['HOME'] = home;
    delete process.env['SSH_AUTH_SOCK'];
    store = memorySettingsStore({
      ...DEFAULT_SETTINGS,
      hosts: [
        { name: 'lab', url: `tcp://127.0.0.1:${port}` },
        {
          name: 'over-ssh',
          url: `ssh://${sshd.user}@127.0.0.1:${sshd.port}`,
          identityFile: sshd.clientKey,
          knownHostsFile: sshd.writeKnownHosts('known_hosts', [sshd.knownHostsLine]),
        },
      ],
    });
    service = createMonitorService({
      collectors: [],
      clock: systemClock,
      settings: store,
      hostTestTimeoutMs: 3000,
      savedHostCollector: (host) =>
        createCollectorFor(host, {
          intervalMs: 1000,
          includeOthers: true,
          source: 'api',
          requestTimeoutMs: 3000,
        }),
    });
  });

  after(async () => {
    await service?.stop();
    silent?.close();
    await Promise.all([dockerd?.remove(), sshd?.stop()]);
    if (realHome !== undefined) process.env['HOME'] = realHome;
    if (realAgent !== undefined) process.env['SSH_AUTH_SOCK'] = realAgent;
    rmSync(home, { recursive: true, force: true });
  });

  it('tests a new tcp:// address: the engine version, OS and memory the engine itself reports', async () => {
    const result = ok(await service.handle('hosts:test', { url: `tcp://127.0.0.1:${port}` }));
    assert.equal(result.product, 'Docker');
    assert.equal(result.version, await docker(dockerd.url, 'version', '--format', '{{.Server.Version}}'));
    assert.equal(
      result.memTotalBytes,
      Number(await docker(dockerd.url, 'info', '--format', '{{.MemTotal}}')),
    );
    assert.ok(
      result.os.includes(await docker(dockerd.url, 'info', '--format', '{{.OperatingSystem}}')),
      result.os,
    );
    assert.match(result.warning ?? '', /plain TCP: unauthenticated and unencrypted/);
  });

  it('tests a saved host by name, SSH files and all', async () => {
    assert.equal(
      ok(await service.handle('hosts:test', { name: 'lab' })).version,
      await docker(dockerd.url, 'version', '--format', '{{.Server.Version}}'),
    );
    const overSsh = ok(await service.handle('hosts:test', { name: 'over-ssh' }));
    assert.equal(
      overSsh.version,
      await docker('unix:///var/run/docker.sock', 'version', '--format', '{{.Server.Version}}'),
    );
    assert.equal(overSsh.warning, undefined);
  });

  it('says down, with the reason, for a closed port, a hung engine and an unknown name', async () => {
    const closed = failed(await service.handle('hosts:test', { url: `tcp://127.0.0.1:${await freePort()}` }));
    assert.equal(closed.state, 'down');
    assert.match(closed.message, /refused|ECONNREFUSED/i);
    const hung = failed(await service.handle('hosts:test', { url: `tcp://127.0.0.1:${silentPort}` }));
    assert.equal(hung.state, 'down');
    assert.match(hung.message, /time|abort/i);
    const hungSsh = failed(await service.handle('hosts:test', { url: `ssh://root@127.0.0.1:${silentPort}` }));
    assert.equal(hungSsh.state, 'down');
    assert.match(hungSsh.message, /time|abort/i);
    assert.deepEqual(await service.handle('hosts:test', { name: 'nobody' }), {
      ok: false,
      state: 'down',
      message: 'No saved host is named "nobody".',
    });
  });

  it('refuses an ssh:// host whose key is not in known_hosts, and adds nothing', async () => {
    const result = failed(
      await service.handle('hosts:test', { url: `ssh://${sshd.user}@127.0.0.1:${sshd.port}` }),
    );
    assert.equal(result.state, 'auth-failed');
    assert.match(result.message, /127\.0\.0\.1:\d+ is not a known host/);
    assert.ok(result.message.includes(await sshFingerprint(`${sshd.dir}/host_key.pub`)), result.message);
    assert.equal(existsSync(join(home, '.ssh', 'known_hosts')), false, 'the key was not accepted');
  });

  it('starts watching a host added at runtime, and stops when it is removed', async () => {
    const states: HostState[] = [];
    service.on('monitor:host', (state) => states.push(state));
    const saved = await service.handle('settings:set', {
      hosts: [
        ...store.get().hosts.map(({ name, url }) => ({ name, url })),
        { name: 'lab2', url: `tcp://127.0.0.1:${port}` },
      ],
    });
    assert.equal(saved.ok, true, JSON.stringify(saved));
    assert.equal(
      store.get().hosts.find((h) => h.name === 'over-ssh')?.identityFile,
      sshd.clientKey,
      'files kept',
    );
    for (let i = 0; i < 100 && !states.some((s) => s.host === 'lab2' && s.state === 'up'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(
      states.some((s) => s.host === 'lab2' && s.state === 'up'),
      JSON.stringify(states),
    );
    const snapshot = await service.handle('monitor:snapshot', null);
    assert.equal(snapshot.hosts.find((h) => h.host === 'lab2')?.state, 'up');

    assert.ok((await connectionsTo(port)) > 0, 'the collector holds connections to the engine');
    const removed = await service.handle('settings:set', {
      hosts: store
        .get()
        .hosts.filter((h) => h.name !== 'lab2')
        .map(({ name, url }) => ({ name, url })),
    });
    assert.equal(removed.ok, true);
    assert.equal(
      (await service.handle('monitor:snapshot', null)).hosts.some((h) => h.host === 'lab2'),
      false,
    );
    let open = await connectionsTo(port);
    for (let i = 0; i < 50 && open > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      open = await connectionsTo(port);
    }
    assert.equal(open, 0, 'the removed host’s collector closed its connections');
  });
});
