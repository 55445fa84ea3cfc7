import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readOrCreateTokenFile } from '../../../src/auth/token-file.ts';
import { startServe } from '../../helpers/serve-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'dm-token-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('readOrCreateTokenFile', () => {
  it('creates an owner-only file once, then reads the same token back', () => {
    const path = join(dir, 'made');
    const first = readOrCreateTokenFile(path);
    assert.ok(first.ok && first.created);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const second = readOrCreateTokenFile(path, () => assert.fail('an existing token is not replaced'));
    assert.deepEqual(second, { ok: true, token: first.token, created: false });
  });

  it('refuses a file others can read, and says how to fix it', () => {
    const path = join(dir, 'open');
    writeFileSync(path, 'a'.repeat(40));
    chmodSync(path, 0o644);
    const read = readOrCreateTokenFile(path);
    assert.ok(!read.ok);
    assert.match(read.error, /can be read by others \(mode 644\); run chmod 600/);
  });

  it('refuses a short or spaced token instead of trusting it', () => {
    const bad: ReadonlyArray<readonly [string, string]> = [
      ['short', 'abc\n'],
      ['spaced', 'abcdefghijkl mnopqrstuvwxyz0123'],
    ];
    for (const [name, text] of bad) {
      const path = join(dir, name);
      writeFileSync(path, text, { mode: 0o600 });
      const read = readOrCreateTokenFile(path);
      assert.ok(!read.ok, name);
      assert.match(read.error, /at least 24 characters and no spaces/);
    }
  });

  it('says why it cannot create the file', () => {
    const read = readOrCreateTokenFile(join(dir, 'no-such-dir', 'token'));
    assert.ok(!read.ok);
    assert.match(read.error, /Cannot create the token file .*ENOENT/);
  });
});

describe('serve --token-file', () => {
  it('requires the kept token even on loopback, and the same token after a restart', async () => {
    const tokenFile = join(dir, 'serve-token');
    const args = [
      '--token-file',
      tokenFile,
      '--settings',
      join(dir, 'settings.json'),
      '--alert-log',
      join(dir, 'alerts.json'),
    ];
    for (let start = 0; start < 2; start++) {
      const serve = await startServe(args);
      try {
        assert.doesNotMatch(serve.url, /token=/, 'the printed address does not carry the secret');
        const token = readFileSync(tokenFile, 'utf8').trim();
        assert.equal((await fetch(serve.url)).status, 401);
        const withToken = await fetch(serve.url, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(withToken.status, 200);
      } finally {
        await serve.stop();
      }
    }
  });
});
