/**
 * `watch` and `serve` read one settings file and ask one alert engine (#13): a warning line
 * saved through serve's `settings:set` is the line `watch` warns at. Before, `watch` built its
 * own engine with the defaults (85 %) and said nothing of a container at 35 %.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { startServeIn, type ServeProcess } from '../../helpers/serve-process.ts';
import { removeAll, startStack } from '../../stack/stack.ts';

const TAG = 'watch-settings';
const PROJECT = 'dmwatchset';
const dir = mkdtempSync(join(tmpdir(), 'dm-watch-settings-'));
let serve: ServeProcess | null = null;

describe('watch honours the alert settings saved through serve', () => {
  before(async () => {
    await removeAll(TAG);
    await startStack({
      tag: TAG,
      layout: 'current',
      project: PROJECT,
      memLimits: { api: '200m' },
      workloads: { api: { kind: 'steady', mib: 70 } },
    });
    serve = await startServeIn(dir, ['--host', 'unix:///var/run/docker.sock']);
  });

  after(async () => {
    await serve?.stop();
    await removeAll(TAG);
    rmSync(dir, { recursive: true, force: true });
  });

  it('warns at the 30 % saved from the dashboard', async () => {
    const answer = await fetch(`${serve?.url}api/settings:set`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        alerts: { memory: { warningPercent: 30, criticalPercent: 95, hysteresisPoints: 5 } },
      }),
    });
    assert.equal(answer.status, 200, await answer.clone().text());
    assert.equal(((await answer.json()) as { ok: boolean }).ok, true);

    const run = await runCli(
      [
        'watch',
        '--once',
        '--json',
        '--host',
        'unix:///var/run/docker.sock',
        '--settings',
        join(dir, 'settings.json'),
        '--alert-log',
        join(dir, 'watch-alerts.json'),
      ],
      60_000,
    );
    assert.equal(run.code, 0, run.stderr);
    const alerts = run.lines.filter(
      (l) => l['type'] === 'alert' && l['rule'] === 'memory-threshold' && l['name'] === `${PROJECT}-api-1`,
    );
    assert.equal(alerts.length, 1, run.stdout);
    assert.equal(alerts[0]?.['severity'], 'warning');
  });
});
