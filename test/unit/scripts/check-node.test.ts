import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

const require = createRequire(import.meta.url);
const { problem } = require('../../../scripts/check-node.cjs') as {
  problem(range: unknown, version: string, execPath: string): string | null;
};
const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines;

describe('the Node version guard', () => {
  it('passes the minimum and anything newer', () => {
    for (const version of ['22.18.0', '22.18.1', '22.19.0', '24.21.0', 'v30.0.0'])
      assert.equal(problem('>=22.18', version, '/x/node'), null, version);
  });

  it('says what is needed, what was found, where, and how to get it, on one line', () => {
    const line = problem('>=22.18', '20.20.2', '/usr/bin/node');
    assert.equal(
      line,
      'dify-monitor needs Node.js 22.18.0 or newer; this is Node.js 20.20.2 (/usr/bin/node). ' +
        'Get a newer one from https://nodejs.org/en/download (or: nvm install --lts).',
    );
    for (const version of ['22.17.9', '22.0.0', '18.19.0', 'v8.17.0'])
      assert.match(
        problem('>=22.18', version, 'node') ?? '',
        /^dify-monitor needs Node\.js 22\.18\.0 /,
        version,
      );
  });

  it('reads the engines range package.json declares', () => {
    assert.equal(problem(engines.node, '99.0.0', 'node'), null);
    assert.notEqual(problem(engines.node, '20.0.0', 'node'), null);
  });

  it('refuses a range it cannot read rather than letting every Node through', () => {
    for (const range of ['^22', '>=20 <23', undefined, '22.x'])
      assert.match(
        problem(range, '99.0.0', 'node') ?? '',
        /reads engines\.node only as ">=X\.Y\.Z"/,
        String(range),
      );
  });
});
