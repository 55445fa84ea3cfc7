import { alert } from './en/alert.ts';
import { cli } from './en/cli.ts';
import { verdict } from './en/verdict.ts';
import { alert as zhAlert } from './zh-CN/alert.ts';
import { cli as zhCli } from './zh-CN/cli.ts';
import { verdict as zhVerdict } from './zh-CN/verdict.ts';
import type { Language } from './language.ts';
import type { Translation } from './translation.ts';

/** English is the source of truth: every key exists here first, and its type is the contract. */
export const EN = { verdict, alert, cli } as const;

export type Resources = typeof EN;

/** A namespace missing from a translation, or a key missing from a namespace, fails `tsc`. */
const ZH_CN: Translation<Resources> = { verdict: zhVerdict, alert: zhAlert, cli: zhCli };

export const RESOURCES: Readonly<Record<Language, Translation<Resources>>> = { en: EN, 'zh-CN': ZH_CN };
