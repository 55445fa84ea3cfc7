/**
 * The invoke half of DifyMonitorApi over HTTP to a running `dify-monitor serve`, for the CLI:
 * `POST /api/<channel>` with the token as a bearer header, never in the URL it sends.
 */
import type { DifyMonitorApi } from '../api.ts';

export interface ServeAddress {
  readonly base: string;
  readonly token: string | null;
}

/**
 * Reads `--url` (the address serve printed, with or without its `?token=`) and `--token`; the
 * flag wins over the token in the address.
 */
export function serveAddress(url: string, token: string | undefined): ServeAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--url ${url} is not an address; use the one serve printed, e.g. http://127.0.0.1:7878`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`--url must be http:// or https://, not ${parsed.protocol}`);
  }
  const fromUrl = parsed.searchParams.get('token');
  return { base: parsed.origin, token: token ?? fromUrl ?? null };
}

export function createHttpApi(address: ServeAddress, timeoutMs = 30_000): Pick<DifyMonitorApi, 'invoke'> {
  return {
    async invoke(channel, request) {
      let res: Response;
      try {
        res = await fetch(`${address.base}/api/${channel}`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            ...(address.token === null ? {} : { Authorization: `Bearer ${address.token}` }),
          },
          body: JSON.stringify(request ?? null),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
      } catch (error) {
        const why = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
        throw new Error(
          `no dify-monitor serve answered at ${address.base} (${why}); start one with dify-monitor serve`,
          { cause: error },
        );
      }
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(
          `${address.base} answered ${res.status} with something that is not JSON: is it dify-monitor serve?`,
        );
      }
      if (!res.ok) {
        const message =
          typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string'
            ? (body as { error: string }).error
            : `HTTP ${res.status}`;
        throw new Error(`${address.base}: ${message}`);
      }
      return body as never;
    },
  };
}
