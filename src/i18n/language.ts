/**
 * Which of our languages a locale asks for. Simplified Chinese is the only translation: a
 * Traditional locale (zh-TW, zh-HK, zh-MO, zh-Hant) gets English rather than the wrong script.
 */

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The `language` setting: `auto` follows the system (LANG, the OS, the browser). */
export const LANGUAGE_SETTINGS = ['auto', ...LANGUAGES] as const;
export type LanguageSetting = (typeof LANGUAGE_SETTINGS)[number];

const TRADITIONAL_REGIONS = ['tw', 'hk', 'mo'];

/**
 * The language a locale names, or null when we have none for it. Takes BCP 47 tags (`zh-Hans-CN`,
 * `en-US`) and POSIX names (`zh_CN.UTF-8`, `en_US@euro`); `C` and `POSIX` are English.
 */
export function languageOf(locale: string): Language | null {
  const tag = locale.split(/[.@]/)[0]?.replaceAll('_', '-').toLowerCase() ?? '';
  const [base, ...rest] = tag.split('-');
  if (base === 'c' || base === 'posix' || base === 'en') return 'en';
  if (base !== 'zh') return null;
  if (rest.includes('hant')) return null;
  if (rest.includes('hans')) return 'zh-CN';
  return rest.some((part) => TRADITIONAL_REGIONS.includes(part)) ? null : 'zh-CN';
}

/** The first of `locales` we have a language for (a browser's `navigator.languages`), else English. */
export function pickLanguage(locales: readonly string[]): Language {
  for (const locale of locales) {
    const language = languageOf(locale);
    if (language !== null) return language;
  }
  return 'en';
}

/**
 * The locale POSIX says a program's messages use: the first of LC_ALL, LC_MESSAGES, LANG that is
 * set and not empty; that one decides, even when we have no language for it.
 */
export function posixLanguage(env: Readonly<Record<string, string | undefined>>): Language {
  const locale = [env['LC_ALL'], env['LC_MESSAGES'], env['LANG']].find((v) => v !== undefined && v !== '');
  return locale === undefined ? 'en' : (languageOf(locale) ?? 'en');
}

/** The setting wins over what the system says, unless it is `auto`. */
export function chooseLanguage(setting: LanguageSetting | undefined, system: Language): Language {
  return setting === undefined || setting === 'auto' ? system : setting;
}
