/**
 * The generic webhook: our own JSON, documented and versioned in docs/webhook.md (schema in
 * docs/webhook-v1.schema.json). A receiver can tell a repeat by `id` (also the Idempotency-Key
 * header), and can check `X-Dify-Monitor-Signature` when the channel has a secret.
 */
import type { OutgoingMessage } from '../message.ts';
import { bodySignature } from '../sign.ts';
import { plainText, render } from '../text.ts';
import { httpChannel } from './module.ts';

export const WEBHOOK_VERSION = 1;

const iso = (ts: number | null): string | null => (ts === null ? null : new Date(ts).toISOString());

export function webhookPayload(m: OutgoingMessage): Record<string, unknown> {
  const rendered = render(m);
  return {
    version: WEBHOOK_VERSION,
    id: m.id,
    channel: m.channel,
    seq: m.seq,
    incident: m.incident,
    status: m.status,
    severity: m.severity,
    title: rendered.title,
    text: plainText(rendered),
    host: m.host,
    stack: m.stack,
    startedAt: iso(m.startedAt),
    endedAt: iso(m.endedAt),
    sentAt: iso(m.createdAt),
    dashboardUrl: m.dashboardUrl,
    // `logLine` is only for rendering the text; `message` already quotes the line.
    alerts: m.alerts.map(({ logLine: _line, ...a }) => ({ ...a, ts: iso(a.ts) })),
  };
}

export const webhook = httpChannel({
  kind: 'webhook',
  secrets: { url: 'required', secret: 'optional' },
  request(message, _channel, secrets) {
    const body = JSON.stringify(webhookPayload(message));
    return {
      url: secrets.url,
      body,
      headers: {
        'idempotency-key': message.id,
        ...(secrets.secret === undefined
          ? {}
          : { 'x-dify-monitor-signature': bodySignature(secrets.secret, body) }),
      },
    };
  },
});
