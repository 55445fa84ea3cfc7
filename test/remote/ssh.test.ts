import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { removeAll, startStack, type StandInStack } from '../stack/stack.ts';
import { runCli, startCli, type LiveCli } from '../helpers/cli.ts';
import { hashKnownHosts, sshFingerprint, startSshAgent, startSshd, type TestSshd } from '../helpers/sshd.ts';
import { LAYOUT, SERVICES, hostsCli, tempSettings } from './daemons.ts';

const TAG = 'remote-ssh';
const PROJECT = 'dm-remote-ssh';

describe('a remote engine over ssh://', { timeout: 300_000 }, () => {
  let sshd: TestSshd;
  let stack: StandInStack;
  let watch: LiveCli | undefined;
  const settings = tempSettings('dm-ssh');

  before(async () => {
    sshd = await startSshd('unix:///var/run/docker.sock');
    stack = await startStack({ layout: LAYOUT, tag: TAG, project: PROJECT });
  });

  after(async () => {
    await watch?.stop();
    await removeAll(TAG);
    await sshd?.stop();
    settings.remove();
  });

  const url = (): string => `ssh://${sshd.user}@127.0.0.1:${sshd.port}`;

  /** `hosts add <name> ssh://…` with the given known_hosts, and a key file unless the agent is to be used. */
  const addSshHost = (
    name: string,
    knownHosts: string,
    identity: string | null = sshd.clientKey,
    settingsPath = settings.path,
  ) =>
    hostsCli([
      'add',
      name,
      url(),
      ...(identity === null ? [] : ['--identity', identity]),
      '--known-hosts',
      knownHosts,
      '--settings',
      settingsPath,
    ]);

  it('streams the stack through `docker system dial-stdio`, the host key checked against a hashed known_hosts', async () => {
    const knownHosts = sshd.writeKnownHosts('known_hosts', [sshd.knownHostsLine]);
    await hashKnownHosts(knownHosts);
    assert.match(readFileSync(knownHosts, 'utf8'), /^\|1\|/, 'the entry is hashed');
    const add = await addSshHost('over-ssh', knownHosts);
    assert.equal(add.code, 0, add.stderr);
    const test = await hostsCli(['test', 'over-ssh', '--settings', settings.path]);
    assert.equal(test.code, 0, test.stderr);
    assert.match(test.stdout, /^over-ssh: Docker \S+ \(API [\d.]+\) on .*, \d+ CPUs, /);

    const live = startCli(['watch', '--json', '--interval', '1s', '--settings', settings.path]);
    watch = live;
    for (const service of SERVICES) {
      const sample = await live.waitFor(
        (l) =>
          l['type'] === 'sample' &&
          l['host'] === 'over-ssh' &&
          l['stack'] === PROJECT &&
          l['service'] === service &&
          typeof l['memUsageBytes'] === 'number' &&
          typeof l['cpuPercent'] === 'number',
        60_000,
      );
      assert.equal(sample['stack'], PROJECT);
      assert.equal(sample['id'], stack.service(service).id);
      assert.equal(sample['key'], `over-ssh/${PROJECT}/${service}/1`);
    }
    // The same containers, read locally too, stay apart by host.
    const local = await live.waitFor(
      (l) => l['type'] === 'sample' && l['host'] === 'local' && l['stack'] === PROJECT,
      30_000,
    );
    assert.equal(local['key'], `local/${PROJECT}/${local['service'] as string}/1`);
    const printed = JSON.stringify(live.lines) + live.stderr();
    const key = readFileSync(sshd.clientKey, 'utf8')
      .split('\n')
      .filter((l) => l.length > 20 && !l.startsWith('-----'));
    for (const line of key) assert.ok(!printed.includes(line), 'SSH key material printed');
    await live.stop();
    watch = undefined;
  });

  it('uses the keys in ssh-agent when no key file is given', async () => {
    const agent = await startSshAgent(sshd.dir, sshd.clientKey);
    try {
      const knownHosts = sshd.writeKnownHosts('known_hosts_agent', [sshd.knownHostsLine]);
      const add = await addSshHost('by-agent', knownHosts, null);
      assert.equal(add.code, 0, add.stderr);
      const test = await hostsCli(['test', 'by-agent', '--settings', settings.path], {
        ...process.env,
        SSH_AUTH_SOCK: agent.socket,
      });
      assert.equal(test.code, 0, test.stderr);
      assert.match(test.stdout, /^by-agent: Docker /);
    } finally {
      agent.stop();
    }
  });

  it('refuses an unknown host key, naming its SHA256 fingerprint and how to add it', async () => {
    const knownHosts = sshd.writeKnownHosts('known_hosts_other', ['[127.0.0.1]:1 ' + sshd.hostPublicKey]);
    await addSshHost('unknown-key', knownHosts);
    const test = await hostsCli(['test', 'unknown-key', '--settings', settings.path]);
    assert.equal(test.code, 1);
    const expected = await sshFingerprint(`${sshd.dir}/host_key.pub`);
    assert.match(test.stderr, /^unknown-key: auth-failed: 127\.0\.0\.1:\d+ is not a known host/);
    assert.ok(test.stderr.includes(`ssh-ed25519 key ${expected}`), test.stderr);
    assert.match(test.stderr, new RegExp(`ssh-keyscan -p ${sshd.port} 127\\.0\\.0\\.1 >> `));
    assert.equal(readFileSync(knownHosts, 'utf8').split('\n').filter(Boolean).length, 1, 'nothing was added');
  });

  it('refuses a changed host key', async () => {
    const other = readFileSync(`${sshd.dir}/stranger_key.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    const knownHosts = sshd.writeKnownHosts('known_hosts_changed', [`[127.0.0.1]:${sshd.port} ${other}`]);
    await addSshHost('changed-key', knownHosts);
    const test = await hostsCli(['test', 'changed-key', '--settings', settings.path]);
    assert.equal(test.code, 1);
    assert.match(test.stderr, /auth-failed: The host key of 127\.0\.0\.1:\d+ has CHANGED/);
    assert.match(test.stderr, /ssh-keygen -R/);
  });

  it('gives auth-failed for a key the server does not accept', async () => {
    const knownHosts = sshd.writeKnownHosts('known_hosts_wrong_key', [sshd.knownHostsLine]);
    await addSshHost('wrong-key', knownHosts, sshd.strangerKey);
    const test = await hostsCli(['test', 'wrong-key', '--settings', settings.path], {
      ...process.env,
      SSH_AUTH_SOCK: '',
    });
    assert.equal(test.code, 1);
    assert.match(
      test.stderr,
      /^wrong-key: auth-failed: SSH authentication to root@127\.0\.0\.1:\d+ failed: it refused the key /,
    );

    // The collector sorts it the same way, and backs off for long: retrying will not help soon.
    const only = tempSettings('dm-ssh-wrong');
    try {
      await addSshHost('wrong-key', knownHosts, sshd.strangerKey, only.path);
      const run = await runCli(['watch', '--once', '--json', '--settings', only.path], 60_000, {
        ...process.env,
        SSH_AUTH_SOCK: '',
      });
      assert.equal(run.code, 2);
      const failed = run.lines.find(
        (l) => l['type'] === 'host' && l['host'] === 'wrong-key' && l['state'] === 'auth-failed',
      );
      assert.ok(failed, run.stdout);
      assert.ok(Number(failed['retryInMs']) >= 60_000);
      assert.ok(!run.lines.some((l) => l['type'] === 'sample' && l['host'] === 'wrong-key'));
    } finally {
      only.remove();
    }
  });
});
