/**
 * A real SMTP server on loopback (the smtp-server package, from nodemailer's author): STARTTLS
 * or TLS with a certificate our test CA signed, AUTH PLAIN/LOGIN after TLS only, and every mail
 * it accepted kept with the session it came in.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { TestPki } from './certs.ts';

export interface ReceivedMail {
  readonly raw: string;
  readonly user: string | undefined;
  /** TLS was on when the mail came: STARTTLS had run, or the connection began with TLS. */
  readonly secure: boolean;
  readonly from: string | undefined;
  readonly to: readonly string[];
}

export interface SmtpReceiver {
  readonly port: number;
  readonly mails: ReceivedMail[];
  /** Logins tried, good or bad, and whether TLS was on then. */
  readonly logins: { readonly user: string; readonly secure: boolean }[];
  close(): Promise<void>;
}

export interface SmtpOptions {
  readonly pki: TestPki;
  readonly user: string;
  readonly password: string;
  /** TLS from the first byte instead of STARTTLS. */
  readonly implicitTls?: boolean;
  /** A server that does not offer STARTTLS: a client must not fall back to plain text. */
  readonly noStartTls?: boolean;
}

export async function startSmtpServer(options: SmtpOptions): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const logins: { user: string; secure: boolean }[] = [];
  const server = new SMTPServer({
    secure: options.implicitTls === true,
    key: readFileSync(options.pki.server.key),
    cert: readFileSync(options.pki.server.cert),
    ...(options.noStartTls === true ? { hideSTARTTLS: true, disabledCommands: ['STARTTLS'] } : {}),
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false,
    logger: false,
    onAuth(auth, session: SMTPServerSession, callback) {
      logins.push({ user: auth.username ?? '', secure: session.secure });
      if (auth.username === options.user && auth.password === options.password)
        callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString('utf8')));
      stream.on('end', () => {
        mails.push({
          raw,
          user: typeof session.user === 'string' ? session.user : undefined,
          secure: session.secure,
          from: session.envelope.mailFrom === false ? undefined : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    logins,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
