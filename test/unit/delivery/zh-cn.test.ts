import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deliverTo, secretsFor } from '../../../src/delivery/channels/index.ts';
import type { DeliveryContext } from '../../../src/delivery/channels/module.ts';
import { testMessage, type OutgoingMessage } from '../../../src/delivery/message.ts';
import type { Attempt } from '../../../src/delivery/outcome.ts';
import { render } from '../../../src/delivery/text.ts';
import { setLanguage } from '../../../src/i18n/index.ts';
import { makeTestPki } from '../../helpers/certs.ts';
import { englishLeft, hasChinese, UNIT_AND_PRODUCT_WORDS } from '../../helpers/chinese.ts';
import { startVendorReceiver, VENDORS, type Vendor } from '../../helpers/receivers.ts';
import { startSmtpServer } from '../../helpers/smtp.ts';
import { channelOf, lineOf, messageOf, T0 } from './fixtures.ts';

const ctx = (): DeliveryContext => ({ now: Date.now(), timeoutMs: 5000, maxAnswerBytes: 64 * 1024 });
const NAMES = ['dify-worker-1', 'dify-api-1', 'worker', 'api', 'prod', 'dify', 'ops'];
const LINK = 'https://monitor.example.com/';

const MESSAGES: Readonly<Record<string, OutgoingMessage>> = {
  firing: messageOf({
    alerts: [
      ...messageOf().alerts,
      lineOf({
        rule: 'log-signature',
        severity: 'critical',
        name: 'dify-api-1',
        role: 'api',
        key: 'prod/dify/api/1',
        message: 'gunicorn killed a worker in dify-api-1: "Worker (pid:35) was sent SIGKILL!"',
        logLine: { text: 'Worker (pid:35) was sent SIGKILL!' },
      }),
    ],
  }),
  resolved: messageOf({ status: 'resolved', endedAt: T0 + 25 * 60_000 }),
  test: testMessage('ops', 'prod', T0, LINK),
};

/** The words a person reads in each vendor's body; field names, kinds and links are not. */
const HUMAN: Readonly<Record<Vendor, (body: Record<string, unknown>) => string[]>> = {
  webhook: (b) => [String(b['title']), String(b['text'])],
  slack: (b) => [String(b['text'])],
  dingtalk: (b) => {
    const md = b['markdown'] as { title: string; text: string };
    return [md.title, md.text];
  },
  feishu: (b) => {
    const post = (b['content'] as { post: { zh_cn: { title: string; content: { text: string }[][] } } }).post
      .zh_cn;
    return [post.title, ...post.content.flat().map((c) => c.text)];
  },
  wecom: (b) => [(b['markdown'] as { content: string }).content],
  ntfy: (b) => [String(b['title']), String(b['message'])],
};

function assertChinese(kind: string, parts: readonly string[]): void {
  const text = parts.join('\n').replaceAll(LINK, ' ');
  assert.ok(hasChinese(text), `${kind}: ${text}`);
  // The log line is the container's own words, quoted; `font color` and `warning` are WeCom's markup.
  const names = [
    ...NAMES,
    'Worker (pid:35) was sent SIGKILL!',
    '<font color="warning">',
    '<font color="info">',
    '</font>',
  ];
  assert.deepEqual(englishLeft(text, names, UNIT_AND_PRODUCT_WORDS), [], `${kind}: ${text}`);
}

describe('channel messages in Simplified Chinese', () => {
  before(() => setLanguage('zh-CN'));
  after(() => setLanguage('en'));

  it('render: the title and every line are Chinese for a firing, a resolved and a test message', () => {
    for (const [status, m] of Object.entries(MESSAGES)) {
      const r = render(m, () => '2026-11-24 14:03 +08:00');
      assertChinese(status, [r.title, ...r.lines]);
    }
    const firing = render(MESSAGES['firing'] as OutgoingMessage, () => '2026-11-24 14:03 +08:00');
    assert.equal(firing.title, '🔴 dify：已被 OOM 终止 dify-worker-1（worker），另有 1 项');
    assert.deepEqual(firing.lines, [
      '[严重] dify-worker-1 因内存耗尽已被 OOM 终止',
      '[警告] dify-worker-1 内存持续上涨：约 8分钟后达到上限 2.0 GiB',
      '[严重] dify-api-1 日志：“Worker (pid:35) was sent SIGKILL!”',
      '主机 prod 上的堆栈 dify · 自 2026-11-24 14:03 +08:00 起',
    ]);
  });

  for (const vendor of VENDORS) {
    it(`${vendor}: the receiver gets the message in Chinese, and accepts it`, async (t) => {
      const robot = vendor === 'dingtalk' ? { keyword: '告警' } : {};
      const receiver = await startVendorReceiver(vendor, robot);
      t.after(() => receiver.close());
      const secrets = secretsFor(vendor, { url: receiver.url });
      assert.ok(secrets.ok);
      const channel = channelOf({ kind: vendor, ...(vendor === 'dingtalk' ? { keyword: '告警' } : {}) });
      for (const [status, m] of Object.entries(MESSAGES)) {
        const attempt: Attempt = await deliverTo(vendor, m, channel, secrets.secrets, ctx());
        assert.deepEqual(attempt.outcome, { kind: 'delivered' }, `${vendor} ${status}`);
        const got = receiver.received.at(-1);
        assert.deepEqual(got?.problems, [], `${vendor} ${status}`);
        assertChinese(`${vendor} ${status}`, HUMAN[vendor](got?.body ?? {}));
      }
      if (vendor === 'webhook') {
        // The JSON's field names and the alerts' own fields are the schema's, in any language.
        const body = receiver.received.at(-1)?.body ?? {};
        assert.equal(body['status'], 'test');
      }
    });
  }

  it('email: subject and body in Chinese, through a real SMTP server', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'dm-zh-mail-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const pki = await makeTestPki(join(dir, 'pki'));
    const smtp = await startSmtpServer({ pki, user: 'alerts', password: 'planted-zh-password' });
    t.after(() => smtp.close());
    const channel = channelOf({
      kind: 'email',
      smtp: {
        host: '127.0.0.1',
        port: smtp.port,
        security: 'starttls',
        user: 'alerts',
        from: 'monitor@example.com',
        to: ['oncall@example.com'],
      },
    });
    const attempt = await deliverTo(
      'email',
      MESSAGES['firing'] as OutgoingMessage,
      channel,
      {
        password: 'planted-zh-password',
      },
      { ...ctx(), ca: [readFileSync(pki.ca, 'utf8')] },
    );
    assert.deepEqual(attempt.outcome, { kind: 'delivered' });
    const mail = decodeMail(smtp.mails.at(-1)?.raw ?? '');
    assert.match(mail.subject, /^🔴 dify：已被 OOM 终止/);
    assert.match(mail.body, /仪表盘：https:\/\/monitor\.example\.com\//);
    assertChinese('email', [mail.subject, mail.body]);
  });
});

/** The Subject (RFC 2047 words) and the text body (quoted-printable or base64) of a single-part mail. */
function decodeMail(raw: string): { subject: string; body: string } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const subject = (/^Subject: (.*)$/im.exec(unfolded)?.[1] ?? '').replace(
    /=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi,
    (_all, how: string, text: string) =>
      how.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : qp(text.replaceAll('_', ' ')),
  );
  const encoding = /^Content-Transfer-Encoding: (\S+)/im.exec(unfolded)?.[1]?.toLowerCase();
  const text = rest.join('\n\n');
  const body =
    encoding === 'base64'
      ? Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? qp(text.replace(/=\r?\n/g, ''))
        : text;
  return { subject, body };
}

function qp(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i] ?? '', 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}
