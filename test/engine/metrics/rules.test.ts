import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: ROOT, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the shipped Prometheus rules', () => {
  it('pass promtool check rules', () => {
    const check = promtool('check', 'rules', 'docs/prometheus-rules.yml');
    assert.equal(check.status, 0, check.output);
    assert.match(check.output, /SUCCESS: 9 rules found/);
  });

  it("fire where the app's rules do: 85 and 90 % of the limit, trend ETA, OOM kill, restart loop, host down", () => {
    const run = promtool('test', 'rules', 'test/engine/metrics/rules.test.yml');
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /SUCCESS/);
  });
});
