import { Ajv, type ErrorObject } from 'ajv';
import { ALERT_RULES, DEFAULT_ALERT_SETTINGS, type AlertRule, type AlertSettings } from '../alerts/types.ts';
import { t } from '../i18n/index.ts';
import { LANGUAGE_SETTINGS, type LanguageSetting } from '../i18n/language.ts';
import { ROLES } from '../model.ts';
import { HOST_NAME_PATTERN } from './host-name.ts';

/**
 * Everything the user can set. One JSON schema serves the desktop app (electron-store validates
 * its file with it), the web bridge and the CLI, so a value is judged the same way everywhere.
 * Secrets are not settings: they never pass through here, and so never reach a renderer.
 */
export interface Settings {
  readonly version: 1;
  readonly alerts: AlertSettings;
  readonly intervals: { readonly fastMs: number; readonly trayMs: number };
  readonly notifications: {
    readonly enabled: boolean;
    /** Local hour (0-23) of a daily "while you were away" report; none when absent (after sleeps and restarts only). */
    readonly reportHour?: number;
  };
  readonly hosts: readonly HostSetting[];
  readonly startAtLogin: boolean;
  /** Absent in files saved before the exporter existed: read it as DEFAULT_EXPORTER. */
  readonly exporter?: ExporterSetting;
  /** Absent in files saved before alert channels existed: read it as DEFAULT_CHANNELS. */
  readonly channels?: ChannelsSetting;
  /** The user's own log lines to alert on, beside Dify's known ones (src/logs/signatures.ts); none when absent. */
  readonly logPatterns?: readonly LogPatternSetting[];
  /** Absent in files saved before history was kept on disk: read it as DEFAULT_HISTORY. */
  readonly history?: HistorySetting;
  /** The language of every shell; absent or `auto`: the system's (LANG, the OS, the browser). */
  readonly language?: LanguageSetting;
}

/** History on disk (src/history/disk.ts): how many days of 1 min buckets, and the most bytes the file may take. */
export interface HistorySetting {
  readonly days: number;
  readonly maxMegabytes: number;
}

export const DEFAULT_HISTORY: HistorySetting = { days: 7, maxMegabytes: 256 };

/** A line to alert on: a JavaScript regular expression, tried on the first 2,000 characters of each line. */
export interface LogPatternSetting {
  /** What the alert calls it: "payment provider refused". */
  readonly name: string;
  readonly pattern: string;
  readonly severity: 'warning' | 'critical';
}

/** Where alerts can be sent besides the desktop; each kind is one module of src/delivery/channels/. */
export const CHANNEL_KINDS = ['webhook', 'slack', 'dingtalk', 'feishu', 'wecom', 'ntfy', 'email'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const CHANNEL_SEVERITIES = ['warning', 'critical'] as const;
export type ChannelSeverity = (typeof CHANNEL_SEVERITIES)[number];

export const SMTP_SECURITY = ['starttls', 'tls'] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY)[number];

/** An SMTP account's public half; the password is a secret and is kept beside the settings. */
export interface SmtpSetting {
  readonly host: string;
  readonly port: number;
  /** STARTTLS on the submission port, or TLS from the first byte; never plain text. */
  readonly security: SmtpSecurity;
  readonly user?: string;
  readonly from: string;
  readonly to: readonly string[];
}

/**
 * One place alerts go. Its secrets (the webhook URL with its token, a signing secret, the SMTP
 * password) are not settings: `dify-monitor channels add` keeps them in an owner-only file beside
 * the settings file, and `target` is the most of them anything may show.
 */
export interface ChannelSetting {
  readonly name: string;
  readonly kind: ChannelKind;
  readonly enabled: boolean;
  /** The address as a page may show it: `https://oapi.dingtalk.com/…3f9a`. */
  readonly target: string;
  readonly minSeverity: ChannelSeverity;
  /** Only alerts about these stacks; every stack when empty. */
  readonly stacks: readonly string[];
  /** Only alerts of these rules; every rule when empty. */
  readonly rules: readonly AlertRule[];
  /** DingTalk: the keyword its robot's security settings require in every message. */
  readonly keyword?: string;
  readonly smtp?: SmtpSetting;
}

/** Alert channels and how their messages are grouped, as Alertmanager's group_wait, group_interval and repeat_interval. */
export interface ChannelsSetting {
  readonly list: readonly ChannelSetting[];
  /** How long the first alerts of an incident wait for the rest of it, so that they go out in one message. */
  readonly groupWaitMs: number;
  /** A firing incident's news waits at least this long after its last message, unless it got worse. */
  readonly groupIntervalMs: number;
  /** A still-firing incident is said again after this long. */
  readonly repeatIntervalMs: number;
  /** The dashboard's address as a phone reaches it, for the link in every message; none when null. */
  readonly dashboardUrl: string | null;
}

export const DEFAULT_CHANNELS: ChannelsSetting = {
  list: [],
  groupWaitMs: 30_000,
  groupIntervalMs: 5 * 60_000,
  repeatIntervalMs: 4 * 3_600_000,
  dashboardUrl: null,
};

/**
 * The desktop app's Prometheus exporter (`startMetricsServer`), off until the user opts in.
 * Off loopback it needs a token, which is a secret and so lives in the OS keychain, not here.
 */
export interface ExporterSetting {
  readonly enabled: boolean;
  readonly bind: string;
  readonly port: number;
}

export const DEFAULT_EXPORTER: ExporterSetting = { enabled: false, bind: '127.0.0.1', port: 9479 };

/**
 * A watched engine besides the local one. Only the address and where its files are: TLS files
 * are copies kept in a private directory beside the settings file (`dify-monitor hosts add`),
 * an SSH key stays where the user keeps it. No key material is ever part of settings.
 */
export interface HostSetting {
  readonly name: string;
  readonly url: string;
  readonly tls?: { readonly caPath?: string; readonly certPath?: string; readonly keyPath?: string };
  readonly identityFile?: string;
  readonly knownHostsFile?: string;
}

export const DEFAULT_SETTINGS: Settings = {
  version: 1,
  alerts: DEFAULT_ALERT_SETTINGS,
  intervals: { fastMs: 1000, trayMs: 5000 },
  notifications: { enabled: true },
  hosts: [],
  startAtLogin: false,
  exporter: DEFAULT_EXPORTER,
  channels: DEFAULT_CHANNELS,
};

const percent = { type: 'number', minimum: 1, maximum: 100 } as const;
const duration = (min: number, max: number) => ({ type: 'integer', minimum: min, maximum: max }) as const;
const levels = {
  type: 'object',
  additionalProperties: false,
  required: ['warningPercent', 'criticalPercent', 'hysteresisPoints'],
  properties: {
    warningPercent: percent,
    criticalPercent: percent,
    hysteresisPoints: { type: 'number', minimum: 0, maximum: 50 },
  },
} as const;
const filePath = { type: 'string', minLength: 1, maxLength: 4096 } as const;
const clockTime = { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' } as const;
const shortText = { type: 'string', minLength: 1, maxLength: 200 } as const;
const channel = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'enabled', 'target', 'minSeverity', 'stacks', 'rules'],
  properties: {
    name: { type: 'string', pattern: HOST_NAME_PATTERN, maxLength: 64 },
    kind: { enum: CHANNEL_KINDS },
    enabled: { type: 'boolean' },
    target: { type: 'string', maxLength: 300 },
    minSeverity: { enum: CHANNEL_SEVERITIES },
    stacks: { type: 'array', maxItems: 100, items: shortText },
    rules: { type: 'array', maxItems: ALERT_RULES.length, uniqueItems: true, items: { enum: ALERT_RULES } },
    keyword: shortText,
    smtp: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port', 'security', 'from', 'to'],
      properties: {
        host: { type: 'string', pattern: '^[0-9A-Za-z.:\\[\\]-]{1,253}$' },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        security: { enum: SMTP_SECURITY },
        user: shortText,
        from: shortText,
        to: { type: 'array', minItems: 1, maxItems: 50, items: shortText },
      },
    },
  },
} as const;

export const SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'alerts', 'intervals', 'notifications', 'hosts', 'startAtLogin'],
  properties: {
    version: { const: 1 },
    alerts: {
      type: 'object',
      additionalProperties: false,
      required: [
        'memory',
        'roleBudgetBytes',
        'cpu',
        'stack',
        'trend',
        'restartLoop',
        'cooldownMs',
        'recoveredNotice',
        'muteUntil',
        'mutedKeys',
        'quietHours',
      ],
      properties: {
        memory: levels,
        roleBudgetBytes: {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(ROLES.map((r) => [r, { type: 'integer', minimum: 1024 * 1024 }])),
        },
        cpu: {
          ...levels,
          required: [...levels.required, 'sustainMs', 'maxGapMs'],
          properties: {
            ...levels.properties,
            sustainMs: duration(0, 3_600_000),
            maxGapMs: duration(1000, 3_600_000),
          },
        },
        stack: levels,
        trend: {
          type: 'object',
          additionalProperties: false,
          required: [
            'horizonMs',
            'windowMs',
            'minCoverage',
            'minPoints',
            'minGrowthBytesPerSec',
            'clearAfterMs',
          ],
          properties: {
            horizonMs: duration(60_000, 24 * 3_600_000),
            windowMs: duration(60_000, 3_600_000),
            minCoverage: { type: 'number', minimum: 0.1, maximum: 1 },
            minPoints: { type: 'integer', minimum: 3, maximum: 10_000 },
            minGrowthBytesPerSec: { type: 'number', minimum: 0 },
            clearAfterMs: duration(0, 3_600_000),
          },
        },
        restartLoop: {
          type: 'object',
          additionalProperties: false,
          required: ['count', 'windowMs'],
          properties: {
            count: { type: 'integer', minimum: 2, maximum: 100 },
            windowMs: duration(60_000, 24 * 3_600_000),
          },
        },
        cooldownMs: duration(0, 24 * 3_600_000),
        recoveredNotice: { type: 'boolean' },
        muteUntil: { type: ['integer', 'null'], minimum: 0 },
        mutedKeys: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 500 } },
        quietHours: {
          oneOf: [
            { type: 'null' },
            {
              type: 'object',
              additionalProperties: false,
              required: ['start', 'end'],
              properties: { start: clockTime, end: clockTime },
            },
          ],
        },
      },
    },
    intervals: {
      type: 'object',
      additionalProperties: false,
      required: ['fastMs', 'trayMs'],
      properties: { fastMs: duration(500, 60_000), trayMs: duration(1000, 600_000) },
    },
    notifications: {
      type: 'object',
      additionalProperties: false,
      required: ['enabled'],
      properties: { enabled: { type: 'boolean' }, reportHour: { type: 'integer', minimum: 0, maximum: 23 } },
    },
    hosts: {
      type: 'array',
      maxItems: 32,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'url'],
        properties: {
          name: { type: 'string', pattern: HOST_NAME_PATTERN, maxLength: 64 },
          url: { type: 'string', pattern: '^(unix|npipe|tcp|ssh)://', maxLength: 500 },
          tls: {
            type: 'object',
            additionalProperties: false,
            properties: { caPath: filePath, certPath: filePath, keyPath: filePath },
          },
          identityFile: filePath,
          knownHostsFile: filePath,
        },
      },
    },
    startAtLogin: { type: 'boolean' },
    language: { enum: LANGUAGE_SETTINGS },
    exporter: {
      type: 'object',
      additionalProperties: false,
      required: ['enabled', 'bind', 'port'],
      properties: {
        enabled: { type: 'boolean' },
        bind: { type: 'string', pattern: '^[0-9A-Za-z.:]{1,64}$' },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
      },
    },
    history: {
      type: 'object',
      additionalProperties: false,
      required: ['days', 'maxMegabytes'],
      properties: {
        days: { type: 'integer', minimum: 1, maximum: 30 },
        maxMegabytes: { type: 'integer', minimum: 16, maximum: 4096 },
      },
    },
    logPatterns: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'pattern', 'severity'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 100 },
          pattern: { type: 'string', minLength: 1, maxLength: 500 },
          severity: { enum: ['warning', 'critical'] },
        },
      },
    },
    channels: {
      type: 'object',
      additionalProperties: false,
      required: ['list', 'groupWaitMs', 'groupIntervalMs', 'repeatIntervalMs', 'dashboardUrl'],
      properties: {
        list: { type: 'array', maxItems: 32, items: channel },
        groupWaitMs: duration(0, 3_600_000),
        groupIntervalMs: duration(1000, 24 * 3_600_000),
        repeatIntervalMs: duration(60_000, 7 * 24 * 3_600_000),
        dashboardUrl: {
          oneOf: [{ type: 'null' }, { type: 'string', pattern: '^https?://', maxLength: 500 }],
        },
      },
    },
  },
} as const;

export interface FieldError {
  /** JSON pointer of the field, e.g. `/alerts/memory/warningPercent`, for the message next to it. */
  readonly path: string;
  readonly message: string;
}

export type Validated =
  | { readonly ok: true; readonly settings: Settings }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

const validate = new Ajv({ allErrors: true, strict: true }).compile(SETTINGS_SCHEMA);

function describe(error: ErrorObject): FieldError {
  const path = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    return { path, message: `unknown setting "${String(error.params['additionalProperty'])}"` };
  }
  return { path, message: error.message ?? 'is not valid' };
}

/** Why a pattern is not a regular expression, or null when it is one. */
function regexProblem(pattern: string): string | null {
  try {
    new RegExp(pattern);
    return null;
  } catch (error) {
    return `is not a regular expression: ${(error as Error).message}`;
  }
}

/** Rules that one field cannot express alone: a critical line under its warning line. */
function crossFieldErrors(settings: Settings): FieldError[] {
  const errors: FieldError[] = [];
  for (const name of ['memory', 'cpu', 'stack'] as const) {
    const level = settings.alerts[name];
    if (level.criticalPercent < level.warningPercent) {
      errors.push({
        path: `/alerts/${name}/criticalPercent`,
        message: t('settings:errors.belowWarning'),
      });
    }
  }
  if (settings.intervals.trayMs < settings.intervals.fastMs) {
    errors.push({ path: '/intervals/trayMs', message: t('settings:errors.shorterThanWindow') });
  }
  (settings.logPatterns ?? []).forEach((p, i) => {
    const problem = regexProblem(p.pattern);
    if (problem !== null) errors.push({ path: `/logPatterns/${i}/pattern`, message: problem });
  });
  const channels = settings.channels?.list ?? [];
  channels.forEach((c, i) => {
    if (channels.findIndex((other) => other.name === c.name) !== i)
      errors.push({ path: `/channels/list/${i}/name`, message: `another channel is named "${c.name}"` });
    if ((c.kind === 'email') !== (c.smtp !== undefined))
      errors.push({
        path: `/channels/list/${i}/smtp`,
        message: 'an e-mail channel, and only one, has SMTP settings',
      });
  });
  return errors;
}

export function validateSettings(value: unknown): Validated {
  if (!validate(value)) return { ok: false, errors: (validate.errors ?? []).map(describe) };
  const settings = value as unknown as Settings;
  const errors = crossFieldErrors(settings);
  return errors.length === 0 ? { ok: true, settings } : { ok: false, errors };
}

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};
export type SettingsPatch = DeepPartial<Settings>;

function merge(base: unknown, patch: unknown): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return patch;
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    out[key] = value === undefined ? out[key] : merge(out[key], value);
  }
  return out;
}

/** Applies a change from a form or an IPC call; the result is whole and valid, or the errors say why not. */
export function applySettingsPatch(current: Settings, patch: unknown): Validated {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return { ok: false, errors: [{ path: '/', message: 'must be an object' }] };
  }
  return validateSettings(merge(current, patch));
}
