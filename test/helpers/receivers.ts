/**
 * Local stand-ins for the receivers alert channels post to. Each checks a request the way its
 * vendor documents it (path, query, body shape, signature, keyword, token) and answers the way
 * that vendor does, refusals included, so a test sees what the real service would say. Nothing
 * here shares code with src/delivery: the signatures are computed again from the vendors' docs.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';

export const VENDORS = ['webhook', 'slack', 'dingtalk', 'feishu', 'wecom', 'ntfy'] as const;
export type Vendor = (typeof VENDORS)[number];

export interface Received {
  readonly path: string;
  readonly query: URLSearchParams;
  /** The query string as sent, before any decoding. */
  readonly rawQuery: string;
  readonly headers: IncomingMessage['headers'];
  readonly raw: string;
  readonly body: Record<string, unknown>;
  /** What the vendor would have refused; empty when the request is as documented. */
  readonly problems: readonly string[];
}

export interface VendorOptions {
  /** DingTalk and Feishu: the signing secret the robot checks; the generic webhook's HMAC key. */
  readonly secret?: string;
  /** DingTalk and Feishu: the keyword the robot requires. */
  readonly keyword?: string;
  /** ntfy: the access token the topic requires. */
  readonly token?: string;
}

export interface VendorReceiver {
  /** The webhook address to configure, token included. */
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

type Answer = { readonly status: number; readonly body: string; readonly type?: string };
type Check = (r: Omit<Received, 'problems'>, o: VendorOptions) => string[];

const schema = JSON.parse(
  readFileSync(new URL('../../docs/webhook-v1.schema.json', import.meta.url), 'utf8'),
) as object;
const validateWebhook = new Ajv2020({ allErrors: true, validateFormats: false }).compile(schema);

const HOUR_MS = 3_600_000;
const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};

/** https://open.dingtalk.com/document/robots/customize-robot-security-settings */
function dingtalkSignOf(secret: string, timestamp: string): string {
  const hmac = createHmac('sha256', Buffer.from(secret, 'utf8'));
  return encodeURIComponent(hmac.update(Buffer.from(`${timestamp}\n${secret}`, 'utf8')).digest('base64'));
}

/** https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot */
function feishuSignOf(secret: string, timestamp: string): string {
  return createHmac('sha256', Buffer.from(`${timestamp}\n${secret}`, 'utf8'))
    .update(Buffer.alloc(0))
    .digest('base64');
}

const CHECKS: Readonly<Record<Vendor, Check>> = {
  webhook(r, o) {
    const problems = validateWebhook(r.body)
      ? []
      : (validateWebhook.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    if (r.headers['idempotency-key'] !== r.body['id']) problems.push('Idempotency-Key is not the message id');
    if (o.secret !== undefined) {
      const expected = `sha256=${createHmac('sha256', o.secret).update(r.raw).digest('hex')}`;
      if (r.headers['x-dify-monitor-signature'] !== expected) problems.push('bad X-Dify-Monitor-Signature');
    }
    return problems;
  },
  slack: (r) => (text(r.body['text']) ? [] : ['no text']),
  dingtalk(r, o) {
    const problems: string[] = [];
    if (r.path !== '/robot/send' || !text(r.query.get('access_token')))
      problems.push('not /robot/send?access_token=');
    const markdown = record(r.body['markdown']);
    if (r.body['msgtype'] !== 'markdown' || !text(markdown['title']) || !text(markdown['text']))
      problems.push('not a markdown message');
    if (o.keyword !== undefined && !`${String(markdown['text'])}`.includes(o.keyword))
      problems.push('keywords not in content');
    if (o.secret !== undefined) {
      const ts = r.query.get('timestamp') ?? '';
      // The query string as sent: the sign must be URL-encoded once, so it is compared raw.
      const sign = /[?&]sign=([^&]*)/.exec(r.rawQuery)?.[1] ?? '';
      if (Math.abs(Date.now() - Number(ts)) > HOUR_MS) problems.push('timestamp not within an hour');
      if (sign !== dingtalkSignOf(o.secret, ts)) problems.push('sign not match');
    }
    return problems;
  },
  feishu(r, o) {
    const problems: string[] = [];
    if (!/^\/open-apis\/bot\/v2\/hook\/[^/]+$/.test(r.path)) problems.push('not /open-apis/bot/v2/hook/<id>');
    const post = record(record(record(r.body['content'])['post'])['zh_cn']);
    const lines = Array.isArray(post['content']) ? (post['content'] as unknown[]) : [];
    const tagsOk =
      lines.length > 0 && lines.every((l) => Array.isArray(l) && l.every((t) => text(record(t)['tag'])));
    if (r.body['msg_type'] !== 'post' || !text(post['title']) || !tagsOk) problems.push('not a post message');
    if (o.keyword !== undefined && !r.raw.includes(o.keyword)) problems.push('keywords not in content');
    if (o.secret !== undefined) {
      const ts = r.body['timestamp'];
      if (typeof ts !== 'string' || Math.abs(Date.now() / 1000 - Number(ts)) > 3600)
        problems.push('timestamp not within an hour');
      else if (r.body['sign'] !== feishuSignOf(o.secret, ts)) problems.push('sign match fail');
    }
    return problems;
  },
  wecom(r) {
    const problems: string[] = [];
    if (r.path !== '/cgi-bin/webhook/send' || !text(r.query.get('key')))
      problems.push('not /cgi-bin/webhook/send?key=');
    const content = record(r.body['markdown'])['content'];
    if (r.body['msgtype'] !== 'markdown' || !text(content)) problems.push('not a markdown message');
    else if (Buffer.byteLength(content) > 4096) problems.push('content exceeds 4096 bytes');
    return problems;
  },
  ntfy(r, o) {
    const problems: string[] = [];
    if (r.path !== '/') problems.push('JSON is published to the server root');
    if (r.body['topic'] !== 'dm-alerts' || !text(r.body['message']) || !text(r.body['title']))
      problems.push('no topic, title or message');
    const priority = r.body['priority'];
    if (typeof priority !== 'number' || priority < 1 || priority > 5) problems.push('priority not 1–5');
    if (o.token !== undefined && r.headers['authorization'] !== `Bearer ${o.token}`)
      problems.push('unauthorized');
    return problems;
  },
};

/** How each vendor says yes, and no. */
function answerOf(vendor: Vendor, problems: readonly string[]): Answer {
  const ok = problems.length === 0;
  const json = (body: object, status = 200): Answer => ({
    status,
    body: JSON.stringify(body),
    type: 'application/json',
  });
  switch (vendor) {
    case 'webhook':
      return ok ? json({ ok: true }) : json({ problems }, 400);
    case 'slack':
      return ok ? { status: 200, body: 'ok' } : { status: 400, body: 'invalid_payload' };
    case 'dingtalk':
      return json(ok ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: problems.join('; ') });
    case 'feishu':
      return json(
        ok ? { code: 0, msg: 'success', data: {} } : { code: 19021, msg: problems.join('; '), data: {} },
      );
    case 'wecom':
      return json(ok ? { errcode: 0, errmsg: 'ok' } : { errcode: 40058, errmsg: problems.join('; ') });
    case 'ntfy':
      return problems.includes('unauthorized')
        ? json({ code: 40101, http: 401, error: 'unauthorized' }, 401)
        : ok
          ? json({
              id: 'sPs71M8A2T',
              time: Math.floor(Date.now() / 1000),
              event: 'message',
              topic: 'dm-alerts',
            })
          : json({ code: 40001, http: 400, error: problems.join('; ') }, 400);
  }
}

/** Where each vendor's webhook lives, as its docs show it. */
const PATHS: Readonly<Record<Vendor, string>> = {
  webhook: '/hooks/dify-monitor',
  slack: '/services/T000/B000/slacktokenplanted',
  dingtalk: '/robot/send?access_token=dingtalktokenplanted',
  feishu: '/open-apis/bot/v2/hook/feishu-hook-planted',
  wecom: '/cgi-bin/webhook/send?key=wecom-key-planted',
  ntfy: '/dm-alerts',
};

function parsed(raw: string): Record<string, unknown> {
  try {
    return record(JSON.parse(raw));
  } catch {
    return {};
  }
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString('utf8')));
    req.on('end', () => resolve(raw));
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function startVendorReceiver(
  vendor: Vendor,
  options: VendorOptions = {},
): Promise<VendorReceiver> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void readAll(req).then((raw) => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      const body = parsed(raw);
      const base = {
        path: url.pathname,
        query: url.searchParams,
        rawQuery: url.search,
        headers: req.headers,
        raw,
        body,
      };
      const problems = req.method === 'POST' ? CHECKS[vendor](base, options) : ['not a POST'];
      received.push({ ...base, problems });
      const answer = answerOf(vendor, problems);
      res.writeHead(answer.status, { 'content-type': answer.type ?? 'text/plain' }).end(answer.body);
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}${PATHS[vendor]}`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
