import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.ts';

describe('watch without a reachable engine', () => {
  it('exits 2 with one line that says where it looked', async () => {
    const run = await runCli(
      ['watch', '--once', '--json', '--host', 'unix:///tmp/dify-monitor-no-such.sock'],
      20_000,
    );
    assert.equal(run.code, 2);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0] ?? '', /not reachable at unix:\/\/\/tmp\/dify-monitor-no-such\.sock/);
  });

  it('says so for DOCKER_HOST too, and names the variable', async () => {
    const env = { ...process.env, DOCKER_HOST: 'tcp://127.0.0.1:1' };
    const run = await runCli(['watch', '--once'], 20_000, env);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /tcp:\/\/127\.0\.0\.1:1/);
    assert.match(run.stderr, /DOCKER_HOST/);
  });

  it('rejects a malformed --host before trying anything', async () => {
    const run = await runCli(['watch', '--once', '--host', 'http//nonsense'], 20_000);
    assert.equal(run.code, 2);
    assert.ok(run.stderr.trim().length > 0);
  });

  it('documents every flag in --help', async () => {
    const run = await runCli(['watch', '--help'], 20_000);
    for (const flag of ['--host', '--interval', '--all', '--json', '--once', '--source', '--timeout']) {
      assert.ok(run.stdout.includes(flag), `${flag} missing from --help`);
    }
  });
});
