import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { appProtocolHandler, APP_URL, CSP, resolveAppPath } from '../../../main/app-protocol.ts';

const root = mkdtempSync(join(tmpdir(), 'dm-protocol-'));
const renderer = join(root, 'renderer');
mkdirSync(renderer);
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>x</title>');
writeFileSync(join(renderer, 'app.js'), 'console.log(1)');
writeFileSync(join(root, 'secret.txt'), 'outside');
after(() => rmSync(root, { recursive: true, force: true }));

describe('app:// protocol', () => {
  const handle = appProtocolHandler({ root: renderer });

  it('serves the built renderer files with the strict CSP', async () => {
    const res = await handle(new Request(APP_URL));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('content-security-policy'), CSP);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(await res.text(), /<title>x/);
    const js = await handle(new Request('app://dify-monitor/app.js'));
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal((await handle(new Request('app://dify-monitor/'))).status, 200);
    assert.match(CSP, /script-src 'self'/);
    assert.doesNotMatch(CSP, /unsafe/);
  });

  it('refuses anything outside the folder, another host, unknown types and other methods', async () => {
    for (const url of [
      'app://dify-monitor/../secret.txt',
      'app://dify-monitor/%2e%2e/secret.txt',
      'app://dify-monitor/%2e%2e%2fsecret.txt',
      'app://dify-monitor/..%5csecret.txt',
      'app://dify-monitor/%00index.html',
      'app://other/index.html',
      'file:///etc/passwd',
    ]) {
      assert.equal(resolveAppPath(renderer, url), null, url);
    }
    assert.equal((await handle(new Request('app://dify-monitor/%2e%2e%2fsecret.txt'))).status, 403);
    assert.equal((await handle(new Request('app://other/index.html'))).status, 403);
    assert.equal((await handle(new Request('app://dify-monitor/missing.js'))).status, 404);
    assert.equal((await handle(new Request(APP_URL, { method: 'POST', body: 'x' }))).status, 405);
  });
});
