/**
 * What became of one attempt: delivered, refused for good (a 4xx other than 429: retrying would
 * be refused again, and the channel shows why), or worth another try (no answer, 5xx, 429, a
 * robot's "too fast" code), after a delay the receiver may name with Retry-After.
 */
import type { HttpAnswer } from './http.ts';

export type Outcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'rejected'; readonly why: string }
  | { readonly kind: 'retry'; readonly why: string; readonly afterMs: number | null };

/** An outcome and the receiver's exact answer, which `channels test` prints as it came. */
export interface Attempt {
  readonly outcome: Outcome;
  readonly answer: string;
}

/** A receiver asking for a day's pause is asked again within the hour: alerts must not wait that long. */
const MAX_RETRY_AFTER_MS = 3_600_000;
const SNIPPET = 200;

export const DELIVERED: Outcome = { kind: 'delivered' };

/** `Retry-After` in seconds or as an HTTP date (RFC 9110 §10.2.3), as a delay from `now`. */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return null;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return null;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

function snippet(answer: HttpAnswer): string {
  const text = answer.body.replace(/\s+/g, ' ').trim();
  return text.length > SNIPPET ? `${text.slice(0, SNIPPET)}…` : text;
}

export function statusWords(answer: HttpAnswer): string {
  const said = snippet(answer);
  return `HTTP ${answer.status}${answer.statusText === '' ? '' : ` ${answer.statusText}`}${said === '' ? '' : `: ${said}`}`;
}

/** The answer as `channels test` prints it: the status line, then the body as the receiver sent it. */
export function answerText(answer: HttpAnswer): string {
  const cut = answer.truncated ? `\n(the rest of the answer was not read)` : '';
  return `HTTP ${answer.status} ${answer.statusText}\n${answer.body}${cut}`;
}

/** By status alone; a robot that says "no" inside a 200 is judged by its channel module first. */
export function httpOutcome(answer: HttpAnswer, now: number): Outcome {
  const { status } = answer;
  if (status >= 200 && status < 300) return DELIVERED;
  if (status === 429) {
    return {
      kind: 'retry',
      why: statusWords(answer),
      afterMs: retryAfterMs(answer.headers['retry-after'], now),
    };
  }
  if (status >= 500 || status === 408) return { kind: 'retry', why: statusWords(answer), afterMs: null };
  if (status >= 300 && status < 400) {
    return {
      kind: 'rejected',
      why: `${statusWords(answer)} (redirects are not followed: use the address it names)`,
    };
  }
  return { kind: 'rejected', why: statusWords(answer) };
}

export function noAnswer(error: unknown): Outcome {
  return { kind: 'retry', why: `no answer: ${(error as Error).message}`, afterMs: null };
}
