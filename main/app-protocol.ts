/**
 * `app://dify-monitor/…`: the window's only origin. It serves the built renderer files and
 * nothing else (no path outside the folder, no other host, only GET), every response with the
 * strict CSP. A custom protocol instead of `file://` gives the page a real origin to check IPC
 * senders against and keeps it away from every other file on the disk.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { CustomScheme } from 'electron';

export const APP_SCHEME = 'app';
const APP_HOST = 'dify-monitor';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Same as the web bridge's, minus the network: in Electron the page talks only through the preload. */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** `standard` for relative URLs and an origin, `secure` so the page is a secure context. Nothing more. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true },
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** The file an app:// URL names inside `root`, or null for anything that would leave it. */
export function resolveAppPath(root: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '/') pathname = '/index.html';
  const base = resolve(root);
  const file = resolve(base, `.${pathname}`);
  if (!file.startsWith(base + sep)) return null;
  return extname(file) in TYPES ? file : null;
}

function respond(status: number, body: BodyInit | null, type = 'text/plain; charset=utf-8'): Response {
  return new Response(body, {
    status,
    headers: {
      'Content-Type': type,
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    },
  });
}

export interface AppHandlerOptions {
  /** The built renderer folder (index.html, app.js, styles.css). */
  readonly root: string;
  readonly read?: (path: string) => Promise<Uint8Array<ArrayBuffer>>;
}

/** The `protocol.handle` handler. */
export function appProtocolHandler(options: AppHandlerOptions): (request: Request) => Promise<Response> {
  const read = options.read ?? ((path: string) => readFile(path) as Promise<Uint8Array<ArrayBuffer>>);
  return async (request) => {
    if (request.method !== 'GET') return respond(405, 'Only GET');
    const file = resolveAppPath(options.root, request.url);
    if (file === null) return respond(403, 'Not part of the app');
    try {
      return respond(200, await read(file), TYPES[extname(file)]);
    } catch {
      return respond(404, 'Not found');
    }
  };
}
