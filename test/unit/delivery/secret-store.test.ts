/**
 * The two secret stores on one data folder, with a real cipher standing in for the OS keychain:
 * each channel's secrets are found wherever the last save put them, and a removal leaves nothing.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  ownerOnlyFileStore,
  sealedFileStore,
  sealedPathIn,
  type Sealer,
} from '../../../src/delivery/secret-store.ts';
import { secretsPathIn } from '../../../src/delivery/secrets.ts';

const base = mkdtempSync(join(tmpdir(), 'dm-secret-store-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => {
  const dir = join(base, String(n++));
  mkdirSync(dir);
  return dir;
};

/** AES-256-GCM under a key only this test holds; `stale` once the key was rotated. */
function keychain(): Sealer & { rotate(): void } {
  let key = randomBytes(32);
  let old: Buffer | null = null;
  const open = (k: Buffer, blob: Buffer): string => {
    const d = createDecipheriv('aes-256-gcm', k, blob.subarray(0, 12));
    d.setAuthTag(blob.subarray(12, 28));
    return Buffer.concat([d.update(blob.subarray(28)), d.final()]).toString('utf8');
  };
  const k = {
    rotate() {
      old = key;
      key = randomBytes(32);
    },
    async seal(text: string) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    async open(blob: Buffer) {
      try {
        return { text: open(key, blob), stale: false };
      } catch (error) {
        if (old === null) throw error;
        return { text: open(old, blob), stale: true };
      }
    },
  };
  return k;
}

const SECRET = 'planted-store-token-0c1e';

describe('channel secret stores on one data folder', () => {
  it('the sealed store keeps ciphertext only, owner-only, and opens it again', async () => {
    const dir = fresh();
    const store = sealedFileStore(dir, keychain());
    assert.equal(await store.save('desk', { url: `https://h.example/${SECRET}` }), null);
    assert.ok(!readFileSync(sealedPathIn(dir), 'utf8').includes(SECRET));
    assert.equal(statSync(sealedPathIn(dir)).mode & 0o777, 0o600);
    assert.deepEqual(await store.read('desk'), { url: `https://h.example/${SECRET}` });
    assert.deepEqual(await store.read('nobody'), {});
  });

  it('reads the CLI’s file first, and a save or removal on either side leaves one copy or none', async () => {
    const dir = fresh();
    const desk = sealedFileStore(dir, keychain());
    const cli = ownerOnlyFileStore(dir);
    await cli.save('ops', { url: 'https://cli.example/1' });
    assert.deepEqual(
      await desk.read('ops'),
      { url: 'https://cli.example/1' },
      'the CLI’s channel works on the desktop',
    );
    await desk.save('ops', { url: 'https://desk.example/2' });
    assert.ok(
      !readFileSync(secretsPathIn(dir), 'utf8').includes('cli.example'),
      'the desktop’s save took the CLI copy away',
    );
    assert.deepEqual(await desk.read('ops'), { url: 'https://desk.example/2' });
    assert.match(
      String(await cli.read('ops')),
      /only the desktop app can open; .*channels add ops --replace/,
    );
    await cli.save('ops', { url: 'https://cli.example/3' });
    assert.deepEqual(await desk.read('ops'), { url: 'https://cli.example/3' }, 'the CLI’s newer copy wins');
    await cli.save('ops', null);
    assert.deepEqual(await desk.read('ops'), {}, 'a CLI removal takes the sealed copy too');
    assert.ok(!readFileSync(sealedPathIn(dir), 'utf8').includes('"ops"'));
  });

  it('a rotated key seals the secret again; a blob the keychain cannot open is said, not thrown', async () => {
    const dir = fresh();
    const k = keychain();
    const store = sealedFileStore(dir, k);
    await store.save('a', { url: 'https://a.example/x' });
    const before = readFileSync(sealedPathIn(dir), 'utf8');
    k.rotate();
    assert.deepEqual(await store.read('a'), { url: 'https://a.example/x' });
    assert.notEqual(readFileSync(sealedPathIn(dir), 'utf8'), before, 'sealed again under the new key');
    const other = sealedFileStore(dir, keychain());
    assert.match(String(await other.read('a')), /cannot be opened with the system keychain/);
  });

  it('a damaged sealed file or a CLI file others can read is a message, and nothing is overwritten', async () => {
    const dir = fresh();
    writeFileSync(sealedPathIn(dir), '{not json', { mode: 0o600 });
    const store = sealedFileStore(dir, keychain());
    assert.match(String(await store.read('a')), /cannot be read/);
    assert.match(String(await store.save('a', { url: 'https://a.example/' })), /cannot be read/);
    assert.equal(readFileSync(sealedPathIn(dir), 'utf8'), '{not json');
    writeFileSync(secretsPathIn(dir), '{"version":1,"channels":{}}', { mode: 0o644 });
    assert.match(String(await ownerOnlyFileStore(dir).read('a')), /can be read by others/);
  });
});
