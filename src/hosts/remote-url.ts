/**
 * The engine addresses a page may name: `tcp://host:port` and `ssh://user@host[:port]`, nothing
 * else. A page must never make this process open a file, a unix socket or run a command, so file
 * paths, sockets and anything shell-like are refused here; TLS files and sockets are added with
 * `dify-monitor hosts add`. Pure and browser-safe: the renderer uses it to answer as the user types,
 * in the page's language.
 */
import { t } from '../i18n/index.ts';

export type RemoteUrl =
  | { readonly ok: true; readonly url: string; readonly transport: 'tcp' | 'ssh' }
  | { readonly ok: false; readonly error: string };

const MAX_LENGTH = 300;
/** A DNS name or an IPv4 address; no leading dash, so it can never read as an option. */
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?$/;
const IPV6 = /^\[[0-9A-Fa-f:.]{2,45}\]$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}$/;
const PORT = /^[0-9]{1,5}$/;

function hostProblem(host: string): string | null {
  if (host === '') return t('hosts:noHost');
  return HOST_NAME.test(host) || IPV6.test(host) ? null : t('hosts:badHost', { host });
}

function portProblem(port: string): string | null {
  const n = Number(port);
  return PORT.test(port) && n >= 1 && n <= 65535 ? null : t('hosts:badPort', { port });
}

/** Splits `host:port`, `[v6]:port` or a bare host; port is null when absent. */
function splitHostPort(text: string): { host: string; port: string | null } {
  const v6 = /^(\[[^\]]*\])(?::(.*))?$/.exec(text);
  if (v6 !== null) return { host: v6[1] ?? '', port: v6[2] ?? null };
  const colon = text.lastIndexOf(':');
  return colon < 0 ? { host: text, port: null } : { host: text.slice(0, colon), port: text.slice(colon + 1) };
}

export function checkRemoteUrl(value: unknown): RemoteUrl {
  const bad = (error: string): RemoteUrl => ({ ok: false, error });
  if (typeof value !== 'string') return bad(t('hosts:notText'));
  const text = value.trim();
  if (text === '') return bad(t('hosts:empty'));
  if (text.length > MAX_LENGTH) return bad(t('hosts:tooLong', { max: MAX_LENGTH }));
  if (/[\s\p{Cc}]/u.test(text)) return bad(t('hosts:spaces'));
  if (text.startsWith('/') || text.startsWith('.') || text.startsWith('~') || text.startsWith('file:'))
    return bad(t('hosts:filePath', { hint: t('hosts:cliHint') }));
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'unix' || scheme === 'npipe')
    return bad(t('hosts:socket', { scheme, hint: t('hosts:cliHint') }));
  if (scheme !== 'tcp' && scheme !== 'ssh') return bad(t('hosts:scheme'));
  if (/[;|&$`'"<>(){}\\*?!#%^,=+]/.test(text)) return bad(t('hosts:characters'));
  const rest = text.slice(scheme.length + 3).replace(/\/$/, '');
  if (rest.includes('/')) return bad(t('hosts:path'));
  if (scheme === 'tcp') {
    if (rest.includes('@')) return bad(t('hosts:tcpUser'));
    const { host, port } = splitHostPort(rest);
    if (port === null) return bad(t('hosts:tcpPort'));
    const problem = hostProblem(host) ?? portProblem(port);
    return problem === null ? { ok: true, url: `tcp://${host}:${port}`, transport: 'tcp' } : bad(problem);
  }
  const at = rest.indexOf('@');
  if (at < 0) return bad(t('hosts:sshUser'));
  const user = rest.slice(0, at);
  if (!USER.test(user)) return bad(t('hosts:badUser', { user }));
  const { host, port } = splitHostPort(rest.slice(at + 1));
  const problem = hostProblem(host) ?? (port === null ? null : portProblem(port));
  if (problem !== null) return bad(problem);
  return { ok: true, url: `ssh://${user}@${host}${port === null ? '' : `:${port}`}`, transport: 'ssh' };
}
