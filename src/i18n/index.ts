/**
 * The user's language for every shell: CLI, notifications, channel messages, tray, page.
 *
 * Adding strings: put them in your own namespace, `src/i18n/en/<name>.ts` as an `as const` object
 * (English is the source of truth), and the same keys in `src/i18n/zh-CN/<name>.ts` typed
 * `Translation<typeof en>`; list both in resources.ts. Then `t('<name>:some.key', { n: 3 })`:
 * a key that does not exist, a translation missing a key, or a `{{variable}}` left out of the call
 * fails `tsc`. Names and units (container names, MiB, %) stay outside the strings, as values.
 * Numbers, times and durations go through format.ts, never `toFixed` or `toLocaleString()` bare.
 *
 * The process has one language, set once at start (`setLanguage`): the CLI from LC_ALL /
 * LC_MESSAGES / LANG, the desktop from `app.getLocale()`, the page from `navigator.languages`;
 * the `language` setting overrides all three (language.ts). Browser-safe: no Node here.
 */
import i18next, { type TFunction } from 'i18next';
import type { Language } from './language.ts';
import { EN, RESOURCES } from './resources.ts';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'verdict';
    resources: typeof EN;
    strictKeyChecks: true;
  }
}

const instance = i18next.createInstance();
void instance.init({
  resources: RESOURCES,
  lng: 'en',
  fallbackLng: 'en',
  defaultNS: 'verdict',
  ns: Object.keys(EN),
  initAsync: false,
  // Our strings go to terminals, notifications and textContent, never into HTML as markup.
  interpolation: { escapeValue: false },
  returnNull: false,
});

let current: Language = 'en';

/** Switches every later `t()` and format.ts call to `language`. */
export function setLanguage(language: Language): void {
  current = language;
  void instance.changeLanguage(language);
}

export function currentLanguage(): Language {
  return current;
}

type Namespaces = readonly (keyof typeof EN)[];

/** Keys are written with their namespace, `t('cli:once.noHosts')`. */
export const t: TFunction<Namespaces> = instance.getFixedT(null, Object.keys(EN) as unknown as Namespaces);

export * from './language.ts';
