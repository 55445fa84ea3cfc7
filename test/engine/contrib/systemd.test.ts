/**
 * contrib/systemd/dify-monitor.service (#17): `systemd-analyze verify` finds nothing to say about
 * it (unknown keys and bad values are only logged, so the output must be empty, not just the exit
 * code 0), its sandbox rates at most 2.0 in `systemd-analyze security`, and its ExecStart, with
 * the variables systemd would fill in, starts a serve that answers.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLI } from '../../helpers/cli.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const UNIT = join(ROOT, 'contrib/systemd/dify-monitor.service');
const root = mkdtempSync(join(tmpdir(), 'dm-systemd-'));

function analyze(...args: string[]): { code: number | null; output: string } {
  const run = spawnSync('systemd-analyze', args, { encoding: 'utf8' });
  assert.ok(
    run.error === undefined,
    `systemd-analyze is missing (apt-get install systemd): ${run.error?.message}`,
  );
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** `Key=value` lines of the unit; a key given twice keeps its last value. */
function directives(): Map<string, string> {
  const lines = readFileSync(UNIT, 'utf8').split('\n');
  return new Map(
    lines
      .filter((l) => /^[A-Za-z]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('the systemd unit', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('passes systemd-analyze verify without a word, in a root where the command is installed', () => {
    // The system's own units (multi-user.target, sysinit.target …), the unit, and the launcher npm installs.
    mkdirSync(join(root, 'lib/systemd'), { recursive: true });
    cpSync('/lib/systemd/system', join(root, 'lib/systemd/system'), { recursive: true });
    mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
    cpSync(UNIT, join(root, 'etc/systemd/system/dify-monitor.service'));
    mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
    cpSync(join(ROOT, 'bin/dify-monitor.cjs'), join(root, 'usr/local/bin/dify-monitor'));
    const verify = analyze('verify', `--root=${root}`, 'dify-monitor.service');
    assert.equal(verify.output, '');
    assert.equal(verify.code, 0);
  });

  it('is sandboxed: NoNewPrivileges, ProtectSystem=strict, the docker group only, exposure at most 2.0', () => {
    const unit = directives();
    assert.equal(unit.get('NoNewPrivileges'), 'yes');
    assert.equal(unit.get('ProtectSystem'), 'strict');
    assert.equal(unit.get('DynamicUser'), 'yes');
    assert.equal(unit.get('SupplementaryGroups'), 'docker');
    assert.equal(unit.get('CapabilityBoundingSet'), '');
    const security = analyze('security', '--offline=true', '--threshold=20', UNIT);
    const level = /Overall exposure level for dify-monitor\.service: (\d+\.\d)/.exec(security.output)?.[1];
    assert.ok(Number(level) <= 2, security.output);
    assert.equal(security.code, 0, security.output);
  });

  it('starts, with the ExecStart systemd runs, a serve with metrics that keeps its files in the state directory', async () => {
    const unit = directives();
    const state = join(root, 'var/lib/dify-monitor');
    mkdirSync(state, { recursive: true });
    const values = new Map(
      (unit.get('Environment') ?? '').split(' ').map((pair) => pair.split('=') as [string, string]),
    );
    values.set('STATE_DIRECTORY', state);
    values.set('DIFY_MONITOR_PORT', '0');
    const argv = (unit.get('ExecStart') ?? '')
      .split(' ')
      .map((word) => word.replace(/\$\{(\w+)\}/g, (_, name: string) => values.get(name) ?? `<${name}?>`));
    assert.equal(argv[0], '/usr/local/bin/dify-monitor');
    // The same CLI from source, so that the test needs no build.
    const child = spawn(process.execPath, [CLI, ...argv.slice(1)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const printed = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out);
        });
      });
      const address = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/) \(token in (\S+)\)/.exec(printed);
      assert.ok(address !== null, printed);
      assert.equal(address[2], join(state, 'token'));
      const token = readFileSync(join(state, 'token'), 'utf8').trim();
      // The engine connects just after the server listens.
      let metrics = '';
      for (let i = 0; i < 40 && !metrics.includes('dify_monitor_host_up{host="local"} 1'); i++) {
        const answer: Response = await fetch(`${address[1]}metrics`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        assert.equal(answer.status, 200);
        metrics = await answer.text();
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.match(metrics, /dify_monitor_host_up\{host="local"\} 1/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
