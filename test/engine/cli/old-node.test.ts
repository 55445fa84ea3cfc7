/**
 * On the system's older Node (Debian 12 and many servers have 18 or 20), every entry point prints
 * the one line of scripts/check-node.cjs and exits 1 (#17). Before, `npm run headless` died with a
 * stack trace (ERR_UNKNOWN_FILE_EXTENSION on scripts/build.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const OLD_NODE = '/usr/bin/node';
const OLD_NPM = '/usr/bin/npm';
/** Only the system's directories: `node` in an npm script is then the old one. */
const OLD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const LINE =
  /^dify-monitor needs Node\.js 22\.18\.0 or newer; this is Node\.js (\d+)\.\d+\.\d+ \(\/usr\/bin\/node\)\. Get a newer one from https:\/\/nodejs\.org\/\S+ \(or: nvm install --lts\)\.$/;

function oldMajor(): number {
  assert.ok(existsSync(OLD_NODE), `${OLD_NODE} is missing: this test needs the system's older Node`);
  const run = spawnSync(OLD_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  return Number(run.stdout.split('.')[0]);
}

function run(
  command: string,
  args: readonly string[],
  cwd = ROOT,
): { code: number | null; out: string; err: string } {
  const env = { PATH: OLD_PATH, HOME: process.env['HOME'] ?? tmpdir() };
  const done = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: done.status, out: done.stdout, err: done.stderr };
}

function assertOneLine(what: string, result: { code: number | null; out: string; err: string }): void {
  const all = `${result.out}${result.err}`;
  assert.equal(result.code, 1, `${what}: exit code\n${all}`);
  const ours = result.err.split('\n').filter((line) => line.startsWith('dify-monitor'));
  assert.equal(ours.length, 1, `${what}: one line of ours\n${all}`);
  assert.match(ours[0] ?? '', LINE, what);
  assert.doesNotMatch(all, /^\s+at /m, `${what}: no stack trace`);
  assert.doesNotMatch(all, /ERR_|SyntaxError|Error:/, `${what}: no Node error`);
  // npm may frame the failure in lines of its own; nothing else may appear.
  const others = result.err.split('\n').filter((line) => line !== '' && !line.startsWith('dify-monitor'));
  assert.ok(
    others.every((line) => line.startsWith('npm ')),
    `${what}: only npm's own lines besides ours\n${all}`,
  );
}

describe('an older Node than engines asks for', () => {
  it('is what /usr/bin/node is here (else this test proves nothing)', () => {
    const major = oldMajor();
    assert.ok(major > 0 && major <= 20, `${OLD_NODE} is Node ${major}; the test needs 20 or older`);
  });

  for (const script of ['start', 'headless', 'serve', 'cli', 'build']) {
    it(`npm run ${script}: one line, exit 1`, () => {
      assert.ok(oldMajor() <= 20);
      assert.ok(existsSync(OLD_NPM), `${OLD_NPM} is missing: the system Node's npm runs the scripts`);
      assertOneLine(`npm run ${script}`, run(OLD_NPM, ['run', script]));
    });
  }

  it('dify-monitor (bin/dify-monitor.cjs, as npm links it), from outside the checkout: one line, exit 1', () => {
    assert.ok(oldMajor() <= 20);
    const bin = `${ROOT}bin/dify-monitor.cjs`;
    assertOneLine('dify-monitor watch', run(bin, ['watch', '--once'], tmpdir()));
    assertOneLine('node dify-monitor serve', run(OLD_NODE, [bin, 'serve'], tmpdir()));
  });
});
