/**
 * E-mail over SMTP through nodemailer: STARTTLS on the submission port (required, never
 * skipped when the server does not offer it) or TLS from the first byte, with a login when the
 * channel names a user. A 5xx reply is the server's final word and is not retried; a 4xx or no
 * answer is tried again. The whole exchange has one deadline, like the HTTP channels.
 * https://nodemailer.com/smtp/
 */
import { rootCertificates } from 'node:tls';
import type { ChannelSetting } from '../../settings/schema.ts';
import { DELIVERED, type Attempt } from '../outcome.ts';
import { plainText, render } from '../text.ts';
import type { ChannelModule, DeliveryContext } from './module.ts';

interface SmtpError {
  readonly message: string;
  readonly code?: string;
  readonly responseCode?: number;
  readonly response?: string;
}

/** Loaded at the first e-mail: a monitor without an e-mail channel does not carry nodemailer. */
async function transportFor(
  smtp: NonNullable<ChannelSetting['smtp']>,
  password: string | undefined,
  ctx: DeliveryContext,
) {
  const { default: nodemailer } = await import('nodemailer');
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ...(smtp.user === undefined ? {} : { auth: { user: smtp.user, pass: password ?? '' } }),
    connectionTimeout: ctx.timeoutMs,
    greetingTimeout: ctx.timeoutMs,
    socketTimeout: ctx.timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
    ...(ctx.ca === undefined ? {} : { tls: { ca: [...rootCertificates, ...ctx.ca] } }),
  });
}

function failed(error: SmtpError): Attempt {
  const answer = error.response ?? error.message;
  const code = error.responseCode;
  if (code !== undefined && code >= 500 && code < 600)
    return { outcome: { kind: 'rejected', why: answer }, answer };
  return { outcome: { kind: 'retry', why: `no delivery: ${answer}`, afterMs: null }, answer };
}

export const email: ChannelModule<'email'> = {
  kind: 'email',
  secrets: { password: 'optional' },
  async deliver(message, channel, secrets, ctx) {
    const smtp = channel.smtp;
    if (smtp === undefined) {
      const why = 'the channel has no SMTP settings; add it again with dify-monitor channels add';
      return { outcome: { kind: 'rejected', why }, answer: why };
    }
    const transport = await transportFor(smtp, secrets.password, ctx);
    const r = render(message);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no complete answer within ${ctx.timeoutMs / 1000} s`)),
        ctx.timeoutMs,
      );
    });
    try {
      const sent = transport.sendMail({
        from: smtp.from,
        to: [...smtp.to],
        subject: r.title,
        text: plainText(r),
      });
      const info = await Promise.race([sent, deadline]);
      return { outcome: DELIVERED, answer: info.response };
    } catch (error) {
      return failed(error as SmtpError);
    } finally {
      clearTimeout(timer);
      transport.close();
    }
  },
};
