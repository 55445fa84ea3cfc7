import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deliverTo } from '../../src/delivery/channels/index.ts';
import type { DeliveryContext } from '../../src/delivery/channels/module.ts';
import type { SmtpSecurity } from '../../src/settings/schema.ts';
import { makeTestPki, type TestPki } from '../helpers/certs.ts';
import { startSmtpServer, type SmtpReceiver } from '../helpers/smtp.ts';
import { channelOf, messageOf } from '../unit/delivery/fixtures.ts';

const PASSWORD = 'planted-smtp-password-51e0';
/** The body as written, without quoted-printable's soft line breaks. */
const body = (raw: string): string => raw.replace(/=\r\n/g, '');
const dir = mkdtempSync(join(tmpdir(), 'dm-email-'));

describe('e-mail over a real SMTP server with TLS and a login', { timeout: 60_000 }, () => {
  let pki: TestPki;
  let ctx: DeliveryContext;
  const servers: SmtpReceiver[] = [];
  before(async () => {
    pki = await makeTestPki(join(dir, 'pki'));
    ctx = { now: Date.now(), timeoutMs: 10_000, maxAnswerBytes: 65_536, ca: [readFileSync(pki.ca, 'utf8')] };
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function server(
    options: { implicitTls?: boolean; noStartTls?: boolean } = {},
  ): Promise<SmtpReceiver> {
    const s = await startSmtpServer({ pki, user: 'alerts', password: PASSWORD, ...options });
    servers.push(s);
    return s;
  }

  function send(port: number, security: SmtpSecurity, password: string) {
    const channel = channelOf({
      kind: 'email',
      smtp: {
        host: '127.0.0.1',
        port,
        security,
        user: 'alerts',
        from: 'monitor@example.com',
        to: ['oncall@example.com'],
      },
    });
    return deliverTo('email', messageOf(), channel, { password }, ctx);
  }

  it('STARTTLS, then AUTH: delivered, the server’s own answer kept, the mail says what happened', async () => {
    const smtp = await server();
    const attempt = await send(smtp.port, 'starttls', PASSWORD);
    assert.deepEqual(attempt.outcome, { kind: 'delivered' });
    assert.match(attempt.answer, /^250 /);
    assert.equal(smtp.mails.length, 1);
    const [mail] = smtp.mails;
    assert.equal(mail?.secure, true, 'STARTTLS ran before the mail');
    assert.equal(mail?.user, 'alerts');
    assert.deepEqual(smtp.logins, [{ user: 'alerts', secure: true }], 'the password went only over TLS');
    assert.deepEqual(mail?.to, ['oncall@example.com']);
    assert.match(mail?.raw ?? '', /^Subject: /m);
    assert.match(body(mail?.raw ?? ''), /OOM-killed at 2\.0 of 2\.0 GiB/);
    assert.match(body(mail?.raw ?? ''), /Dashboard: https:\/\/monitor\.example\.com\//);
  });

  it('TLS from the first byte: delivered', async () => {
    const smtp = await server({ implicitTls: true });
    const attempt = await send(smtp.port, 'tls', PASSWORD);
    assert.deepEqual(attempt.outcome, { kind: 'delivered' });
    assert.equal(smtp.mails[0]?.secure, true);
  });

  it('a wrong password is the server’s final 535: refused, not retried', async () => {
    const smtp = await server();
    const attempt = await send(smtp.port, 'starttls', 'wrong-password');
    assert.equal(attempt.outcome.kind, 'rejected');
    assert.match(attempt.answer, /^535 /);
    assert.equal(smtp.mails.length, 0);
  });

  it('a server that refuses STARTTLS gets no password and no mail: its 5xx is final', async () => {
    const smtp = await server({ noStartTls: true });
    const attempt = await send(smtp.port, 'starttls', PASSWORD);
    assert.equal(attempt.outcome.kind, 'rejected');
    assert.match(attempt.answer, /^5\d\d /);
    assert.deepEqual(smtp.logins, []);
    assert.equal(smtp.mails.length, 0);
  });
});
