import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { contextPaths } from '../../../src/docker/contexts.ts';
import { scanDockerConfig } from '../../../src/hosts/import.ts';

/* The docker CLI's own context store, laid out as `docker context create` writes it. */
const home = mkdtempSync(path.join(tmpdir(), 'dm-import-'));
const config = path.join(home, '.docker');
after(() => rmSync(home, { recursive: true, force: true }));

function context(name: string, meta: unknown, tls: readonly string[] = []): void {
  const paths = contextPaths(config, name, path);
  mkdirSync(path.dirname(paths.meta), { recursive: true });
  writeFileSync(paths.meta, typeof meta === 'string' ? meta : JSON.stringify(meta));
  for (const file of tls) {
    mkdirSync(path.dirname(paths.ca), { recursive: true });
    writeFileSync(path.join(path.dirname(paths.ca), file), 'pem');
  }
}

const docker = (host: string, skip = false) => ({
  Endpoints: { docker: { Host: host, SkipTLSVerify: skip } },
});

describe('hosts import', () => {
  context('staging box', { Name: 'staging box', ...docker('ssh://deploy@staging') });
  context('build', { Name: 'build', ...docker('tcp://10.0.0.5:2376') }, ['ca.pem', 'cert.pem', 'key.pem']);
  context('careless', { Name: 'careless', ...docker('tcp://10.0.0.6:2376', true) });
  context('half-made', { Name: 'half-made' });
  context('garbled', '{ not json');

  const scan = scanDockerConfig({ DOCKER_HOST: 'tcp://10.0.0.7:2375' }, home);
  const byName = new Map(scan.candidates.map((c) => [c.name, c]));

  it('takes every usable context under a host name made from its own name, TLS files included', () => {
    assert.equal(byName.get('staging-box')?.url, 'ssh://deploy@staging:22');
    assert.equal(byName.get('staging-box')?.from, 'Docker context "staging box"');
    const build = byName.get('build');
    assert.equal(build?.url, 'tcp://10.0.0.5:2376');
    assert.deepEqual(Object.keys(build?.tls ?? {}).sort(), ['ca', 'cert', 'key']);
    assert.equal(byName.get('docker-host')?.url, 'tcp://10.0.0.7:2375');
  });

  it('says why it skipped the others, by the name the context gives itself when it has one', () => {
    assert.equal(scan.candidates.length, 3, JSON.stringify(scan.candidates));
    assert.ok(
      scan.skipped.some((s) => s.startsWith('context "careless"') && /skips TLS verification/.test(s)),
      scan.skipped.join('\n'),
    );
    assert.ok(
      scan.skipped.some((s) => s.startsWith('context "half-made"') && /no Endpoints\.docker/.test(s)),
      scan.skipped.join('\n'),
    );
    const garbled = contextPaths(config, 'garbled', path).meta.split(path.sep).at(-2) ?? '';
    assert.ok(
      scan.skipped.some((s) => s.startsWith(`context "${garbled}"`) && /not valid JSON/.test(s)),
      scan.skipped.join('\n'),
    );
  });
});
