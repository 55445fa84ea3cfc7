import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyImage, startExtraDockerd, startSurvivor, type ExtraDockerd } from '../../helpers/dockerd.ts';
import { startCli, type LiveCli } from '../../helpers/cli.ts';

const IMAGE = 'dify-monitor/testbox:latest';

describe('an engine that dies and comes back mid-watch', { timeout: 120_000 }, () => {
  let engine: ExtraDockerd;
  let watch: LiveCli | undefined;

  before(async () => {
    engine = await startExtraDockerd('restart');
    await copyImage(IMAGE, engine);
    await startSurvivor(engine, IMAGE, 'dify-monitor.test=restart');
  });

  after(async () => {
    await watch?.stop();
    await engine.remove();
  });

  it('reports "not reachable", then resumes samples by itself', async () => {
    const live = startCli([
      'watch',
      '--json',
      '--all',
      '--interval',
      '500ms',
      '--timeout',
      '2s',
      '--host',
      engine.url,
    ]);
    watch = live;
    const isSurvivorSample = (l: Record<string, unknown>): boolean =>
      l['type'] === 'sample' && l['name'] === 'survivor' && typeof l['memUsageBytes'] === 'number';
    await live.waitFor(isSurvivorSample, 20_000);

    const killedAt = live.lines.length;
    engine.kill('SIGKILL');
    const down = await live.waitFor((l) => l['type'] === 'host' && l['state'] === 'down', 20_000);
    assert.match(String(down['message']), /not reachable/);
    assert.equal(down['endpoint'], engine.url);

    await engine.start();
    await live.waitFor(
      (l) => l['type'] === 'host' && l['state'] === 'up' && live.lines.indexOf(l) > killedAt,
      60_000,
    );
    const resumed = await live.waitFor(
      (l) => isSurvivorSample(l) && live.lines.indexOf(l) > live.lines.indexOf(down),
      30_000,
    );
    assert.equal(resumed['state'], 'running');
    assert.equal(live.child.exitCode, null, 'the watcher kept running throughout');
  });
});
