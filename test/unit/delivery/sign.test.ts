import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bodySignature, dingtalkSign, feishuSign } from '../../../src/delivery/sign.ts';

/*
 * The expected values were computed with the Python samples of each vendor's documentation, run
 * as printed there with only the timestamp and secret fixed (python3 3.11, hmac + hashlib +
 * base64 + urllib.parse.quote_plus for DingTalk; hmac with an empty message for Feishu).
 */
describe('webhook signatures, against known vectors', () => {
  it('DingTalk: HMAC-SHA256 keyed with the secret over timestamp + "\\n" + secret, base64, URL-encoded', () => {
    const secret = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd';
    assert.equal(dingtalkSign(secret, 1700000000000), '8SZas7RY4E7wuOlgLfjLwHSKZpyUEdXdLvFYSDZiiFw%3D');
    // This one's base64 has "+" and "/", which must reach DingTalk encoded as %2B and %2F.
    assert.equal(
      dingtalkSign(secret, 1700000000015),
      'WkhwWv%2Fd9lDN%2BiQSL1g%2Bx4dWEUFe%2F9%2BW28zhERrfbFU%3D',
    );
  });

  it('Feishu: HMAC-SHA256 keyed with timestamp + "\\n" + secret over an empty message, base64', () => {
    assert.equal(feishuSign('demo-secret-4f1a', 1599360473), 'gBL/8HtPS5RjgYBgLQcCdvmh4y1f0Z/XrWp9PL2yD8M=');
  });

  it('the generic webhook: sha256=<hex HMAC of the body>, as GitHub signs (RFC 4231 test case 2)', () => {
    assert.equal(
      bodySignature('Jefe', 'what do ya want for nothing?'),
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});
