import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { verdict } from '../../../src/i18n/en/verdict.ts';
import { formatDuration, formatNumber } from '../../../src/i18n/format.ts';
import {
  chooseLanguage,
  languageOf,
  pickLanguage,
  posixLanguage,
  setLanguage,
  t,
} from '../../../src/i18n/index.ts';
import type { Translation } from '../../../src/i18n/translation.ts';

describe('languageOf', () => {
  it('reads POSIX and BCP 47 names of Simplified Chinese', () => {
    for (const locale of [
      'zh_CN.UTF-8',
      'zh_CN',
      'zh-CN',
      'zh-Hans',
      'zh-Hans-CN',
      'zh-SG',
      'zh_SG.GB2312',
      'zh',
    ])
      assert.equal(languageOf(locale), 'zh-CN', locale);
  });

  it('has no language for Traditional Chinese: those users get English, not the wrong script', () => {
    for (const locale of ['zh-TW', 'zh_TW.UTF-8', 'zh-HK', 'zh-MO', 'zh-Hant', 'zh-Hant-TW'])
      assert.equal(languageOf(locale), null, locale);
    assert.equal(pickLanguage(['zh-TW']), 'en');
  });

  it('reads C, POSIX and English as English, and knows no other language', () => {
    assert.equal(languageOf('C'), 'en');
    assert.equal(languageOf('C.UTF-8'), 'en');
    assert.equal(languageOf('POSIX'), 'en');
    assert.equal(languageOf('en_US.UTF-8'), 'en');
    assert.equal(languageOf('fr_FR.UTF-8'), null);
  });
});

describe('choosing the language', () => {
  it('takes LC_ALL, then LC_MESSAGES, then LANG; the first set one decides', () => {
    assert.equal(posixLanguage({ LANG: 'zh_CN.UTF-8' }), 'zh-CN');
    assert.equal(posixLanguage({ LC_ALL: 'C', LANG: 'zh_CN.UTF-8' }), 'en');
    assert.equal(posixLanguage({ LC_MESSAGES: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' }), 'zh-CN');
    assert.equal(posixLanguage({ LC_ALL: '', LANG: 'zh_CN.UTF-8' }), 'zh-CN');
    assert.equal(posixLanguage({ LC_ALL: 'fr_FR.UTF-8', LANG: 'zh_CN.UTF-8' }), 'en');
    assert.equal(posixLanguage({}), 'en');
  });

  it("takes a browser's first language we have", () => {
    assert.equal(pickLanguage(['fr-FR', 'zh-TW', 'zh-CN', 'en']), 'zh-CN');
    assert.equal(pickLanguage(['en-GB', 'zh-CN']), 'en');
    assert.equal(pickLanguage([]), 'en');
  });

  it('lets the setting override the system unless it is auto', () => {
    assert.equal(chooseLanguage('en', 'zh-CN'), 'en');
    assert.equal(chooseLanguage('zh-CN', 'en'), 'zh-CN');
    assert.equal(chooseLanguage('auto', 'zh-CN'), 'zh-CN');
    assert.equal(chooseLanguage(undefined, 'zh-CN'), 'zh-CN');
  });
});

describe('t and the formats', () => {
  afterEach(() => setLanguage('en'));

  it('follows setLanguage', () => {
    assert.equal(t('verdict:oomKilled'), 'OOM-killed');
    setLanguage('zh-CN');
    assert.equal(t('verdict:oomKilled'), '已被 OOM 终止');
  });

  it('writes durations with the two largest units in each language', () => {
    assert.equal(formatDuration(3_723_000), '1 hr 2 min');
    assert.equal(formatDuration(400), '0 sec');
    setLanguage('zh-CN');
    assert.equal(formatDuration(3_723_000), '1小时2分钟');
    assert.equal(formatDuration(90_000), '1分钟30秒');
    assert.equal(formatNumber(12.345, 2), '12.35');
  });

  it('fails tsc on a key that does not exist and on a translation missing a key', () => {
    // @ts-expect-error: no such key
    assert.equal(typeof t('verdict:noSuchKey'), 'string');
    // @ts-expect-error: every key of the English namespace is required
    const partial: Translation<typeof verdict> = { ok: 'OK' };
    assert.equal(partial.ok, 'OK');
  });
});
