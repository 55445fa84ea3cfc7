import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import { startCli, runCli, type LiveCli } from '../helpers/cli.ts';
import { removeAll, startOther } from '../stack/stack.ts';
import {
  SERVICES,
  hostsCli,
  makeTestPki,
  startRemoteEngine,
  tempSettings,
  type RemoteEngine,
  type TestPki,
} from './daemons.ts';

const TAG = 'remote-tcp-tls';
type Line = Record<string, unknown>;

/** The base64 body lines of a PEM private key: what must never show up anywhere. */
function keyMaterial(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 20 && !l.startsWith('-----'));
}

describe('remote engines over plain TCP and TLS', { timeout: 900_000 }, () => {
  let pki: TestPki;
  let pkiDir: string;
  let plain: RemoteEngine;
  let secure: RemoteEngine;
  const settings = tempSettings('dm-remote');
  const broken = tempSettings('dm-remote-broken');
  let watch: LiveCli | undefined;

  before(async () => {
    pkiDir = mkdtempSync(join(tmpdir(), 'dm-pki-'));
    pki = await makeTestPki(pkiDir);
    [plain, secure] = await Promise.all([
      startRemoteEngine('remote-tcp', TAG),
      startRemoteEngine('remote-tls', TAG, pki),
    ]);
  });

  after(async () => {
    await watch?.stop();
    await removeAll(TAG);
    await Promise.all([plain?.dockerd.remove(), secure?.dockerd.remove()]);
    settings.remove();
    broken.remove();
    rmSync(pkiDir, { recursive: true, force: true });
  });

  it('saves hosts with their TLS files copied privately, and no key material in settings', async () => {
    const addPlain = await hostsCli([
      'add',
      'plain',
      `tcp://127.0.0.1:${plain.port}`,
      '--settings',
      settings.path,
    ]);
    assert.equal(addPlain.code, 0, addPlain.stderr);
    assert.match(addPlain.stderr, /plain TCP: unauthenticated and unencrypted/);
    const addSecure = await hostsCli([
      'add',
      'secure',
      `tcp://127.0.0.1:${secure.port}`,
      '--tls-ca',
      pki.ca,
      '--tls-cert',
      pki.client.cert,
      '--tls-key',
      pki.client.key,
      '--settings',
      settings.path,
    ]);
    assert.equal(addSecure.code, 0, addSecure.stderr);

    const text = readFileSync(settings.path, 'utf8');
    assert.doesNotMatch(text, /BEGIN|PRIVATE KEY/);
    for (const line of keyMaterial(pki.client.key)) assert.ok(!text.includes(line));
    const saved = JSON.parse(text) as {
      hosts: { name: string; tls?: { keyPath: string; caPath: string } }[];
    };
    const keyPath = saved.hosts.find((h) => h.name === 'secure')?.tls?.keyPath ?? '';
    assert.equal(dirname(dirname(dirname(keyPath))), settings.dir, 'copied beside the settings file');
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    assert.equal(statSync(dirname(keyPath)).mode & 0o777, 0o700);
    assert.equal(readFileSync(keyPath, 'utf8'), readFileSync(pki.client.key, 'utf8'));

    const list = await hostsCli(['list', '--settings', settings.path]);
    assert.match(list.stdout, /plain .*tcp:\/\/127\.0\.0\.1:\d+ .*plain TCP: unauthenticated/);
    assert.match(list.stdout, /secure .*TLS, verified/);
  });

  it('refuses a duplicate name, an unreadable file and a key that is not the certificate’s', async () => {
    const again = await hostsCli(['add', 'plain', 'tcp://127.0.0.1:1', '--settings', settings.path]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already saved/);
    const missing = await hostsCli([
      'add',
      'x',
      'tcp://127.0.0.1:1',
      '--tls-ca',
      '/nonexistent/ca.pem',
      '--settings',
      settings.path,
    ]);
    assert.match(missing.stderr, /Cannot read the CA certificate \/nonexistent\/ca\.pem/);
    const mismatch = await hostsCli([
      'add',
      'x',
      'tcp://127.0.0.1:1',
      '--tls-ca',
      pki.ca,
      '--tls-cert',
      pki.client.cert,
      '--tls-key',
      pki.otherClient.key,
      '--settings',
      settings.path,
    ]);
    assert.match(mismatch.stderr, /does not belong to the certificate/);
    const hosts = (JSON.parse(readFileSync(settings.path, 'utf8')) as { hosts: { name: string }[] }).hosts;
    assert.deepEqual(hosts.map((h) => h.name).sort(), ['plain', 'secure']);
  });

  it('hosts test prints the engine version, OS and memory over TLS', async () => {
    const test = await hostsCli(['test', 'secure', '--settings', settings.path]);
    assert.equal(test.code, 0, test.stderr);
    assert.match(
      test.stdout,
      /^secure: Docker \d+\.\d+\.\d+\S* \(API \d+\.\d+\) on .+ \(linux\), \d+ CPUs, [\d.]+ ?[GM]iB memory/,
    );
  });

  it('gives tls-failed with the exact reason for every TLS mistake, and never falls back to plain', async () => {
    const add = async (name: string, url: string, ca: string, cert: string, key: string): Promise<void> => {
      const r = await hostsCli([
        'add',
        name,
        url,
        '--tls-ca',
        ca,
        '--tls-cert',
        cert,
        '--tls-key',
        key,
        '--settings',
        broken.path,
      ]);
      assert.equal(r.code, 0, r.stderr);
    };
    const tlsUrl = `tcp://127.0.0.1:${secure.port}`;
    await add('wrong-ca', tlsUrl, pki.otherCa, pki.client.cert, pki.client.key);
    await add('wrong-client', tlsUrl, pki.ca, pki.otherClient.cert, pki.otherClient.key);
    await add('wrong-name', `tcp://localhost:${secure.port}`, pki.ca, pki.client.cert, pki.client.key);
    await add('tls-to-plain', `tcp://127.0.0.1:${plain.port}`, pki.ca, pki.client.cert, pki.client.key);
    const cases: [string, RegExp][] = [
      ['wrong-ca', /^wrong-ca: tls-failed: unknown CA: .*\(unable to verify the first certificate\)/],
      ['wrong-client', /^wrong-client: tls-failed: bad certificate: /],
      ['wrong-name', /^wrong-name: tls-failed: wrong host name: .*localhost/],
      ['tls-to-plain', /^tls-to-plain: tls-failed: the engine does not speak TLS on this port/],
      [tlsUrl, /tls-failed: the engine speaks TLS on this port, but no TLS files were given/],
    ];
    for (const [target, expected] of cases) {
      const r = await hostsCli(['test', target, '--settings', broken.path]);
      assert.equal(r.code, 1, `${target}: ${r.stdout}`);
      assert.equal(r.stdout, '', `${target} must not have reached the engine`);
      assert.match(r.stderr.trim(), expected);
    }

    // The collector sorts them the same way; the local engine keeps being watched meanwhile.
    const local = await startOther(TAG);
    const run = await runCli(['watch', '--once', '--json', '--all', '--settings', broken.path], 60_000);
    assert.equal(run.code, 2, 'a saved host that failed makes --once exit 2');
    for (const name of ['wrong-ca', 'wrong-client', 'wrong-name', 'tls-to-plain']) {
      const states = run.lines.filter((l) => l['type'] === 'host' && l['host'] === name);
      assert.ok(
        states.some((l) => l['state'] === 'tls-failed'),
        `${name}: ${JSON.stringify(states)}`,
      );
      assert.ok(!states.some((l) => l['state'] === 'up'));
      assert.ok(!run.lines.some((l) => l['type'] === 'sample' && l['host'] === name));
      const failed = states.find((l) => l['state'] === 'tls-failed') as Line;
      assert.ok(Number(failed['retryInMs']) >= 60_000, 'TLS failures back off for a minute or more');
    }
    assert.ok(
      run.lines.some((l) => l['type'] === 'sample' && l['host'] === 'local' && l['name'] === local.name),
    );
  });

  it('streams both stacks called docker at once, apart by host; a killed engine goes down alone and recovers', async () => {
    const intervalMs = 1000;
    const timeoutMs = 2000;
    const live = startCli([
      'watch',
      '--json',
      '--interval',
      '1s',
      '--timeout',
      '2s',
      '--settings',
      settings.path,
    ]);
    watch = live;
    const hasNumbers = (l: Line): boolean => l['type'] === 'sample' && typeof l['memUsageBytes'] === 'number';
    for (const [host, engine] of [
      ['plain', plain],
      ['secure', secure],
    ] as const) {
      for (const service of SERVICES) {
        const sample = await live.waitFor(
          (l) => hasNumbers(l) && l['host'] === host && l['service'] === service,
          60_000,
        );
        assert.equal(sample['stack'], 'docker');
        assert.equal(sample['key'], `${host}/docker/${service}/1`);
        assert.equal(
          sample['id'],
          engine.stack.service(service).id,
          `${host} ${service} is that engine's container`,
        );
      }
    }
    const plainUp = live.lines.find(
      (l) => l['type'] === 'host' && l['host'] === 'plain' && l['state'] === 'up',
    ) as Line;
    assert.match(String(plainUp['warning']), /unauthenticated/);
    assert.equal(
      live.lines.find((l) => l['type'] === 'host' && l['host'] === 'secure')?.['warning'],
      undefined,
    );
    assert.match(live.stderr(), /plain: warning: .*unauthenticated/);

    const killedAt = Date.now();
    const mark = live.lines.length;
    secure.dockerd.kill('SIGKILL');
    const down = await live.waitFor(
      (l) =>
        l['type'] === 'host' &&
        l['host'] === 'secure' &&
        l['state'] === 'down' &&
        live.lines.indexOf(l) >= mark,
      30_000,
    );
    const noticedMs = Date.now() - killedAt;
    assert.ok(noticedMs <= intervalMs + timeoutMs + 2000, `down after ${noticedMs} ms`);
    assert.match(String(down['message']), /not reachable/);

    // The plain engine keeps its rhythm while the other one is gone.
    const downAt = live.lines.indexOf(down);
    for (let n = 0; n < 3; n++) {
      const seen = live.lines.filter(
        (l, i) => i > downAt && l['type'] === 'round' && l['host'] === 'plain',
      ).length;
      await live.waitFor(
        (l) =>
          l['type'] === 'round' &&
          l['host'] === 'plain' &&
          live.lines.filter((m, i) => i > downAt && m['type'] === 'round' && m['host'] === 'plain').length >
            seen,
        10_000,
      );
    }
    // Fresh numbers in every round, if not for every container on a loaded 2-core machine.
    const plainRounds = live.lines.filter(
      (l, i) => i > downAt && l['type'] === 'round' && l['host'] === 'plain',
    );
    assert.ok(
      plainRounds.every((r) => Number(r['fresh']) > 0),
      JSON.stringify(plainRounds),
    );

    await secure.dockerd.start();
    const up = await live.waitFor(
      (l) =>
        l['type'] === 'host' &&
        l['host'] === 'secure' &&
        l['state'] === 'up' &&
        live.lines.indexOf(l) > downAt,
      90_000,
    );
    await live.waitFor(
      (l) =>
        l['type'] === 'sample' && l['host'] === 'secure' && live.lines.indexOf(l) > live.lines.indexOf(up),
      30_000,
    );
    assert.equal(live.child.exitCode, null);

    // A stalled engine (SIGSTOP: sockets open, no answers) is no better: the other host keeps its rounds.
    secure.dockerd.kill('SIGSTOP');
    try {
      const stoppedAt = live.lines.length;
      await live.waitFor(
        (l) =>
          l['type'] === 'host' &&
          l['host'] === 'secure' &&
          l['state'] === 'down' &&
          live.lines.indexOf(l) >= stoppedAt,
        30_000,
      );
      const during = (): Line[] =>
        live.lines.filter((l, i) => i >= stoppedAt && l['type'] === 'round' && l['host'] === 'plain');
      while (during().length < 8) await new Promise((r) => setTimeout(r, 250));
      assert.ok(
        during().every((r) => Number(r['fresh']) > 0),
        JSON.stringify(during()),
      );
    } finally {
      secure.dockerd.kill('SIGCONT');
    }

    const printed = JSON.stringify(live.lines) + live.stderr();
    for (const line of keyMaterial(pki.client.key))
      assert.ok(!printed.includes(line), 'key material printed');
    assert.doesNotMatch(printed, /PRIVATE KEY/);
    await live.stop();
    watch = undefined;
  });

  it('never sends key material to the renderer (serve snapshot)', async () => {
    const child = spawn(
      process.execPath,
      [
        join(import.meta.dirname, '../../src/cli/index.ts'),
        'serve',
        '--port',
        '0',
        '--settings',
        settings.path,
        '--alert-log',
        join(settings.dir, 'alerts.json'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const found = /Dashboard: (\S+)/.exec(out);
          if (found?.[1] !== undefined) resolve(found[1]);
        });
        child.once('exit', () => reject(new Error('serve exited')));
      });
      let text = '';
      for (let i = 0; i < 40; i++) {
        const response = await fetch(new URL('api/monitor:snapshot', url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '',
        });
        text = await response.text();
        if (text.includes('"host":"secure"') && text.includes('"host":"plain"')) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.match(text, /"host":"secure"/);
      assert.match(text, /"warning":"tcp:\/\/127\.0\.0\.1:\d+ is plain TCP/);
      assert.doesNotMatch(text, /PRIVATE KEY|BEGIN CERTIFICATE/);
      for (const line of keyMaterial(pki.client.key))
        assert.ok(!text.includes(line), 'key material in the snapshot');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
