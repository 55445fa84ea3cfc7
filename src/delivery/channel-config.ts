/**
 * A channel as `dify-monitor channels add` is asked for it, checked and split into what goes in
 * the settings (kind, filter, the masked target) and what goes in the owner-only secrets file.
 * Every refusal names the flag to fix.
 */
import { ALERT_RULES, type AlertRule } from '../alerts/types.ts';
import { HOST_NAME_PATTERN } from '../settings/host-name.ts';
import {
  CHANNEL_KINDS,
  CHANNEL_SEVERITIES,
  SMTP_SECURITY,
  type ChannelKind,
  type ChannelSetting,
  type SmtpSetting,
} from '../settings/schema.ts';
import { secretSpec } from './channels/index.ts';
import { splitTopicUrl } from './channels/ntfy.ts';
import { emailTarget, maskedTarget, SECRET_FIELDS, type StoredSecrets } from './secrets.ts';

export interface AddChannelRequest {
  readonly name: string;
  readonly kind: string;
  readonly secrets: StoredSecrets;
  readonly keyword?: string;
  readonly smtp?: {
    readonly host?: string;
    readonly port?: number;
    readonly security?: string;
    readonly user?: string;
    readonly from?: string;
    readonly to?: readonly string[];
  };
  readonly minSeverity?: string;
  readonly stacks?: readonly string[];
  readonly rules?: readonly string[];
  readonly enabled?: boolean;
}

export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const KEYWORD_KINDS: readonly ChannelKind[] = ['dingtalk', 'feishu'];
const DEFAULT_PORT = { starttls: 587, tls: 465 } as const;

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

/** A receiver's address: http or https, nothing else; never echoed back, since it may hold a token. */
export function checkWebhookUrl(url: string, kind: ChannelKind = 'webhook'): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the URL is not a URL (expected http:// or https://…)';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return 'the URL must start with https:// or http://';
  if (/\s/.test(url)) return 'the URL has spaces in it';
  if (kind === 'ntfy' && splitTopicUrl(url).topic === '')
    return 'an ntfy URL names its topic: https://ntfy.sh/<topic>';
  return null;
}

function kindOf(kind: string): ChannelKind | null {
  return (CHANNEL_KINDS as readonly string[]).includes(kind) ? (kind as ChannelKind) : null;
}

function checkSecrets(kind: ChannelKind, given: StoredSecrets): string | null {
  const spec = secretSpec(kind);
  for (const field of SECRET_FIELDS) {
    const need = spec[field];
    const value = given[field];
    if (need === undefined && value !== undefined) return `a ${kind} channel takes no --${field}`;
    if (need === 'required' && (value === undefined || value === ''))
      return `a ${kind} channel needs --${field}`;
  }
  return given.url === undefined ? null : checkWebhookUrl(given.url, kind);
}

function checkSmtp(r: AddChannelRequest): Checked<SmtpSetting> {
  const smtp = r.smtp ?? {};
  if (smtp.host === undefined) return fail('an e-mail channel needs --smtp-host');
  if (smtp.from === undefined) return fail('an e-mail channel needs --from');
  if (smtp.to === undefined || smtp.to.length === 0)
    return fail('an e-mail channel needs --to (one or more)');
  const security = smtp.security ?? 'starttls';
  if (security !== 'starttls' && security !== 'tls')
    return fail(`--security is one of ${SMTP_SECURITY.join(', ')}`);
  if (r.secrets.password !== undefined && smtp.user === undefined) return fail('--password needs --user');
  return {
    ok: true,
    value: {
      host: smtp.host,
      port: smtp.port ?? DEFAULT_PORT[security],
      security,
      ...(smtp.user === undefined ? {} : { user: smtp.user }),
      from: smtp.from,
      to: [...smtp.to],
    },
  };
}

function checkFilter(
  r: AddChannelRequest,
): Checked<Pick<ChannelSetting, 'minSeverity' | 'stacks' | 'rules'>> {
  const minSeverity = r.minSeverity ?? 'warning';
  if (minSeverity !== 'warning' && minSeverity !== 'critical')
    return fail(`--min-severity is one of ${CHANNEL_SEVERITIES.join(', ')}`);
  const unknown = (r.rules ?? []).find((rule) => !(ALERT_RULES as readonly string[]).includes(rule));
  if (unknown !== undefined)
    return fail(`--rule ${unknown} is not a rule; the rules are ${ALERT_RULES.join(', ')}`);
  return {
    ok: true,
    value: { minSeverity, stacks: [...(r.stacks ?? [])], rules: [...new Set(r.rules ?? [])] as AlertRule[] },
  };
}

/** The channel's settings and its secrets, or what is wrong with the request. */
export function channelFromRequest(
  r: AddChannelRequest,
): Checked<{ readonly setting: ChannelSetting; readonly secrets: StoredSecrets }> {
  if (!new RegExp(HOST_NAME_PATTERN).test(r.name) || r.name.length > 64)
    return fail(`"${r.name}" cannot name a channel: use letters, digits, ".", "-" and "_"`);
  const kind = kindOf(r.kind);
  if (kind === null) return fail(`--kind is one of ${CHANNEL_KINDS.join(', ')}`);
  const secretsProblem = checkSecrets(kind, r.secrets);
  if (secretsProblem !== null) return fail(secretsProblem);
  if (r.keyword !== undefined && !KEYWORD_KINDS.includes(kind))
    return fail(`a ${kind} channel takes no --keyword`);
  if (r.smtp !== undefined && kind !== 'email') return fail(`a ${kind} channel takes no SMTP settings`);
  const smtp = kind === 'email' ? checkSmtp(r) : null;
  if (smtp !== null && !smtp.ok) return smtp;
  const filter = checkFilter(r);
  if (!filter.ok) return filter;
  const target =
    smtp === null
      ? maskedTarget(r.secrets.url ?? '')
      : emailTarget(smtp.value.to, smtp.value.host, smtp.value.port);
  const setting: ChannelSetting = {
    name: r.name,
    kind,
    enabled: r.enabled ?? true,
    target,
    ...filter.value,
    ...(r.keyword === undefined ? {} : { keyword: r.keyword }),
    ...(smtp === null ? {} : { smtp: smtp.value }),
  };
  return { ok: true, value: { setting, secrets: r.secrets } };
}
