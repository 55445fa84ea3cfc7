import { randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_COOKIE = 'dify_monitor_token';

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
