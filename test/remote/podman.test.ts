import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';
import { startPodman, type TestPodman } from '../helpers/podman.ts';
import { hostsCli, tempSettings } from './daemons.ts';

/**
 * Podman's Docker-compatible API. Known differences: its /version names Podman (shown as such);
 * its stats carry no `memory_stats.stats`, so through the API memory is Podman's figure, page cache
 * included, where `docker stats` subtracts inactive file pages. A local Podman is read from the
 * cgroup files by default, which gives the `docker stats` figure.
 */
describe('Podman’s Docker-compatible API', { timeout: 180_000 }, () => {
  let podman: TestPodman;
  const settings = tempSettings('dm-podman-settings');

  before(async () => {
    podman = await startPodman();
    await podman.importBusybox('docker.io/langgenius/dify-api:1.10.1');
    // A rootful Podman in a container may not raise rlimits past the host's: keep them modest.
    await podman.podman(
      'run',
      '-d',
      '--name',
      'docker-api-1',
      '--network',
      'none',
      '--ulimit',
      'nofile=1024:1024',
      '--ulimit',
      'nproc=1024:1024',
      '--memory',
      '64m',
      '--label',
      'dify-monitor.test=podman',
      '--label',
      'com.docker.compose.project=docker',
      '--label',
      'com.docker.compose.service=api',
      '--label',
      'com.docker.compose.container-number=1',
      '--env',
      'MODE=api',
      'docker.io/langgenius/dify-api:1.10.1',
      'sh',
      '-c',
      'head -c 8000000 /dev/zero > /tmp/fill; sleep 3600',
    );
  });

  after(async () => {
    await podman?.stop();
    settings.remove();
  });

  it('is tested, labelled Podman', async () => {
    const add = await hostsCli(['add', 'podman', podman.url, '--settings', settings.path]);
    assert.equal(add.code, 0, add.stderr);
    const test = await hostsCli(['test', 'podman', '--settings', settings.path]);
    assert.equal(test.code, 0, test.stderr);
    assert.match(test.stdout, /^podman: Podman \d+\.\d+\.\d+ \(API [\d.]+\) on .*, \d+ CPUs, /);
  });

  for (const source of ['api', 'auto'] as const) {
    it(`reads the stack through ${source === 'api' ? 'the API, as Podman reports it' : 'the cgroup files, as docker stats would'}`, async () => {
      const run = await runCli(
        ['watch', '--once', '--json', '--source', source, '--settings', settings.path],
        60_000,
      );
      const up = run.lines.find((l) => l['type'] === 'host' && l['host'] === 'podman' && l['state'] === 'up');
      assert.ok(up, run.stderr);
      assert.match(String(up['message']), /Connected to Podman /);
      const sample = run.lines.find((l) => l['type'] === 'sample' && l['host'] === 'podman');
      assert.ok(sample, run.stdout);
      assert.equal(sample['stack'], 'docker');
      assert.equal(sample['role'], 'api');
      assert.equal(sample['key'], 'podman/docker/api/1');
      assert.equal(sample['memLimitBytes'], 64 * 1024 * 1024);
      assert.equal(sample['memLimitSource'], 'container');
      assert.equal(typeof sample['cpuPercent'], 'number');
      const stats = JSON.parse(
        await podman.podman('stats', '--no-stream', '--no-reset', '--format', 'json', 'docker-api-1'),
      ) as { mem_usage: string }[];
      const theirs = Number(/^([\d.]+)MB/.exec(stats[0]?.mem_usage ?? '')?.[1] ?? NaN) * 1e6;
      const ours = Number(sample['memUsageBytes']);
      if (source === 'api') {
        // Podman's own number, page cache (the 8 MB file) included: unlike dockerd it does not
        // subtract inactive_file, and its stats carry no memory_stats.stats to do it with.
        assert.ok(ours > 8_000_000, `memory ${ours}`);
        assert.ok(Math.abs(ours - theirs) < 2_000_000, `memory ${ours}, podman stats ${theirs}`);
      } else {
        // Read from the cgroup files like docker stats does: the cached file does not count.
        assert.match(String(up['message']), /cgroup files/);
        assert.ok(ours > 0 && ours < theirs - 6_000_000, `memory ${ours}, podman stats ${theirs}`);
      }
    });
  }
});
