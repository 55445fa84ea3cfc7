/**
 * `npm pack` gives a package that runs without the repository (#17): installed into an empty
 * prefix, its `dify-monitor` is the bundled JavaScript (no TypeScript, no dev dependencies, no
 * Electron), and `watch --once --json` and `serve` work against the engine from a cwd outside the
 * checkout. On the system's older Node the installed command prints the version line and exits 1.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { removeAll, startStack, type StandInStack } from '../../stack/stack.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TAG = 'npm-package';
const PROJECT = 'dmpackage';
const work = mkdtempSync(join(tmpdir(), 'dm-package-'));
const prefix = join(work, 'prefix');
const installed = join(prefix, 'lib/node_modules/dify-monitor');
const bin = join(prefix, 'bin/dify-monitor');
/** This Node first, then only the system's directories: nothing of the checkout is on PATH. */
const env = {
  PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
  HOME: work,
  XDG_CONFIG_HOME: join(work, 'config'),
};
const dataFlags = ['--settings', join(work, 'settings.json'), '--alert-log', join(work, 'alerts.json')];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
let stack: StandInStack;
let tarball = '';

/** The npm on PATH, run by this Node. */
function npm(args: readonly string[], cwd: string): string {
  const path = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;
  return execFileSync('npm', args, { cwd, env: { ...process.env, ...env, PATH: path }, encoding: 'utf8' });
}

/** The packages the bundle loads at run time: every bare specifier in the packed JavaScript. */
function bareImports(dir: string): Set<string> {
  const files = ['dist/cli.js', ...readdirSync(join(dir, 'dist/chunks')).map((f) => `dist/chunks/${f}`)];
  const found = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    // esbuild writes each import statement on lines of its own, and import() with a literal.
    const statements = /^(?:import|export)\s(?:[^;]*?\sfrom\s*)?"([^"]+)";$/gm;
    const dynamic = /\bimport\(\s*"([^"]+)"\s*\)/g;
    for (const match of [...text.matchAll(statements), ...text.matchAll(dynamic)]) {
      const specifier = match[1] ?? '';
      if (specifier.startsWith('node:') || specifier.startsWith('.')) continue;
      const parts = specifier.split('/');
      found.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? ''));
    }
  }
  return found;
}

describe('the npm package', () => {
  before(async () => {
    await removeAll(TAG);
    stack = await startStack({ tag: TAG, layout: 'current', project: PROJECT });
    // `npm pack` runs prepack, which builds: the package holds what this checkout builds now.
    tarball = join(
      work,
      npm(['pack', '--silent', '--pack-destination', work], ROOT).trim().split('\n').at(-1) ?? '',
    );
    npm(
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        tarball,
      ],
      work,
    );
  });

  after(async () => {
    await removeAll(TAG);
    rmSync(work, { recursive: true, force: true });
  });

  it('holds the built JavaScript and nothing of the sources, tests or maps', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    assert.ok(files.includes('package/bin/dify-monitor.cjs'), files.join('\n'));
    assert.ok(files.includes('package/dist/cli.js'));
    assert.ok(files.includes('package/dist/renderer/index.html'));
    assert.deepEqual(
      files.filter(
        (f) => /\.(ts|map)$/.test(f) || /^package\/(src|test|renderer|bench|node_modules)\//.test(f),
      ),
      [],
    );
  });

  it('loads only its dependencies at run time: no dev dependency, no Electron', () => {
    const imports = bareImports(installed);
    assert.ok(imports.has('commander') && imports.has('docker-modem'), [...imports].join(' '));
    for (const name of imports) {
      assert.ok(
        pkg.dependencies[name] !== undefined,
        `${name} is imported by the bundle but not a dependency`,
      );
      assert.ok(existsSync(join(installed, 'node_modules', name)), `${name} was not installed`);
    }
    assert.ok(!imports.has('electron') && !imports.has('electron-store'));
    const present = readdirSync(join(installed, 'node_modules'));
    for (const dev of ['electron', 'typescript', 'esbuild', 'electron-builder', 'playwright-core'])
      assert.ok(!present.includes(dev), `${dev} was installed`);
  });

  it('watch --once --json, from outside the checkout, reports the stand-in stack', () => {
    const run = spawnSync(
      bin,
      ['watch', '--once', '--json', '--host', 'unix:///var/run/docker.sock', ...dataFlags],
      {
        cwd: work,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(run.status, 0, run.stderr);
    const samples = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['type'] === 'sample' && l['stack'] === PROJECT);
    const running = stack.containers.filter((c) => c.service !== 'init_permissions').map((c) => c.name);
    assert.deepEqual(
      samples
        .map((s) => s['name'])
        .filter((n) => running.includes(String(n)))
        .sort(),
      running.sort(),
    );
    assert.equal(samples.find((s) => s['name'] === `${PROJECT}-api-1`)?.['role'], 'api');
  });

  it('serve answers with the dashboard and /metrics', async () => {
    const child = spawn(
      bin,
      ['serve', '--port', '0', '--metrics', '--host', 'unix:///var/run/docker.sock', ...dataFlags],
      {
        cwd: work,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const found = /Dashboard: (\S+)/.exec(out)?.[1];
          if (found !== undefined) resolve(found);
        });
      });
      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<script[^>]+src="[^"]*app\.js"/);
      let metrics = '';
      for (let i = 0; i < 60 && !metrics.includes(`name="${PROJECT}-api-1"`); i++) {
        await new Promise((r) => setTimeout(r, 500));
        metrics = await (await fetch(`${url}metrics`)).text();
      }
      assert.match(metrics, new RegExp(`container_memory_working_set_bytes\\{[^}]*name="${PROJECT}-api-1"`));
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('on the system Node 20, the installed command prints the version line and exits 1', () => {
    const run = spawnSync(bin, ['watch'], {
      cwd: work,
      env: { ...env, PATH: '/usr/bin:/bin' },
      encoding: 'utf8',
    });
    const old = spawnSync('/usr/bin/node', ['-p', 'process.versions.node'], {
      encoding: 'utf8',
    }).stdout.trim();
    assert.ok(Number(old.split('.')[0]) <= 20, `/usr/bin/node is ${old}; the check needs 20 or older`);
    assert.equal(run.status, 1, run.stderr);
    assert.equal(
      run.stderr,
      `dify-monitor needs Node.js 22.18.0 or newer; this is Node.js ${old} (/usr/bin/node). Get a newer one from https://nodejs.org/en/download (or: nvm install --lts).\n`,
    );
  });
});
