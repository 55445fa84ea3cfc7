import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface TlsSources {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface StoredTls {
  readonly caPath?: string;
  readonly certPath?: string;
  readonly keyPath?: string;
}

/** `<settings dir>/hosts/<name>/`: mode 0700, so only this user can read the copies. */
function hostFilesDir(settingsPath: string, name: string): string {
  return join(dirname(settingsPath), 'hosts', name);
}

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`Cannot read the ${what} ${file}: ${(error as Error).message}.`, { cause: error });
  }
}

/**
 * Checks the files are what they claim (PEM certificates, a private key that belongs to the
 * certificate) and copies them into the host's private directory: the settings then name only
 * these copies, and the user may move or delete the originals. Nothing is written on failure.
 */
export function storeTlsFiles(settingsPath: string, name: string, sources: TlsSources): StoredTls {
  if ((sources.cert === undefined) !== (sources.key === undefined)) {
    throw new Error('--tls-cert and --tls-key go together: the engine checks the pair.');
  }
  const ca = sources.ca === undefined ? null : read(sources.ca, 'CA certificate');
  const cert = sources.cert === undefined ? null : read(sources.cert, 'client certificate');
  const key = sources.key === undefined ? null : read(sources.key, 'client key');
  if (ca !== null) certificateOf(ca, sources.ca ?? '', 'CA certificate');
  if (cert !== null && key !== null) {
    const x509 = certificateOf(cert, sources.cert ?? '', 'client certificate');
    let privateKey;
    try {
      privateKey = createPrivateKey(key);
    } catch (error) {
      throw new Error(
        `${sources.key ?? ''} is not a readable private key (${(error as Error).message}); an encrypted key cannot be used.`,
        { cause: error },
      );
    }
    if (!x509.checkPrivateKey(privateKey)) {
      throw new Error(
        `The key ${sources.key ?? ''} does not belong to the certificate ${sources.cert ?? ''}.`,
      );
    }
  }
  const dir = hostFilesDir(settingsPath, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const write = (file: string, content: Buffer): string => {
    const target = join(dir, file);
    writeFileSync(target, content, { mode: 0o600 });
    chmodSync(target, 0o600);
    return target;
  };
  return {
    ...(ca === null ? {} : { caPath: write('ca.pem', ca) }),
    ...(cert === null ? {} : { certPath: write('cert.pem', cert) }),
    ...(key === null ? {} : { keyPath: write('key.pem', key) }),
  };
}

function certificateOf(content: Buffer, file: string, what: string): X509Certificate {
  try {
    return new X509Certificate(content);
  } catch (error) {
    throw new Error(`${file} is not a PEM ${what} (${(error as Error).message}).`, { cause: error });
  }
}

export function removeTlsFiles(settingsPath: string, name: string): void {
  rmSync(hostFilesDir(settingsPath, name), { recursive: true, force: true });
}
