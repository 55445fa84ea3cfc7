/**
 * What every channel is: given a message, its settings and its secrets, one attempt to deliver,
 * answering what became of it and what the receiver said. HTTP channels only say how to build
 * the request and how to read a robot's answer; `httpChannel` does the sending.
 */
import type { ChannelKind, ChannelSetting } from '../../settings/schema.ts';
import { post, type HttpAnswer, type HttpLimits } from '../http.ts';
import type { OutgoingMessage } from '../message.ts';
import { answerText, httpOutcome, noAnswer, type Attempt, type Outcome } from '../outcome.ts';
import type { SecretsByKind } from '../secrets.ts';

export interface DeliveryContext extends HttpLimits {
  /** When the attempt starts: DingTalk's and Feishu's signatures are only good for an hour around it. */
  readonly now: number;
}

/** Per kind, each secret it takes and whether it must be there, derived from SecretsByKind. */
export type SecretSpec<K extends ChannelKind> = {
  readonly [F in keyof SecretsByKind[K]]-?: undefined extends SecretsByKind[K][F] ? 'optional' : 'required';
};

export interface ChannelModule<K extends ChannelKind> {
  readonly kind: K;
  readonly secrets: SecretSpec<K>;
  /** Never rejects: a failure is an outcome. */
  deliver(
    message: OutgoingMessage,
    channel: ChannelSetting,
    secrets: SecretsByKind[K],
    ctx: DeliveryContext,
  ): Promise<Attempt>;
}

export interface HttpRequestSpec {
  readonly url: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HttpChannelSpec<K extends ChannelKind> {
  readonly kind: K;
  readonly secrets: SecretSpec<K>;
  request(
    message: OutgoingMessage,
    channel: ChannelSetting,
    secrets: SecretsByKind[K],
    now: number,
  ): HttpRequestSpec;
  /** A 2xx answer's body, for robots that say "no" inside a 200; null when it says nothing clear. */
  judge?(answer: HttpAnswer): Outcome | null;
}

const USER_AGENT = 'dify-monitor';

export function httpChannel<K extends ChannelKind>(spec: HttpChannelSpec<K>): ChannelModule<K> {
  return {
    kind: spec.kind,
    secrets: spec.secrets,
    async deliver(message, channel, secrets, ctx) {
      const request = spec.request(message, channel, secrets, ctx.now);
      const headers = {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': USER_AGENT,
        ...request.headers,
      };
      let answer: HttpAnswer;
      try {
        answer = await post(request.url, request.body, headers, ctx);
      } catch (error) {
        const outcome = noAnswer(error);
        return { outcome, answer: outcome.kind === 'retry' ? outcome.why : '' };
      }
      const ok = answer.status >= 200 && answer.status < 300;
      const outcome = (ok ? spec.judge?.(answer) : null) ?? httpOutcome(answer, ctx.now);
      return { outcome, answer: answerText(answer) };
    },
  };
}

/**
 * The Chinese chat robots answer HTTP 200 with a code in the body: 0 is delivered, a few codes
 * mean "too fast" and are worth another try, any other is refused for good.
 */
export function robotJudge(
  field: 'errcode' | 'code',
  retryCodes: readonly number[],
): (answer: HttpAnswer) => Outcome | null {
  return (answer) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      return null;
    }
    const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    const code = record[field];
    if (typeof code !== 'number') return null;
    if (code === 0) return { kind: 'delivered' };
    const said = record['errmsg'] ?? record['msg'];
    const why = `${field} ${code}${typeof said === 'string' ? `: ${said}` : ''}`;
    return retryCodes.includes(code) ? { kind: 'retry', why, afterMs: null } : { kind: 'rejected', why };
  };
}

/** A robot whose security settings name a keyword drops any message without it. */
export function withKeyword(text: string, keyword: string | undefined): string {
  return keyword === undefined || text.includes(keyword) ? text : `${text}\n\n${keyword}`;
}
