import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface Pem {
  readonly cert: string;
  readonly key: string;
}

export interface TestPki {
  readonly dir: string;
  readonly ca: string;
  /** For 127.0.0.1 only, so that `localhost` is a wrong host name. */
  readonly server: Pem;
  readonly client: Pem;
  /** A second CA, and a client certificate it signed: valid, but not trusted by the engine. */
  readonly otherCa: string;
  readonly otherClient: Pem;
}

/** A fresh P-256 key, unencrypted: what `openssl req` makes beside each certificate. */
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function openssl(...args: string[]): Promise<void> {
  await exec('openssl', args);
}

async function newCa(dir: string, name: string): Promise<Pem> {
  const pem = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}-key.pem`) };
  await openssl(
    'req',
    '-x509',
    ...NEW_KEY,
    '-keyout',
    pem.key,
    '-out',
    pem.cert,
    '-days',
    '2',
    '-subj',
    `/CN=dify-monitor test ${name}`,
  );
  return pem;
}

async function issue(dir: string, name: string, ca: Pem, extensions: string): Promise<Pem> {
  const pem = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}-key.pem`) };
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  await openssl('req', ...NEW_KEY, '-keyout', pem.key, '-out', csr, '-subj', `/CN=${name}`);
  await openssl(
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-out',
    pem.cert,
    '-days',
    '2',
    '-extfile',
    ext,
  );
  return pem;
}

/** A CA, an engine certificate and client certificates made with openssl, as Docker's TLS guide does. */
export async function makeTestPki(dir: string): Promise<TestPki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = await newCa(dir, 'ca');
  const otherCa = await newCa(dir, 'other-ca');
  const server = await issue(
    dir,
    'server',
    ca,
    'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n',
  );
  const client = await issue(dir, 'client', ca, 'extendedKeyUsage = clientAuth\n');
  const otherClient = await issue(dir, 'other-client', otherCa, 'extendedKeyUsage = clientAuth\n');
  return { dir, ca: ca.cert, server, client, otherCa: otherCa.cert, otherClient };
}
