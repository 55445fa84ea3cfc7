/**
 * The two chat robots that sign their webhooks, each exactly as its documentation gives it. Both
 * use HMAC-SHA256 and base64 but differ in what is the key and what is signed, which is the one
 * thing most often got wrong (a DingTalk signature sent to Feishu fails with code 19021).
 */
import { createHmac } from 'node:crypto';

/**
 * DingTalk: key = the secret, message = `timestamp + "\n" + secret` (timestamp in ms), base64,
 * then URL-encoded, appended to the webhook as `&timestamp=…&sign=…`.
 * https://open.dingtalk.com/document/robots/customize-robot-security-settings
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
  return encodeURIComponent(digest);
}

/**
 * Feishu/Lark: key = `timestamp + "\n" + secret` (timestamp in seconds), message = empty, base64;
 * sent in the JSON body as `timestamp` (a string) and `sign`.
 * https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
 */
export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** The generic webhook's optional signature: `sha256=<hex>` of the body, as GitHub's webhooks do it. */
export function bodySignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
