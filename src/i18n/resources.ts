import { alert } from './en/alert.ts';
import { cli } from './en/cli.ts';
import { delivery } from './en/delivery.ts';
import { hosts } from './en/hosts.ts';
import { model } from './en/model.ts';
import { notify } from './en/notify.ts';
import { page } from './en/page.ts';
import { settings } from './en/settings.ts';
import { timeline } from './en/timeline.ts';
import { tray } from './en/tray.ts';
import { verdict } from './en/verdict.ts';
import { alert as zhAlert } from './zh-CN/alert.ts';
import { cli as zhCli } from './zh-CN/cli.ts';
import { delivery as zhDelivery } from './zh-CN/delivery.ts';
import { hosts as zhHosts } from './zh-CN/hosts.ts';
import { model as zhModel } from './zh-CN/model.ts';
import { notify as zhNotify } from './zh-CN/notify.ts';
import { page as zhPage } from './zh-CN/page.ts';
import { settings as zhSettings } from './zh-CN/settings.ts';
import { timeline as zhTimeline } from './zh-CN/timeline.ts';
import { tray as zhTray } from './zh-CN/tray.ts';
import { verdict as zhVerdict } from './zh-CN/verdict.ts';
import type { Language } from './language.ts';
import type { Translation } from './translation.ts';

/** English is the source of truth: every key exists here first, and its type is the contract. */
export const EN = {
  verdict,
  alert,
  cli,
  notify,
  tray,
  delivery,
  page,
  settings,
  timeline,
  hosts,
  model,
} as const;

export type Resources = typeof EN;

/** A namespace missing from a translation, or a key missing from a namespace, fails `tsc`. */
const ZH_CN: Translation<Resources> = {
  verdict: zhVerdict,
  alert: zhAlert,
  cli: zhCli,
  notify: zhNotify,
  tray: zhTray,
  delivery: zhDelivery,
  page: zhPage,
  settings: zhSettings,
  timeline: zhTimeline,
  hosts: zhHosts,
  model: zhModel,
};

export const RESOURCES: Readonly<Record<Language, Translation<Resources>>> = { en: EN, 'zh-CN': ZH_CN };
