import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Matcher } from '../../../src/logs/matcher.ts';
import { HEALTHY_START, SIGNATURES } from '../../../src/logs/signatures.ts';

const matcher = new Matcher();

describe('the log signatures', () => {
  for (const signature of SIGNATURES) {
    it(`${signature.id}: each quoted line is known as this signature, and by no other`, () => {
      assert.ok(signature.examples.length > 0);
      for (const example of signature.examples) {
        assert.match(example.from, /^https:\/\/github\.com\//, 'its source is named');
        assert.equal(matcher.match(example.line)?.signature.id, signature.id, example.line);
        const others = SIGNATURES.filter((s) => s !== signature && s.pattern.test(example.line)).map(
          (s) => s.id,
        );
        assert.deepEqual(others, [], example.line);
      }
    });
  }

  it('no line of a healthy Dify start is known', () => {
    assert.ok(HEALTHY_START.length >= 20);
    for (const { line } of HEALTHY_START) assert.equal(matcher.match(line), null, line);
  });

  it('every id is unique, and every explaining signature exists', () => {
    const ids = SIGNATURES.map((s) => s.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const s of SIGNATURES) if (s.explainedBy !== undefined) assert.ok(ids.includes(s.explainedBy), s.id);
  });

  it('takes the pid a line names, and none from a line that names a plugin', () => {
    assert.equal(
      matcher.match('[2024-07-24 06:33:40 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:35)')?.pid,
      35,
    );
    assert.equal(
      matcher.match(
        '[2023-05-26 10:36:56 +0000] [20] [WARNING] Worker with pid 33 was terminated due to signal 9',
      )?.pid,
      33,
    );
    assert.equal(
      matcher.match('[ERROR]plugin langgenius/ollama:0.0.3 exited with error: signal: killed')?.pid,
      null,
    );
  });
});

describe('a user’s own patterns', () => {
  it('come after the built-in signatures, on the first 2,000 characters of a line', () => {
    const m = new Matcher([
      { name: 'payment refused', pattern: 'PAYMENT_(?:DECLINED|REFUSED)', severity: 'warning' },
    ]);
    assert.deepEqual(m.match('2025-01-01 ERROR PAYMENT_DECLINED for order 7')?.signature, {
      id: 'user:payment refused',
      title: 'payment refused',
      severity: 'warning',
      kill: false,
      explainedBy: null,
      burst: null,
    });
    assert.equal(m.match(`${'x'.repeat(2_000)}PAYMENT_DECLINED`), null);
    assert.equal(
      m.match('[2024-07-24 06:33:40 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:35)')?.signature.id,
      'gunicorn-timeout',
    );
  });

  it('one that does not compile is left out, the others still work', () => {
    const m = new Matcher([
      { name: 'broken', pattern: '(unclosed', severity: 'critical' },
      { name: 'fine', pattern: 'fine', severity: 'critical' },
    ]);
    assert.equal(m.match('all fine')?.signature.id, 'user:fine');
  });
});
