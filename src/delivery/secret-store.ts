/**
 * Where channel secrets are kept, handed to whoever reads or saves them: the CLI's owner-only
 * `channel-secrets.json`, or the desktop app's `channel-secrets.sealed.json`, whose entries are
 * blobs only the OS keychain can open (Electron's safeStorage, main/channel-secrets.ts).
 *
 * One data folder may hold both files, since the CLI and the desktop share it. A channel's
 * secrets are in one of them: the sealed store reads the owner-only file first (what the CLI
 * added or replaced last) and removes a name from it when it saves that name itself, and removing
 * a channel removes it from both. The CLI cannot open a sealed entry; it says so instead of
 * calling the channel's secrets missing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { readSecretsFile, saveChannelSecrets, secretsPathIn, type StoredSecrets } from './secrets.ts';

export interface SecretStore {
  /** One channel's secrets, none (`{}`) when nothing is saved for it, or why they cannot be read. */
  read(name: string): Promise<StoredSecrets | string>;
  /** Saves one channel's secrets, or forgets them with null; the problem, or null. */
  save(name: string, secrets: StoredSecrets | null): Promise<string | null>;
}

/** Encryption by someone who holds the key (the OS keychain); `stale` asks for the text to be sealed again. */
export interface Sealer {
  seal(text: string): Promise<Buffer>;
  open(blob: Buffer): Promise<{ readonly text: string; readonly stale: boolean }>;
}

const SEALED_FILE = 'channel-secrets.sealed.json';

export function sealedPathIn(dir: string): string {
  return join(dir, SEALED_FILE);
}

type Sealed =
  | { readonly ok: true; readonly blobs: Record<string, string> }
  | { readonly ok: false; readonly error: string };

/** The sealed file's base64 blobs by channel name; none when it does not exist yet. */
function readSealed(path: string): Sealed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, blobs: {} };
    return {
      ok: false,
      error: `Cannot read the sealed channel secrets ${path}: ${(error as Error).message}`,
    };
  }
  try {
    const channels = (JSON.parse(text) as { channels?: unknown } | null)?.channels;
    if (typeof channels !== 'object' || channels === null || Array.isArray(channels))
      throw new Error('no "channels" object');
    const blobs = Object.entries(channels).filter((e): e is [string, string] => typeof e[1] === 'string');
    return { ok: true, blobs: Object.fromEntries(blobs) };
  } catch (error) {
    return {
      ok: false,
      error: `The sealed channel secrets ${path} cannot be read: ${(error as Error).message}`,
    };
  }
}

function writeSealed(path: string, name: string, blob: string | null): string | null {
  const read = readSealed(path);
  if (!read.ok) return read.error;
  const others = Object.entries(read.blobs).filter(([other]) => other !== name);
  const channels = Object.fromEntries(blob === null ? others : [...others, [name, blob]]);
  writeFileAtomic(path, `${JSON.stringify({ version: 1, channels }, null, 2)}\n`, 0o600);
  return null;
}

const sealedHere = (name: string, path: string): string =>
  `the desktop app saved the secrets of "${name}" encrypted with the system keychain (${path}), which only the desktop app can open; give this process a copy with dify-monitor channels add ${name} --replace`;

/** The owner-only file the CLI writes; `watch` and `serve` read it, and so does the desktop without a keychain. */
export function ownerOnlyFileStore(dir: string): SecretStore {
  const path = secretsPathIn(dir);
  return {
    read: async (name) => {
      const read = readSecretsFile(path);
      if (!read.ok) return read.error;
      const own = read.secrets[name];
      if (own !== undefined) return own;
      const sealed = readSealed(sealedPathIn(dir));
      return sealed.ok && sealed.blobs[name] !== undefined ? sealedHere(name, sealedPathIn(dir)) : {};
    },
    save: async (name, secrets) =>
      saveChannelSecrets(path, name, secrets) ??
      (secrets === null ? writeSealed(sealedPathIn(dir), name, null) : null),
  };
}

/** The desktop's store: sealed blobs of its own, and the CLI's owner-only file read first. */
export function sealedFileStore(dir: string, sealer: Sealer): SecretStore {
  const path = sealedPathIn(dir);
  const cli = ownerOnlyFileStore(dir);
  return {
    read: async (name) => {
      const own = readSecretsFile(secretsPathIn(dir));
      if (own.ok && own.secrets[name] !== undefined) return own.secrets[name];
      const sealed = readSealed(path);
      if (!sealed.ok) return sealed.error;
      const blob = sealed.blobs[name];
      if (blob === undefined) return own.ok ? {} : own.error;
      let opened: { text: string; stale: boolean };
      try {
        opened = await sealer.open(Buffer.from(blob, 'base64'));
      } catch (error) {
        return `the secrets of "${name}" cannot be opened with the system keychain: ${(error as Error).message}`;
      }
      const secrets = JSON.parse(opened.text) as StoredSecrets;
      if (opened.stale) writeSealed(path, name, (await sealer.seal(opened.text)).toString('base64'));
      return secrets;
    },
    save: async (name, secrets) => {
      if (secrets === null) return cli.save(name, null);
      let blob: Buffer;
      try {
        blob = await sealer.seal(JSON.stringify(secrets));
      } catch (error) {
        return `The system keychain could not encrypt the secrets: ${(error as Error).message}`;
      }
      return (
        writeSealed(path, name, blob.toString('base64')) ?? saveChannelSecrets(secretsPathIn(dir), name, null)
      );
    },
  };
}
