import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { engineName, engineNames, type EngineToName } from '../../../src/collect/engine-names.ts';
import { resolveEndpoint, type ResolveDeps } from '../../../src/docker/resolve.ts';
import { wellKnownSockets, type SocketPlaces } from '../../../src/docker/sockets.ts';
import { parseEndpointForTest } from '../../helpers/endpoint.ts';

const mac: SocketPlaces = { platform: 'darwin', homedir: '/Users/me', env: {}, uid: 501 };
const linux: SocketPlaces = {
  platform: 'linux',
  homedir: '/home/me',
  env: { XDG_RUNTIME_DIR: '/run/user/1000' },
  uid: 1000,
};
const windows: SocketPlaces = { platform: 'win32', homedir: 'C:\\Users\\me', env: {}, uid: null };

const at = (url: string, context?: string): EngineToName => ({
  endpoint: parseEndpointForTest(url),
  context,
});
const saved = (name: string): EngineToName => ({ saved: name });

describe('engineNames', () => {
  it('keeps the plain /var/run/docker.sock `local`, so history keys and alert logs stay valid', () => {
    assert.deepEqual(engineNames([at('unix:///var/run/docker.sock')], linux), ['local']);
  });

  it('names the well-known sockets after the product that puts them there', () => {
    const named = (url: string, places: SocketPlaces): string => engineName(at(url), places);
    assert.equal(named('unix:///Users/me/.docker/run/docker.sock', mac), 'docker-desktop');
    assert.equal(named('unix:///Users/me/.docker/desktop/docker.sock', mac), 'docker-desktop');
    assert.equal(named('unix:///Users/me/.colima/default/docker.sock', mac), 'colima');
    assert.equal(named('unix:///Users/me/.colima/docker.sock', mac), 'colima');
    assert.equal(named('unix:///Users/me/.orbstack/run/docker.sock', mac), 'orbstack');
    assert.equal(named('unix:///Users/me/.rd/docker.sock', mac), 'rancher-desktop');
    assert.equal(named('unix:///run/user/1000/docker.sock', linux), 'rootless');
    assert.equal(named('unix:///run/user/1000/podman/podman.sock', linux), 'podman');
    assert.equal(named('unix:///run/podman/podman.sock', linux), 'podman');
    assert.equal(named('npipe:////./pipe/docker_engine', windows), 'local');
    assert.equal(named('npipe:////./pipe/podman-machine-default', windows), 'podman');
  });

  it('names every well-known socket, and only the system engine `local`', () => {
    for (const places of [mac, linux, windows]) {
      for (const socket of wellKnownSockets(places)) {
        const name = engineName(at(`${socket.transport}://${socket.path}`), places);
        assert.equal(name, socket.name, socket.path);
        assert.equal(name === 'local', socket.owner === null, socket.path);
      }
    }
  });

  it('calls any other socket `local`, and then `local-2`, `local-3` …', () => {
    const names = engineNames(
      [at('unix:///tmp/a/docker.sock'), at('unix:///tmp/b/docker.sock'), at('unix:///tmp/c/docker.sock')],
      linux,
    );
    assert.deepEqual(names, ['local', 'local-2', 'local-3']);
  });

  it('gives `local` to /var/run/docker.sock whichever order the sockets come in', () => {
    const system = at('unix:///var/run/docker.sock');
    const other = at('unix:///tmp/second/docker.sock');
    assert.deepEqual(engineNames([system, other], linux), ['local', 'local-2']);
    assert.deepEqual(engineNames([other, system], linux), ['local-2', 'local']);
  });

  it("prefers the Docker context's name to the socket's", () => {
    const names = engineNames(
      [at('unix:///Users/me/.colima/work/docker.sock', 'colima-work'), at('unix:///var/run/docker.sock')],
      mac,
    );
    assert.deepEqual(names, ['colima-work', 'local']);
  });

  it('names remote engines by their address, as before', () => {
    const names = engineNames(
      [at('tcp://10.0.0.5:2376'), at('ssh://deploy@staging.example.com'), at('unix:///var/run/docker.sock')],
      linux,
    );
    assert.deepEqual(names, ['10.0.0.5:2376', 'deploy@staging.example.com:22', 'local']);
  });

  it('two engines that want the same name both get one: the system and the rootless Podman', () => {
    assert.deepEqual(
      engineNames(
        [at('unix:///run/podman/podman.sock'), at('unix:///run/user/1000/podman/podman.sock')],
        linux,
      ),
      ['podman', 'podman-2'],
    );
  });

  it('never takes a saved host’s name: the saved host keeps it, the found engine moves aside', () => {
    const names = engineNames(
      [at('unix:///run/podman/podman.sock'), saved('podman'), at('unix:///tmp/x.sock'), saved('local-2')],
      linux,
    );
    assert.deepEqual(names, ['podman-2', 'podman', 'local', 'local-2']);
    const contextNamed = engineNames([at('tcp://10.0.0.9:2376', 'staging'), saved('staging')], linux);
    assert.deepEqual(contextNamed, ['staging-2', 'staging']);
  });

  it('skips suffixes another engine already holds', () => {
    const names = engineNames(
      [
        at('unix:///tmp/a.sock'),
        at('unix:///tmp/b.sock'),
        saved('local-2'),
        at('tcp://10.0.0.1:2375', 'local-3'),
      ],
      linux,
    );
    assert.deepEqual(names, ['local', 'local-4', 'local-2', 'local-3']);
    assert.equal(new Set(names).size, names.length);
  });

  it('gives the same engines the same names every time', () => {
    const engines = [at('unix:///tmp/b.sock'), at('unix:///var/run/docker.sock'), at('unix:///tmp/a.sock')];
    assert.deepEqual(engineNames(engines, linux), engineNames(engines, linux));
    assert.deepEqual(engineNames(engines, linux), ['local-2', 'local', 'local-3']);
  });
});

describe('the engine found through the current Docker context', () => {
  /** A machine with one context, `work`, on Colima's socket, chosen in config.json; no socket answers. */
  function contextMachine(): ResolveDeps {
    const id = createHash('sha256').update('work').digest('hex');
    const files = new Map([
      ['/Users/me/.docker/config.json', JSON.stringify({ currentContext: 'work' })],
      [
        `/Users/me/.docker/contexts/meta/${id}/meta.json`,
        JSON.stringify({
          Name: 'work',
          Endpoints: { docker: { Host: 'unix:///Users/me/.colima/docker.sock' } },
        }),
      ],
    ]);
    return {
      ...mac,
      readFile: (path) => Promise.resolve(files.get(path) ?? null),
      isFile: () => Promise.resolve(false),
      isSocket: () => Promise.resolve(false),
    };
  }

  it("is named after the context, not the socket's product", async () => {
    const deps = contextMachine();
    const resolution = await resolveEndpoint(deps);
    assert.equal(resolution.context, 'work');
    assert.ok(resolution.endpoint);
    const name = engineName({ endpoint: resolution.endpoint, context: resolution.context }, deps);
    assert.equal(name, 'work');
  });

  it('is named after its socket when DOCKER_HOST overrides the context', async () => {
    const deps = { ...contextMachine(), env: { DOCKER_HOST: 'unix:///Users/me/.colima/docker.sock' } };
    const resolution = await resolveEndpoint(deps);
    assert.equal(resolution.context, undefined);
    assert.ok(resolution.endpoint);
    assert.equal(engineName({ endpoint: resolution.endpoint, context: resolution.context }, deps), 'colima');
  });
});
