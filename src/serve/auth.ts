import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export const TOKEN_COOKIE = 'dify_monitor_token';

/** True for an address only this machine can reach. */
export function isLoopback(bind: string): boolean {
  const address = bind.replace(/^\[|\]$/g, '');
  if (address === 'localhost') return true;
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1';
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}

export interface Credentials {
  readonly authorization: string | undefined;
  readonly cookie: string | undefined;
  readonly queryToken: string | null;
}

/** How the request proved it knows the token, or null when it did not. */
export function authenticate(token: string, given: Credentials): 'header' | 'cookie' | 'query' | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(given.authorization ?? '')?.[1];
  if (bearer !== undefined && sameToken(bearer, token)) return 'header';
  const cookie = cookieValue(given.cookie, TOKEN_COOKIE);
  if (cookie !== null && sameToken(cookie, token)) return 'cookie';
  if (given.queryToken !== null && sameToken(given.queryToken, token)) return 'query';
  return null;
}

/**
 * On a loopback bind there is no token, so a page from another site could reach the server by
 * rebinding its own name to 127.0.0.1; only Host headers naming this machine are accepted.
 */
export function loopbackHostAllowed(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  const name = hostHeader.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name);
}
