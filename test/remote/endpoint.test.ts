import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import Docker from 'dockerode';
import { dockerodeOptions } from '../../src/docker/dockerode-options.ts';
import { parseHostUrl, type Endpoint } from '../../src/docker/endpoint.ts';
import { defaultDeps } from '../../src/docker/machine.ts';
import { resolveEndpoint, type ResolveDeps, type Resolution } from '../../src/docker/resolve.ts';
import { unreachableMessage } from '../../src/docker/unreachable.ts';

const ENGINE_SOCKET = '/var/run/docker.sock';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function tempDir(prefix = 'dm-ep-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function writeFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

/** Tracks connections so the server can really close at the end of the file. */
function closing(server: Server): Server {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => sockets.add(s));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return server;
}

async function listenUnix(path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const server = closing(createServer());
  await new Promise<void>((resolve) => server.listen(path, resolve));
}

/** A machine whose only sockets are the ones made under `home`; files are real. */
function depsFor(
  home: string,
  env: Record<string, string> = {},
  overrides: Partial<ResolveDeps> = {},
): ResolveDeps {
  const real = defaultDeps();
  return {
    ...real,
    env,
    homedir: home,
    platform: 'linux',
    uid: 4242,
    isSocket: (path) => (path.startsWith(`${home}/`) ? real.isSocket(path) : Promise.resolve(false)),
    ...overrides,
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function writeContext(configDir: string, name: string, docker: Record<string, unknown>): string {
  const meta = join(configDir, 'contexts', 'meta', sha256(name), 'meta.json');
  writeFile(meta, JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker } }));
  return meta;
}

function endpointOf(resolution: Resolution): Endpoint {
  assert.ok(resolution.endpoint, `no endpoint: ${JSON.stringify(resolution)}`);
  return resolution.endpoint;
}

function parsed(url: string): Endpoint {
  const result = parseHostUrl(url);
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.endpoint;
}

describe('parseHostUrl', () => {
  it('keeps unix, npipe and ssh addresses canonical', () => {
    assert.deepEqual(parsed('unix:///var/run/docker.sock'), {
      url: 'unix:///var/run/docker.sock',
      transport: 'unix',
      tls: null,
      local: true,
    });
    assert.deepEqual(parsed('npipe:////./pipe/docker_engine'), {
      url: 'npipe:////./pipe/docker_engine',
      transport: 'npipe',
      tls: null,
      local: true,
    });
    assert.deepEqual(parsed('ssh://deploy@build.example.com:2222'), {
      url: 'ssh://deploy@build.example.com:2222',
      transport: 'ssh',
      tls: null,
      local: false,
    });
  });

  it('fills the defaults the CLI fills', () => {
    assert.equal(parsed('unix://').url, 'unix:///var/run/docker.sock');
    assert.equal(parsed('npipe://').url, 'npipe:////./pipe/docker_engine');
    assert.equal(parsed('/run/user/1000/docker.sock').url, 'unix:///run/user/1000/docker.sock');
    assert.equal(parsed('10.0.0.5:2375').url, 'tcp://10.0.0.5:2375');
    assert.equal(parsed('tcp://10.0.0.5').url, 'tcp://10.0.0.5:2375');
    assert.equal(parsed('tcp://:2375').url, 'tcp://localhost:2375');
    assert.equal(parsed('  tcp://[::1]:2376/ ').url, 'tcp://[::1]:2376');
    assert.equal(parsed('ssh://u@h').url, 'ssh://u@h:22');
    assert.equal(parsed('ssh://h').url, 'ssh://h:22');
  });

  it('defaults tcp to 2376 when TLS is on and carries the TLS settings', () => {
    const result = parseHostUrl('tcp://docker.internal', { verify: true, caPath: '/certs/ca.pem' });
    assert.ok(result.ok);
    assert.equal(result.endpoint.url, 'tcp://docker.internal:2376');
    assert.deepEqual(result.endpoint.tls, { verify: true, caPath: '/certs/ca.pem' });
    assert.equal(result.endpoint.local, false);
    const socket = parseHostUrl('unix:///x.sock', { verify: true });
    assert.ok(socket.ok);
    assert.equal(socket.endpoint.tls, null);
  });

  it('rejects garbage with a message that says what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['http//nonsense', /path after the host/],
      ['http://10.0.0.5:2375', /use tcp:\/\//],
      ['ftp://h', /unsupported scheme "ftp:\/\/"/],
      ['fd://', /cannot dial/],
      ['tcp://h:99999', /not a valid host\[:port\]/],
      ['tcp://h:0', /port 0/],
      ['tcp://a b:2375', /not a valid host/],
      ['tcp://h:2375/v1.41', /path after the host/],
      ['tcp://user@h:2375', /no user name/],
      ['ssh://u:secret@h', /password/],
      ['ssh://', /not a valid \[user@\]host/],
      ['unix://tcp://x', /not a unix path/],
    ];
    for (const [input, pattern] of cases) {
      const result = parseHostUrl(input);
      assert.ok(!result.ok, `${JSON.stringify(input)} was accepted`);
      assert.match(result.error, pattern, input);
      assert.ok(result.error.includes(`"${input}"`), result.error);
    }
  });
});

describe('resolveEndpoint: DOCKER_HOST', () => {
  it('wins over DOCKER_CONTEXT and the configured context, and says so', async () => {
    const home = tempDir();
    writeFile(join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'colima' }));
    writeContext(join(home, '.docker'), 'colima', { Host: 'unix:///nowhere.sock' });
    await listenUnix(join(home, '.docker', 'run', 'docker.sock'));
    const r = await resolveEndpoint(
      depsFor(home, { DOCKER_HOST: 'tcp://10.1.2.3:2375', DOCKER_CONTEXT: 'colima' }),
    );
    assert.deepEqual(r.endpoint, { url: 'tcp://10.1.2.3:2375', transport: 'tcp', tls: null, local: false });
    assert.equal(r.reason, 'DOCKER_HOST is set (it wins over DOCKER_CONTEXT "colima")');
    assert.deepEqual(r.tried, ['tcp://10.1.2.3:2375']);
    assert.equal(r.error, undefined);
  });

  it('turns on verified TLS with DOCKER_TLS_VERIFY and takes the files from DOCKER_CERT_PATH', async () => {
    const home = tempDir();
    const certs = tempDir();
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFile(join(certs, f), 'x');
    const r = await resolveEndpoint(
      depsFor(home, {
        DOCKER_HOST: 'tcp://docker.internal',
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: certs,
      }),
    );
    const endpoint = endpointOf(r);
    assert.equal(endpoint.url, 'tcp://docker.internal:2376');
    assert.deepEqual(endpoint.tls, {
      verify: true,
      caPath: join(certs, 'ca.pem'),
      certPath: join(certs, 'cert.pem'),
      keyPath: join(certs, 'key.pem'),
    });
  });

  it('looks for certificates in ~/.docker, or $DOCKER_CONFIG, when DOCKER_CERT_PATH is unset', async () => {
    const home = tempDir();
    const inHome = endpointOf(
      await resolveEndpoint(depsFor(home, { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' })),
    );
    // Without client files the CLI sends no client certificate, but it always wants the CA to verify.
    assert.deepEqual(inHome.tls, { verify: true, caPath: join(home, '.docker', 'ca.pem') });
    const config = tempDir();
    writeFile(join(config, 'key.pem'), 'k');
    const inConfig = endpointOf(
      await resolveEndpoint(
        depsFor(home, { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CONFIG: config }),
      ),
    );
    assert.deepEqual(inConfig.tls, {
      verify: true,
      caPath: join(config, 'ca.pem'),
      certPath: join(config, 'cert.pem'),
      keyPath: join(config, 'key.pem'),
    });
  });

  it('uses unverified TLS for DOCKER_TLS alone and ignores TLS for sockets', async () => {
    const home = tempDir();
    const tlsOnly = endpointOf(
      await resolveEndpoint(depsFor(home, { DOCKER_HOST: 'tcp://h', DOCKER_TLS: '1' })),
    );
    assert.equal(tlsOnly.url, 'tcp://h:2376');
    assert.deepEqual(tlsOnly.tls, { verify: false });
    const socket = endpointOf(
      await resolveEndpoint(depsFor(home, { DOCKER_HOST: 'unix:///tmp/d.sock', DOCKER_TLS_VERIFY: '1' })),
    );
    assert.equal(socket.tls, null);
  });

  it('reports a malformed DOCKER_HOST as a configuration error naming the variable', async () => {
    const r = await resolveEndpoint(depsFor(tempDir(), { DOCKER_HOST: 'http://10.0.0.5:2375' }));
    assert.equal(r.endpoint, null);
    assert.match(
      r.error ?? '',
      /^DOCKER_HOST "http:\/\/10\.0\.0\.5:2375" is not a Docker address: .*tcp:\/\//,
    );
    assert.equal(unreachableMessage(r, 'whatever'), r.error);
  });

  it('honours DOCKER_TLS_VERIFY for an explicit --host, like docker -H', async () => {
    const r = await resolveEndpoint(
      depsFor(tempDir(), { DOCKER_HOST: 'tcp://ignored:1', DOCKER_TLS_VERIFY: '1' }),
      {
        host: 'tcp://remote',
      },
    );
    assert.equal(r.reason, '--host was given');
    assert.equal(endpointOf(r).url, 'tcp://remote:2376');
    assert.equal(endpointOf(r).tls?.verify, true);
    const bad = await resolveEndpoint(depsFor(tempDir()), { host: 'nope://x' });
    assert.match(bad.error ?? '', /^--host "nope:\/\/x" is not a Docker address: unsupported scheme/);
  });
});

describe('resolveEndpoint: contexts', () => {
  it('reads the current context from config.json at the sha256 directory the CLI uses', async () => {
    const home = tempDir();
    const config = join(home, '.docker');
    writeFile(join(config, 'config.json'), JSON.stringify({ auths: {}, currentContext: 'colima' }));
    const meta = writeContext(config, 'colima', {
      Host: 'unix:///Users/me/.colima/default/docker.sock',
      SkipTLSVerify: false,
    });
    // The directory name is the one the docker CLI gives the "colima" context on every machine.
    assert.ok(meta.includes('f24fd3749c1368328e2b149bec149cb6795619f244c5b584e844961215dadd16'));
    await listenUnix(join(home, '.docker', 'run', 'docker.sock'));
    const r = await resolveEndpoint(depsFor(home));
    assert.deepEqual(r.endpoint, {
      url: 'unix:///Users/me/.colima/default/docker.sock',
      transport: 'unix',
      tls: null,
      local: true,
    });
    assert.equal(
      r.reason,
      'current context "colima" (~/.docker/contexts/meta/f24fd3749c1368328e2b149bec149cb6795619f244c5b584e844961215dadd16/meta.json)',
    );
    assert.deepEqual(r.tried, ['unix:///Users/me/.colima/default/docker.sock']);
  });

  it('takes TLS files from the context store and SkipTLSVerify from meta.json', async () => {
    const home = tempDir();
    const config = tempDir();
    writeFile(join(config, 'config.json'), JSON.stringify({ currentContext: 'my-remote' }));
    writeContext(config, 'my-remote', { Host: 'tcp://203.0.113.7:2376', SkipTLSVerify: false });
    const tlsDir = join(config, 'contexts', 'tls', sha256('my-remote'), 'docker');
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFile(join(tlsDir, f), f);
    const r = await resolveEndpoint(depsFor(home, { DOCKER_CONFIG: config }));
    assert.deepEqual(r.endpoint, {
      url: 'tcp://203.0.113.7:2376',
      transport: 'tcp',
      tls: {
        verify: true,
        caPath: join(tlsDir, 'ca.pem'),
        certPath: join(tlsDir, 'cert.pem'),
        keyPath: join(tlsDir, 'key.pem'),
      },
      local: false,
    });
    assert.match(
      r.reason,
      new RegExp(
        `^current context "my-remote" \\(${config}/contexts/meta/${sha256('my-remote')}/meta\\.json\\)$`,
      ),
    );

    writeContext(config, 'my-remote', { Host: 'tcp://203.0.113.7', SkipTLSVerify: true });
    rmSync(join(tlsDir, 'ca.pem'));
    rmSync(join(tlsDir, 'key.pem'));
    const skip = endpointOf(await resolveEndpoint(depsFor(home, { DOCKER_CONFIG: config })));
    // A certificate without its key is not a client pair; the CLI drops it as well.
    assert.deepEqual(skip.tls, { verify: false });
    assert.equal(skip.url, 'tcp://203.0.113.7:2376');
  });

  it('uses plain tcp for a context without TLS files, and ssh contexts as they are', async () => {
    const home = tempDir();
    const config = join(home, '.docker');
    writeFile(join(config, 'config.json'), JSON.stringify({ currentContext: 'plain' }));
    writeContext(config, 'plain', { Host: 'tcp://10.0.0.9' });
    assert.deepEqual(endpointOf(await resolveEndpoint(depsFor(home))), {
      url: 'tcp://10.0.0.9:2375',
      transport: 'tcp',
      tls: null,
      local: false,
    });
    writeContext(config, 'plain', { Host: 'ssh://ops@10.0.0.9' });
    assert.equal(endpointOf(await resolveEndpoint(depsFor(home))).url, 'ssh://ops@10.0.0.9:22');
  });

  it('lets DOCKER_CONTEXT override config.json, and "default" means the well-known sockets', async () => {
    const home = tempDir();
    const config = join(home, '.docker');
    writeFile(join(config, 'config.json'), JSON.stringify({ currentContext: 'colima' }));
    writeContext(config, 'colima', { Host: 'unix:///colima.sock' });
    writeContext(config, 'orb', { Host: 'unix:///orb.sock' });
    await listenUnix(join(home, '.orbstack', 'run', 'docker.sock'));

    const fromEnv = await resolveEndpoint(depsFor(home, { DOCKER_CONTEXT: 'orb' }));
    assert.equal(endpointOf(fromEnv).url, 'unix:///orb.sock');
    assert.match(
      fromEnv.reason,
      /^DOCKER_CONTEXT is "orb" \(~\/\.docker\/contexts\/meta\/[0-9a-f]{64}\/meta\.json\)$/,
    );

    const defaultCtx = await resolveEndpoint(depsFor(home, { DOCKER_CONTEXT: 'default' }));
    assert.equal(endpointOf(defaultCtx).url, `unix://${home}/.orbstack/run/docker.sock`);

    writeFile(join(config, 'config.json'), JSON.stringify({ currentContext: 'default' }));
    assert.equal(
      endpointOf(await resolveEndpoint(depsFor(home))).url,
      `unix://${home}/.orbstack/run/docker.sock`,
    );

    // The CLI warns about a malformed config.json and carries on with the default context.
    writeFile(join(config, 'config.json'), '{ not json');
    assert.equal(
      endpointOf(await resolveEndpoint(depsFor(home))).url,
      `unix://${home}/.orbstack/run/docker.sock`,
    );
  });

  it('refuses a context named in config.json but missing on disk, naming the path', async () => {
    const home = tempDir();
    writeFile(join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'gone' }));
    await listenUnix(join(home, '.docker', 'run', 'docker.sock'));
    const r = await resolveEndpoint(depsFor(home));
    assert.equal(r.endpoint, null);
    const expected = `~/.docker/contexts/meta/${sha256('gone')}/meta.json`;
    assert.equal(
      r.error,
      `Docker context "gone" (from currentContext in ~/.docker/config.json) does not exist: ${expected} is missing. ` +
        'See `docker context ls`, or switch back with `docker context use default`.',
    );
    assert.equal(unreachableMessage(r, 'no engine socket was found'), r.error);

    const viaEnv = await resolveEndpoint(depsFor(home, { DOCKER_CONTEXT: 'typo' }));
    assert.match(
      viaEnv.error ?? '',
      /^Docker context "typo" \(from DOCKER_CONTEXT\) does not exist: .*meta\.json is missing/,
    );
  });

  it('refuses a context whose meta.json is broken, naming the file', async () => {
    const home = tempDir();
    const config = join(home, '.docker');
    writeFile(join(config, 'config.json'), JSON.stringify({ currentContext: 'odd' }));
    const meta = join(config, 'contexts', 'meta', sha256('odd'), 'meta.json');
    writeFile(meta, '{"Name":"odd",');
    assert.match(
      (await resolveEndpoint(depsFor(home))).error ?? '',
      /"odd" is broken: .*meta\.json: it is not valid JSON/,
    );
    writeFile(meta, JSON.stringify({ Name: 'odd', Endpoints: {} }));
    assert.match((await resolveEndpoint(depsFor(home))).error ?? '', /no Endpoints\.docker entry/);
    writeContext(config, 'odd', { Host: 'http://x' });
    assert.match(
      (await resolveEndpoint(depsFor(home))).error ?? '',
      /unusable Host "http:\/\/x" in ~\/\.docker\/contexts/,
    );
  });
});

describe('resolveEndpoint: well-known sockets', () => {
  it('takes the first path that is a socket, skipping plain files, and lists what it looked at', async () => {
    const home = tempDir();
    writeFile(join(home, '.docker', 'run', 'docker.sock'), 'a stale file, not a socket');
    await listenUnix(join(home, '.colima', 'default', 'docker.sock'));
    await listenUnix(join(home, '.rd', 'docker.sock'));
    const r = await resolveEndpoint(depsFor(home));
    assert.deepEqual(r.endpoint, {
      url: `unix://${home}/.colima/default/docker.sock`,
      transport: 'unix',
      tls: null,
      local: true,
    });
    assert.equal(r.reason, 'found socket ~/.colima/default/docker.sock (Colima)');
    assert.deepEqual(r.tried, [
      'unix:///var/run/docker.sock',
      `unix://${home}/.docker/run/docker.sock`,
      `unix://${home}/.docker/desktop/docker.sock`,
      `unix://${home}/.colima/default/docker.sock`,
    ]);
  });

  it('finds rootless Docker and Podman under XDG_RUNTIME_DIR, and /run/user/<uid> without it', async () => {
    const home = tempDir();
    const runtime = join(home, 'run');
    await listenUnix(join(runtime, 'podman', 'podman.sock'));
    const podman = await resolveEndpoint(depsFor(home, { XDG_RUNTIME_DIR: runtime }));
    assert.equal(endpointOf(podman).url, `unix://${runtime}/podman/podman.sock`);
    assert.equal(podman.reason, 'found socket ~/run/podman/podman.sock (Podman)');
    assert.ok(podman.tried.includes('unix:///run/user/4242/docker.sock'), podman.tried.join(' '));

    await listenUnix(join(runtime, 'docker.sock'));
    assert.equal(
      endpointOf(await resolveEndpoint(depsFor(home, { XDG_RUNTIME_DIR: runtime }))).url,
      `unix://${runtime}/docker.sock`,
    );

    const none = await resolveEndpoint(depsFor(tempDir()));
    assert.equal(none.endpoint, null);
    assert.deepEqual(none.tried.slice(-3), [
      'unix:///run/user/4242/docker.sock',
      'unix:///run/user/4242/podman/podman.sock',
      'unix:///run/podman/podman.sock',
    ]);
    assert.match(
      unreachableMessage(none, 'no engine socket was found'),
      /^Docker is not reachable \(no DOCKER_HOST, no context, and no engine socket in the usual places; tried: unix:\/\/\/var\/run\/docker\.sock, .*\): no engine socket was found\. Is Docker running\?/,
    );
  });

  it('yields the Docker Desktop named pipe on Windows, then Podman’s', async () => {
    const pipes = new Set(['//./pipe/docker_engine', '//./pipe/podman-machine-default']);
    const windows = (present: Set<string>): ResolveDeps => ({
      env: { USERPROFILE: 'C:\\Users\\me' },
      homedir: 'C:\\Users\\me',
      platform: 'win32',
      uid: null,
      readFile: () => Promise.resolve(null),
      isFile: () => Promise.resolve(false),
      isSocket: (path) => Promise.resolve(present.has(path)),
    });
    const r = await resolveEndpoint(windows(pipes));
    assert.deepEqual(r.endpoint, {
      url: 'npipe:////./pipe/docker_engine',
      transport: 'npipe',
      tls: null,
      local: true,
    });
    assert.equal(r.reason, 'found named pipe //./pipe/docker_engine');
    assert.equal(dockerodeOptions(endpointOf(r), () => '').socketPath, '//./pipe/docker_engine');

    const podman = await resolveEndpoint(windows(new Set(['//./pipe/podman-machine-default'])));
    assert.equal(endpointOf(podman).url, 'npipe:////./pipe/podman-machine-default');
    assert.equal(podman.reason, 'found named pipe //./pipe/podman-machine-default (Podman)');
  });

  it('finds contexts with Windows paths on Windows', async () => {
    const meta = `C:\\Users\\me\\.docker\\contexts\\meta\\${sha256('desktop-windows')}\\meta.json`;
    const files = new Map([
      ['C:\\Users\\me\\.docker\\config.json', JSON.stringify({ currentContext: 'desktop-windows' })],
      [
        meta,
        JSON.stringify({ Endpoints: { docker: { Host: 'npipe:////./pipe/dockerDesktopWindowsEngine' } } }),
      ],
    ]);
    const r = await resolveEndpoint({
      env: {},
      homedir: 'C:\\Users\\me',
      platform: 'win32',
      uid: null,
      readFile: (path) => Promise.resolve(files.get(path) ?? null),
      isFile: () => Promise.resolve(false),
      isSocket: () => Promise.resolve(false),
    });
    assert.equal(endpointOf(r).url, 'npipe:////./pipe/dockerDesktopWindowsEngine');
    assert.equal(r.reason, `current context "desktop-windows" (${meta})`);
  });
});

describe('dockerodeOptions', () => {
  it('dials sockets by path and clears every field docker-modem would fill from the environment', () => {
    assert.deepEqual(
      dockerodeOptions(parsed('unix:///var/run/docker.sock'), () => ''),
      {
        socketPath: '/var/run/docker.sock',
        host: undefined,
        port: undefined,
        protocol: 'http',
        ca: undefined,
        cert: undefined,
        key: undefined,
      },
    );
  });

  it('speaks plain http to tcp without TLS and ssh to ssh', () => {
    const tcp = dockerodeOptions(parsed('tcp://[fd00::5]:2375'), () => '');
    assert.equal(tcp.protocol, 'http');
    assert.equal(tcp.host, 'fd00::5');
    assert.equal(tcp.port, 2375);
    assert.equal(tcp.socketPath, undefined);
    const ssh = dockerodeOptions(parsed('ssh://ops@10.0.0.9:2222'), () => '', {
      SSH_AUTH_SOCK: '/tmp/agent.sock',
    });
    assert.equal(ssh.protocol, 'ssh');
    assert.equal(ssh.host, '10.0.0.9');
    assert.equal(ssh.port, 2222);
    assert.equal(ssh.username, 'ops');
    assert.equal(ssh.sshOptions?.agent, '/tmp/agent.sock');
    const defaultUser = dockerodeOptions(parsed('ssh://10.0.0.9'), () => '', { USER: 'me' });
    assert.equal(defaultUser.username, 'me');
    assert.equal(defaultUser.port, 22);
  });

  it('reads the TLS files for https', () => {
    const dir = tempDir();
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFile(join(dir, f), `contents of ${f}`);
    const endpoint = endpointOf({
      endpoint: {
        url: 'tcp://10.0.0.5:2376',
        transport: 'tcp',
        tls: {
          verify: true,
          caPath: join(dir, 'ca.pem'),
          certPath: join(dir, 'cert.pem'),
          keyPath: join(dir, 'key.pem'),
        },
        local: false,
      },
      reason: '',
      tried: [],
    });
    const options = dockerodeOptions(endpoint, (path) => readFileSync(path));
    assert.equal(options.protocol, 'https');
    assert.equal(options.ca?.toString(), 'contents of ca.pem');
    assert.equal(options.cert?.toString(), 'contents of cert.pem');
    assert.equal(options.key?.toString(), 'contents of key.pem');
    assert.equal(options.agent, undefined);
    const unverified = dockerodeOptions({ ...endpoint, tls: { verify: false } }, (path) =>
      readFileSync(path),
    );
    assert.equal(unverified.ca, undefined);
    assert.equal(unverified.agent?.options.rejectUnauthorized, false);
  });

  it('refuses, naming the file, rather than connect without the TLS asked for', () => {
    const dir = tempDir();
    writeFile(join(dir, 'ca.pem'), '');
    const tcp = (tls: Endpoint['tls']): Endpoint => ({
      url: 'tcp://h:2376',
      transport: 'tcp',
      tls,
      local: false,
    });
    const read = (path: string) => readFileSync(path);
    const missing = join(dir, 'nope', 'ca.pem');
    assert.throws(
      () => dockerodeOptions(tcp({ verify: true, caPath: missing }), read),
      (error: Error) =>
        error.message.startsWith(`Cannot read the TLS CA certificate ${missing} for tcp://h:2376: ENOENT`),
    );
    assert.throws(
      () => dockerodeOptions(tcp({ verify: true, caPath: join(dir, 'ca.pem') }), read),
      /ca\.pem for tcp:\/\/h:2376 is empty/,
    );
    assert.throws(
      () => dockerodeOptions(tcp({ verify: true, certPath: join(dir, 'cert.pem') }), read),
      /TLS client certificate given for tcp:\/\/h:2376 without its key/,
    );
  });
});

describe('unreachableMessage', () => {
  const found: Resolution = {
    endpoint: parsed('unix:///var/run/docker.sock'),
    reason: 'found socket /var/run/docker.sock',
    tried: ['unix:///var/run/docker.sock'],
  };

  it('says where, why, what failed and what to do, on one line', () => {
    assert.equal(
      unreachableMessage(found, 'connect ECONNREFUSED /var/run/docker.sock\n  at internal.'),
      'Docker is not reachable at unix:///var/run/docker.sock (found socket /var/run/docker.sock): ' +
        'connect ECONNREFUSED /var/run/docker.sock at internal. ' +
        'Is Docker running? Start Docker Desktop / `sudo systemctl start docker`, or set DOCKER_HOST.',
    );
  });

  it('points at the docker group when the socket refuses this user', () => {
    assert.match(unreachableMessage(found, 'connect EACCES /var/run/docker.sock'), /docker group/);
  });

  it('names DOCKER_HOST and gives a remote hint for tcp', () => {
    const message = unreachableMessage(
      { endpoint: parsed('tcp://127.0.0.1:1'), reason: 'DOCKER_HOST is set', tried: ['tcp://127.0.0.1:1'] },
      'connect ECONNREFUSED 127.0.0.1:1',
    );
    assert.equal(
      message,
      'Docker is not reachable at tcp://127.0.0.1:1 (DOCKER_HOST is set): connect ECONNREFUSED 127.0.0.1:1. ' +
        'Is the engine running and listening there, and can this machine reach it?',
    );
  });
});

/** Creates a throwaway CA, a server certificate for 127.0.0.1 and a client certificate, with openssl. */
function makeCertificates(dir: string): boolean {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca-key.pem',
      '-out',
      'ca.pem',
      '-days',
      '1',
      '-subj',
      '/CN=dify-monitor test CA',
    );
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    for (const [name, subject] of [
      ['server', '/CN=127.0.0.1'],
      ['client', '/CN=dify-monitor'],
    ] as const) {
      openssl('req', ...ec, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject);
      openssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca-key.pem',
        '-CAcreateserial',
        '-days',
        '1',
        '-out',
        `${name}-cert.pem`,
        '-extfile',
        `${name}.ext`,
      );
    }
    return true;
  } catch {
    return false;
  }
}

/** Forwards each connection to the engine's unix socket, so the real engine answers over tcp. */
function forwardToEngine(client: Socket): void {
  const engine = connect(ENGINE_SOCKET);
  client.pipe(engine).pipe(client);
  // Closing one side must close the other, or the engine keeps the idle connection for minutes.
  engine.on('close', () => client.destroy());
  client.on('close', () => engine.destroy());
  engine.on('error', () => client.destroy());
  client.on('error', () => engine.destroy());
}

async function listenLocal(server: Server): Promise<number> {
  closing(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

async function engineVersion(endpoint: Endpoint): Promise<string> {
  const docker = new Docker(dockerodeOptions(endpoint, (path) => readFileSync(path)));
  const version = await docker.version();
  return version.ApiVersion;
}

describe('against the real engine', () => {
  const realEnv = (): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (
        v !== undefined &&
        !['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_TLS'].includes(k)
      )
        env[k] = v;
    }
    return env;
  };

  it('finds /var/run/docker.sock with the real defaults, and the engine answers', async () => {
    const r = await resolveEndpoint({ ...defaultDeps(), env: realEnv() });
    assert.deepEqual(r.endpoint, {
      url: 'unix:///var/run/docker.sock',
      transport: 'unix',
      tls: null,
      local: true,
    });
    assert.equal(r.reason, 'found socket /var/run/docker.sock');
    assert.match(await engineVersion(endpointOf(r)), /^1\.\d+$/);
  });

  it('is not led astray by a DOCKER_HOST docker-modem reads behind our back', async () => {
    const saved = process.env['DOCKER_HOST'];
    process.env['DOCKER_HOST'] = 'tcp://127.0.0.1:1';
    try {
      assert.match(await engineVersion(parsed('unix:///var/run/docker.sock')), /^1\.\d+$/);
    } finally {
      if (saved === undefined) delete process.env['DOCKER_HOST'];
      else process.env['DOCKER_HOST'] = saved;
    }
  });

  it('reaches the engine over plain tcp from DOCKER_HOST', async () => {
    const port = await listenLocal(createServer(forwardToEngine));
    const r = await resolveEndpoint(depsFor(tempDir(), { DOCKER_HOST: `tcp://127.0.0.1:${port}` }));
    assert.match(await engineVersion(endpointOf(r)), /^1\.\d+$/);
  });

  describe('over TLS', () => {
    const certs = tempDir();
    let port = 0;
    let available = false;

    before(async () => {
      available = makeCertificates(certs);
      if (!available) return;
      const server = createTlsServer(
        {
          key: readFileSync(join(certs, 'server-key.pem')),
          cert: readFileSync(join(certs, 'server-cert.pem')),
          ca: readFileSync(join(certs, 'ca.pem')),
          requestCert: true,
          rejectUnauthorized: true,
        },
        forwardToEngine,
      );
      port = await listenLocal(server);
    });

    it('verifies the server and presents the client certificate from DOCKER_CERT_PATH', async (t) => {
      if (!available) return t.skip('openssl could not make test certificates');
      const clientDir = tempDir();
      writeFileSync(join(clientDir, 'ca.pem'), readFileSync(join(certs, 'ca.pem')));
      writeFileSync(join(clientDir, 'cert.pem'), readFileSync(join(certs, 'client-cert.pem')));
      writeFileSync(join(clientDir, 'key.pem'), readFileSync(join(certs, 'client-key.pem')));
      const r = await resolveEndpoint(
        depsFor(tempDir(), {
          DOCKER_HOST: `tcp://127.0.0.1:${port}`,
          DOCKER_TLS_VERIFY: '1',
          DOCKER_CERT_PATH: clientDir,
        }),
      );
      assert.equal(endpointOf(r).tls?.verify, true);
      assert.match(await engineVersion(endpointOf(r)), /^1\.\d+$/);
    });

    it('trusts an unknown server only when the context says SkipTLSVerify', async (t) => {
      if (!available) return t.skip('openssl could not make test certificates');
      const home = tempDir();
      const config = join(home, '.docker');
      writeFile(join(config, 'config.json'), JSON.stringify({ currentContext: 'tls-remote' }));
      const tlsDir = join(config, 'contexts', 'tls', sha256('tls-remote'), 'docker');
      writeFile(join(tlsDir, 'cert.pem'), readFileSync(join(certs, 'client-cert.pem'), 'utf8'));
      writeFile(join(tlsDir, 'key.pem'), readFileSync(join(certs, 'client-key.pem'), 'utf8'));

      writeContext(config, 'tls-remote', { Host: `tcp://127.0.0.1:${port}`, SkipTLSVerify: false });
      const verified = endpointOf(await resolveEndpoint(depsFor(home)));
      await assert.rejects(engineVersion(verified), /self[- ]signed|unable to (get|verify)/i);

      writeContext(config, 'tls-remote', { Host: `tcp://127.0.0.1:${port}`, SkipTLSVerify: true });
      const skipped = endpointOf(await resolveEndpoint(depsFor(home)));
      assert.deepEqual(skipped.tls, {
        verify: false,
        certPath: join(tlsDir, 'cert.pem'),
        keyPath: join(tlsDir, 'key.pem'),
      });
      assert.match(await engineVersion(skipped), /^1\.\d+$/);
    });
  });
});
