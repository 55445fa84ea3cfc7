import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applySettingsPatch, DEFAULT_SETTINGS } from '../../../src/settings/schema.ts';

describe('settings: the user’s own log patterns', () => {
  it('are saved with a name, a regular expression and a severity', () => {
    const patterns = [
      { name: 'payment refused', pattern: 'PAYMENT_(DECLINED|REFUSED)', severity: 'warning' },
    ];
    const applied = applySettingsPatch(DEFAULT_SETTINGS, { logPatterns: patterns });
    assert.ok(applied.ok);
    assert.deepEqual(applied.settings.logPatterns, patterns);
  });

  it('a pattern that is not a regular expression is refused, with the reason, at its field', () => {
    const applied = applySettingsPatch(DEFAULT_SETTINGS, {
      logPatterns: [
        { name: 'fine', pattern: 'ok', severity: 'critical' },
        { name: 'broken', pattern: '(unclosed', severity: 'critical' },
      ],
    });
    assert.ok(!applied.ok);
    assert.equal(applied.errors[0]?.path, '/logPatterns/1/pattern');
    assert.match(applied.errors[0]?.message ?? '', /^is not a regular expression: /);
  });

  it('a wrong severity or an unknown field is refused', () => {
    assert.ok(
      !applySettingsPatch(DEFAULT_SETTINGS, { logPatterns: [{ name: 'x', pattern: 'x', severity: 'info' }] })
        .ok,
    );
    assert.ok(
      !applySettingsPatch(DEFAULT_SETTINGS, {
        logPatterns: [{ name: 'x', pattern: 'x', severity: 'warning', flags: 'i' }],
      }).ok,
    );
  });
});
