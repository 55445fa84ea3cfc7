import { verdict } from './en/verdict.ts';
import { verdict as zhVerdict } from './zh-CN/verdict.ts';
import type { Language } from './language.ts';
import type { Translation } from './translation.ts';

/** English is the source of truth: every key exists here first, and its type is the contract. */
export const EN = { verdict } as const;

export type Resources = typeof EN;

/** A namespace missing from a translation, or a key missing from a namespace, fails `tsc`. */
const ZH_CN: Translation<Resources> = { verdict: zhVerdict };

export const RESOURCES: Readonly<Record<Language, Translation<Resources>>> = { en: EN, 'zh-CN': ZH_CN };
