/**
 * Channel secrets: webhook URLs (their tokens are the credential), signing secrets, ntfy tokens and
 * SMTP passwords. They live in one owner-only file beside the settings, never in the settings, so
 * nothing that hands settings to a page, a log, an export or `/metrics` can carry them. A file
 * others can read is refused rather than trusted, as the token file is.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';

export const SECRET_FIELDS = ['url', 'secret', 'token', 'password'] as const;
export type SecretField = (typeof SECRET_FIELDS)[number];

/** What each kind keeps secret; a `?` field is optional for that kind. */
export interface SecretsByKind {
  readonly webhook: { readonly url: string; readonly secret?: string };
  readonly slack: { readonly url: string };
  readonly dingtalk: { readonly url: string; readonly secret?: string };
  readonly feishu: { readonly url: string; readonly secret?: string };
  readonly wecom: { readonly url: string };
  readonly ntfy: { readonly url: string; readonly token?: string };
  readonly email: { readonly password?: string };
}

/** One channel's secrets as the file holds them, before its kind says which it needs. */
export type StoredSecrets = Partial<Record<SecretField, string>>;

export type SecretsFile = Readonly<Record<string, StoredSecrets>>;

const FILE_NAME = 'channel-secrets.json';

export function secretsPathIn(dir: string): string {
  return join(dir, FILE_NAME);
}

export type ReadSecrets =
  { readonly ok: true; readonly secrets: SecretsFile } | { readonly ok: false; readonly error: string };

function parse(text: string, path: string): ReadSecrets {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      error: `The channel secrets file ${path} is not JSON (${(error as Error).message}).`,
    };
  }
  const channels = (value as { channels?: unknown } | null)?.channels;
  if (typeof channels !== 'object' || channels === null || Array.isArray(channels)) {
    return { ok: false, error: `The channel secrets file ${path} holds no "channels" object.` };
  }
  const out: Record<string, StoredSecrets> = {};
  for (const [name, entry] of Object.entries(channels as Record<string, unknown>)) {
    const stored: StoredSecrets = {};
    for (const field of SECRET_FIELDS) {
      const v = (entry as Record<string, unknown> | null)?.[field];
      if (typeof v === 'string') stored[field] = v;
    }
    out[name] = stored;
  }
  return { ok: true, secrets: out };
}

/** The file's secrets; none when it does not exist yet. */
export function readSecretsFile(path: string): ReadSecrets {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, secrets: {} };
    return { ok: false, error: `Cannot read the channel secrets file ${path}: ${(error as Error).message}` };
  }
  try {
    const mode = fstatSync(fd).mode;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      return {
        ok: false,
        error: `The channel secrets file ${path} can be read by others (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it.`,
      };
    }
    return parse(readFileSync(fd, 'utf8'), path);
  } finally {
    closeSync(fd);
  }
}

/** Replaces one channel's secrets (or removes them, with null); the file stays owner-only. */
export function saveChannelSecrets(path: string, name: string, secrets: StoredSecrets | null): string | null {
  const read = readSecretsFile(path);
  if (!read.ok) return read.error;
  const others = Object.entries(read.secrets).filter(([other]) => other !== name);
  const channels = Object.fromEntries(secrets === null ? others : [...others, [name, secrets]]);
  writeFileAtomic(path, `${JSON.stringify({ version: 1, channels }, null, 2)}\n`, 0o600);
  return null;
}

/**
 * The most of an address anything may show: the scheme and host, and the last four characters,
 * enough to tell two webhooks apart and nothing to post with: `https://oapi.dingtalk.com/…3f9a`.
 */
export function maskedTarget(url: string): string {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return '…';
  }
  return `${origin}/…${url.slice(-4)}`;
}

/** What a page shows of an e-mail channel: where the mail goes, never the password. */
export function emailTarget(to: readonly string[], host: string, port: number): string {
  return `${to.join(', ')} via ${host}:${port}`;
}
