import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { apiWatchArgs, runCli, startCli, type LiveCli } from '../../helpers/cli.ts';

const exec = promisify(execFile);
const LABEL = 'dify-monitor.test=inventory-events';

async function docker(...args: string[]): Promise<string> {
  return (await exec('docker', args)).stdout.trim();
}

/** An idle labelled container; resolves with its id. */
function startBox(name: string): Promise<string> {
  return docker(
    'run',
    '-d',
    '--name',
    name,
    '--label',
    LABEL,
    '--network',
    'none',
    'dify-monitor/testbox:latest',
    'sleep',
    '600',
  );
}

describe('the watched set follows engine events', { timeout: 90_000 }, () => {
  let watch: LiveCli | undefined;
  after(async () => {
    await watch?.stop();
    await exec('sh', ['-c', `docker rm -f $(docker ps -aq --filter label=${LABEL}) >/dev/null 2>&1; true`]);
  });

  it('picks up a new container, a rename and a removal without restarting', async () => {
    const live = startCli([
      'watch',
      '--json',
      '--all',
      '--interval',
      '500ms',
      '--alert-log',
      '/tmp/dm-events-alerts.json',
    ]);
    watch = live;
    await live.waitFor((l) => l['type'] === 'host' && l['state'] === 'up', 20_000);
    const id = await startBox('dm-ev-a');
    await live.waitFor(
      (l) => l['type'] === 'sample' && l['id'] === id && typeof l['memUsageBytes'] === 'number',
      10_000,
    );

    await docker('rename', 'dm-ev-a', 'dm-ev-b');
    await live.waitFor((l) => l['type'] === 'event' && l['action'] === 'rename' && l['id'] === id, 10_000);
    await live.waitFor((l) => l['type'] === 'sample' && l['id'] === id && l['name'] === 'dm-ev-b', 10_000);

    await docker('rm', '-f', id);
    const destroyed = await live.waitFor(
      (l) => l['type'] === 'event' && l['action'] === 'destroy' && l['id'] === id,
      10_000,
    );
    const afterIndex = live.lines.indexOf(destroyed);
    await live.waitFor((l) => l['type'] === 'round' && live.lines.indexOf(l) > afterIndex + 1, 10_000);
    const later = live.lines.slice(afterIndex + 1);
    assert.ok(
      !later.some((l) => l['type'] === 'sample' && l['id'] === id),
      'no samples of a removed container',
    );
  });

  it('a container removed while a round is read is not sampled after its destroy', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, (_, n) => startBox(`dm-ev-churn-${n}`)));
    // The API source reads each container for a while; removals land inside those reads.
    const live = startCli(
      apiWatchArgs({ hosts: [], alertLog: '/tmp/dm-events-churn.json', interval: '250ms' }),
    );
    try {
      for (const id of ids) {
        await live.waitFor((l) => l['type'] === 'sample' && l['id'] === id, 20_000);
      }
      for (const id of ids) {
        await docker('rm', '-f', id);
        await new Promise((r) => setTimeout(r, 150));
      }
      const lastDestroy = await live.waitFor(
        (l) => l['type'] === 'event' && l['action'] === 'destroy' && l['id'] === ids.at(-1),
        10_000,
      );
      const from = live.lines.indexOf(lastDestroy);
      await live.waitFor((l) => l['type'] === 'round' && live.lines.indexOf(l) > from + 2, 10_000);
      const late = ids.filter((id) => {
        const destroyed = live.lines.findIndex(
          (l) => l['type'] === 'event' && l['action'] === 'destroy' && l['id'] === id,
        );
        assert.ok(destroyed >= 0, `a destroy event for ${id}`);
        return live.lines.slice(destroyed + 1).some((l) => l['type'] === 'sample' && l['id'] === id);
      });
      assert.deepEqual(late, [], 'sampled after their destroy event');
    } finally {
      await live.stop();
    }
  });

  it('a burst of docker rm -f just before it starts is not taken for OOM kills', async () => {
    const ids = await Promise.all([1, 2, 3, 4].map((n) => startBox(`dm-ev-burst-${n}`)));
    await docker('rm', '-f', ...ids);
    const run = await runCli(['watch', '--json', '--all', '--alert-log', '/tmp/dm-events-burst.json'], 4000);
    const replayed = run.lines.filter((l) => l['type'] === 'event' && ids.includes(String(l['id'])));
    assert.deepEqual(replayed, [], 'events from before the watch started are not replayed');
    assert.deepEqual(
      run.lines.filter((l) => l['type'] === 'alert' && l['rule'] === 'oom-killed'),
      [],
    );
  });
});
