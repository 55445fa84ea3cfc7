/**
 * Secrets the desktop app must keep itself, apart from the settings: encrypted with
 * Electron's `safeStorage` (Keychain on macOS, DPAPI on Windows, the Secret Service or KWallet on
 * Linux) in `secrets.json`, which holds only ciphertext. No IPC channel reads this store, so no
 * secret can reach the renderer; only main uses them, to connect.
 */
import { readFileSync } from 'node:fs';
import type { SafeStorage } from 'electron';
import { writeFileAtomic } from '../src/util/atomic-write.ts';

export type SafeStorageLike = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>;

export type SecretResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface SecretStore {
  get(name: string): string | null;
  set(name: string, value: string): SecretResult;
  delete(name: string): void;
}

/** `ssh-passphrase:<host>`, `token:<host>`: a kind and the host it belongs to. */
const NAME = /^[a-z][a-z-]{0,31}:[^\s]{1,200}$/;

interface SecretFile {
  readonly version: 1;
  readonly secrets: Record<string, string>;
}

export interface SecretStoreOptions {
  readonly path: string;
  readonly safeStorage: SafeStorageLike;
  readonly platform: NodeJS.Platform;
  readonly warn: (text: string) => void;
}

/**
 * Why secrets cannot be kept here, or null. On Linux without a keyring Electron falls back to a
 * key written in its own source ("basic_text"), which would be plain text by another name.
 */
export function encryptionProblem(safeStorage: SafeStorageLike, platform: NodeJS.Platform): string | null {
  if (!safeStorage.isEncryptionAvailable()) return 'the system offers no encryption for stored secrets';
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    return 'no keyring (GNOME Keyring, KWallet) is running, so secrets could not be stored encrypted';
  }
  return null;
}

export function openSecretStore(options: SecretStoreOptions): SecretStore {
  let secrets: Record<string, string> = Object.create(null);
  try {
    const parsed = JSON.parse(readFileSync(options.path, 'utf8')) as Partial<SecretFile>;
    if (typeof parsed.secrets === 'object' && parsed.secrets !== null) {
      for (const [name, value] of Object.entries(parsed.secrets)) {
        if (NAME.test(name) && typeof value === 'string') secrets[name] = value;
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      options.warn(
        `Cannot read the stored secrets (${(error as Error).message}); they must be entered again.`,
      );
    }
  }

  const save = (): void => {
    const file: SecretFile = { version: 1, secrets };
    writeFileAtomic(options.path, `${JSON.stringify(file, null, 2)}\n`);
  };

  return {
    get(name) {
      const stored = secrets[name];
      if (stored === undefined) return null;
      try {
        return options.safeStorage.decryptString(Buffer.from(stored, 'base64'));
      } catch (error) {
        options.warn(`Cannot decrypt the stored ${name.split(':')[0]}: ${(error as Error).message}`);
        return null;
      }
    },
    set(name, value) {
      if (!NAME.test(name)) return { ok: false, error: `"${name}" is not a secret's name` };
      const problem = encryptionProblem(options.safeStorage, options.platform);
      if (problem !== null) return { ok: false, error: `Not saved: ${problem}.` };
      secrets = { ...secrets, [name]: options.safeStorage.encryptString(value).toString('base64') };
      save();
      return { ok: true };
    },
    delete(name) {
      if (secrets[name] === undefined) return;
      secrets = Object.fromEntries(Object.entries(secrets).filter(([key]) => key !== name));
      save();
    },
  };
}
