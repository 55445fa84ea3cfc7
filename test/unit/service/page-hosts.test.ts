import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRequest } from '../../../src/api.ts';
import { hostChanges, hostsFromPage, hostView, settingsForPage } from '../../../src/service/page-hosts.ts';
import { checkRemoteUrl } from '../../../src/hosts/remote-url.ts';
import { createMonitorService } from '../../../src/service/create-monitor.ts';
import { DEFAULT_SETTINGS, type HostSetting } from '../../../src/settings/schema.ts';
import { memorySettingsStore } from '../../../src/settings/store.ts';
import { systemClock } from '../../../src/util/clock.ts';

const TLS_HOST: HostSetting = {
  name: 'secure',
  url: 'tcp://10.0.0.5:2376',
  tls: {
    caPath: '/cfg/hosts/secure/ca.pem',
    certPath: '/cfg/hosts/secure/cert.pem',
    keyPath: '/cfg/hosts/secure/key.pem',
  },
};
const SSH_KEY_HOST: HostSetting = {
  name: 'keyed',
  url: 'ssh://deploy@10.0.0.6',
  identityFile: '/home/u/.ssh/id_deploy',
  knownHostsFile: '/home/u/.ssh/known_hosts_work',
};
const PLAIN: HostSetting = { name: 'lab', url: 'tcp://10.0.0.7:2375' };

describe('addresses a page may name', () => {
  it('takes tcp://host:port and ssh://user@host[:port], normalised', () => {
    assert.deepEqual(checkRemoteUrl(' tcp://10.0.0.7:2375 '), {
      ok: true,
      url: 'tcp://10.0.0.7:2375',
      transport: 'tcp',
    });
    assert.deepEqual(checkRemoteUrl('tcp://docker.lan:2375/'), {
      ok: true,
      url: 'tcp://docker.lan:2375',
      transport: 'tcp',
    });
    assert.deepEqual(checkRemoteUrl('tcp://[::1]:2375'), {
      ok: true,
      url: 'tcp://[::1]:2375',
      transport: 'tcp',
    });
    assert.deepEqual(checkRemoteUrl('ssh://deploy@staging.example.com'), {
      ok: true,
      url: 'ssh://deploy@staging.example.com',
      transport: 'ssh',
    });
    assert.deepEqual(checkRemoteUrl('ssh://root@127.0.0.1:2222'), {
      ok: true,
      url: 'ssh://root@127.0.0.1:2222',
      transport: 'ssh',
    });
  });

  const refused: readonly [string, unknown, RegExp][] = [
    ['a file path', '/var/run/docker.sock', /file path .*dify-monitor hosts add/],
    ['a relative path', './docker.sock', /file path/],
    ['a home path', '~/.docker/run/docker.sock', /file path/],
    ['file://', 'file:///etc/shadow', /file path/],
    [
      'unix://',
      'unix:///run/podman/podman.sock',
      /unix:\/\/ sockets are local files; add it with `dify-monitor hosts add`/,
    ],
    ['npipe://', 'npipe:////./pipe/docker_engine', /npipe:\/\/ sockets/],
    ['http://', 'http://10.0.0.7:2375', /use tcp:\/\/host:port or ssh:\/\/user@host/],
    ['fd://', 'fd://', /use tcp:\/\//],
    ['a command after a semicolon', 'ssh://root@host;rm -rf ~', /spaces|characters/],
    ['a command in $()', 'ssh://root@$(touch /tmp/pwned)', /spaces|characters/],
    ['backticks', 'tcp://`id`:2375', /characters/],
    ['a pipe', 'tcp://host:2375|nc', /characters/],
    ['spaces', 'ssh://root@host -oProxyCommand=sh', /no spaces/],
    ['a newline', 'tcp://host:2375\nunix:///x', /no spaces or control characters/],
    ['an ssh option as user', 'ssh://-oProxyCommand=x@host', /characters|not a user name/],
    ['an option as host', 'ssh://root@-oProxyCommand', /not a host name/],
    ['tcp without a port', 'tcp://10.0.0.7', /give the port/],
    ['port 0', 'tcp://10.0.0.7:0', /not a port from 1 to 65535/],
    ['port too high', 'tcp://10.0.0.7:70000', /not a port/],
    ['ssh without a user', 'ssh://10.0.0.6', /give the user/],
    ['a password', 'ssh://root:secret@10.0.0.6', /not a user name/],
    ['a user on tcp', 'tcp://root@10.0.0.7:2375', /no user name/],
    ['a path after the host', 'tcp://10.0.0.7:2375/v1.45/containers', /no path/],
    ['an empty address', '   ', /give an address/],
    ['a number', 2375, /must be text/],
    ['a very long address', `tcp://${'a'.repeat(400)}:2375`, /longer than/],
  ];
  for (const [what, url, message] of refused) {
    it(`refuses ${what} with a message`, () => {
      const checked = checkRemoteUrl(url);
      assert.equal(checked.ok, false);
      assert.match(checked.ok ? '' : checked.error, message);
    });
  }

  it('hosts:test takes a saved name or a checked address, and nothing else', () => {
    assert.deepEqual(checkRequest('hosts:test', { name: 'lab' }), { ok: true, value: { name: 'lab' } });
    assert.deepEqual(checkRequest('hosts:test', { url: ' tcp://10.0.0.7:2375' }), {
      ok: true,
      value: { url: 'tcp://10.0.0.7:2375' },
    });
    const bad: readonly [unknown, RegExp][] = [
      [{ url: 'unix:///var/run/docker.sock' }, /^hosts:test: unix:\/\/ sockets are local files/],
      [{ url: '/var/run/docker.sock' }, /^hosts:test: a file path/],
      [{ url: 'ssh://root@host; reboot' }, /^hosts:test: an address has no spaces/],
      [{ name: '../../etc/passwd' }, /^hosts:test: name must be the name of a saved host/],
      [{ name: 'lab', url: 'tcp://10.0.0.7:2375' }, /expects \{ name \} of a saved host or \{ url \}/],
      [{ url: 'tcp://10.0.0.7:2375', identityFile: '/etc/shadow' }, /expects \{ name \}/],
      [{}, /expects/],
      [null, /expects/],
      ['tcp://10.0.0.7:2375', /expects/],
    ];
    for (const [request, message] of bad) {
      const checked = checkRequest('hosts:test', request);
      assert.equal(checked.ok, false, JSON.stringify(request));
      assert.match(checked.ok ? '' : checked.error, message);
    }
    assert.equal(checkRequest('hosts:list', null).ok, true);
    assert.equal(checkRequest('hosts:list', { all: true }).ok, false);
  });
});

describe('saved hosts as a page sees and changes them', () => {
  it('shows kind, editability and the plain-TCP warning, never a file path', () => {
    assert.deepEqual(
      [
        TLS_HOST,
        SSH_KEY_HOST,
        PLAIN,
        { name: 'agent', url: 'ssh://me@box' },
        { name: 'pod', url: 'unix:///run/podman.sock' },
      ].map((h) => {
        const view = hostView(h);
        return [view.kind, view.editable, view.warning !== undefined];
      }),
      [
        ['tls', false, false],
        ['ssh', false, false],
        ['tcp', true, true],
        ['ssh', true, false],
        ['socket', false, false],
      ],
    );
    assert.match(hostView(PLAIN).warning ?? '', /unauthenticated and unencrypted/);
    const shown = JSON.stringify(
      settingsForPage({ ...DEFAULT_SETTINGS, hosts: [TLS_HOST, SSH_KEY_HOST, PLAIN] }),
    );
    assert.doesNotMatch(shown, /\/cfg\/|\.ssh|pem|identityFile|knownHostsFile|tls/);
    assert.match(shown, /"name":"secure","url":"tcp:\/\/10\.0\.0\.5:2376"/);
  });

  it('carries files over by name, and checks only new or changed addresses', () => {
    const result = hostsFromPage(
      [TLS_HOST, SSH_KEY_HOST, { name: 'pod', url: 'unix:///run/podman.sock' }],
      [
        { name: 'secure', url: TLS_HOST.url },
        { name: 'keyed', url: 'ssh://deploy@10.0.0.9' },
        { name: 'pod', url: 'unix:///run/podman.sock' },
        { name: 'new', url: 'tcp://10.0.0.8:2375' },
      ],
    );
    assert.deepEqual(result, {
      ok: true,
      hosts: [
        TLS_HOST,
        { ...SSH_KEY_HOST, url: 'ssh://deploy@10.0.0.9' },
        { name: 'pod', url: 'unix:///run/podman.sock' },
        { name: 'new', url: 'tcp://10.0.0.8:2375' },
      ],
    });
  });

  it('refuses new sockets and paths, "local", twice the same name, and dropping a host with files', () => {
    const result = hostsFromPage(
      [TLS_HOST, PLAIN],
      [
        { name: 'lab', url: 'unix:///var/run/docker.sock' },
        { name: 'local', url: 'tcp://10.0.0.8:2375' },
        { name: 'twice', url: 'tcp://10.0.0.8:2375' },
        { name: 'twice', url: 'ssh://a@b; id' },
      ],
    );
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? [] : result.errors.map((e) => e.path), [
      '/hosts/0/url',
      '/hosts/1/name',
      '/hosts/3/name',
      '/hosts/3/url',
      '/hosts',
    ]);
    assert.match(
      result.ok ? '' : (result.errors.at(-1)?.message ?? ''),
      /"secure" has key or certificate files/,
    );
  });

  it('says which collectors to stop and start', () => {
    const moved = { ...PLAIN, url: 'tcp://10.0.0.8:2375' };
    assert.deepEqual(hostChanges([PLAIN, TLS_HOST], [moved, TLS_HOST]), { stop: ['lab'], start: [moved] });
    assert.deepEqual(hostChanges([PLAIN], [{ url: PLAIN.url, name: 'lab2' }]), {
      stop: ['lab'],
      start: [{ url: PLAIN.url, name: 'lab2' }],
    });
    assert.deepEqual(hostChanges([PLAIN, TLS_HOST], [PLAIN, { ...TLS_HOST }]), { stop: [], start: [] });
  });

  it('the service saves page edits, keeps the files and never sends them back', async () => {
    const store = memorySettingsStore({ ...DEFAULT_SETTINGS, hosts: [TLS_HOST, PLAIN] });
    const service = createMonitorService({ collectors: [], clock: systemClock, settings: store });
    const changed: unknown[] = [];
    service.on('settings:changed', (s) => changed.push(s));
    try {
      const saved = await service.handle('settings:set', {
        hosts: [
          { name: 'secure', url: TLS_HOST.url },
          { name: 'lab2', url: 'ssh://ops@10.0.0.9:2222' },
        ],
      });
      assert.equal(saved.ok, true);
      assert.deepEqual(store.get().hosts, [TLS_HOST, { name: 'lab2', url: 'ssh://ops@10.0.0.9:2222' }]);
      for (const seen of [saved, changed[0], await service.handle('monitor:snapshot', null)]) {
        assert.doesNotMatch(JSON.stringify(seen), /pem|\/cfg\//);
      }
      assert.deepEqual(await service.handle('hosts:list', null), {
        live: false,
        hosts: [
          { name: 'secure', url: TLS_HOST.url, kind: 'tls', editable: false },
          { name: 'lab2', url: 'ssh://ops@10.0.0.9:2222', kind: 'ssh', editable: true },
        ],
      });

      const sneaky = await service.handle('settings:set', {
        hosts: [
          { name: 'secure', url: TLS_HOST.url },
          { name: 'lab2', url: 'unix:///var/run/docker.sock' },
        ],
      });
      assert.equal(sneaky.ok, false);
      assert.deepEqual(sneaky.ok ? [] : sneaky.errors, [
        {
          path: '/hosts/1/url',
          message: 'unix:// sockets are local files; add it with `dify-monitor hosts add`',
        },
      ]);
      const fileGrab = await service.handle('settings:set', {
        hosts: [{ name: 'secure', url: TLS_HOST.url, tls: { keyPath: '/etc/shadow' } }],
      });
      assert.equal(fileGrab.ok, false);
      assert.equal(store.get().hosts.length, 2, 'nothing saved was lost');
    } finally {
      await service.stop();
    }
  });
});
