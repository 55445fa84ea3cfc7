/**
 * The desktop app's channel secrets, sealed by Electron's safeStorage in the data folder
 * (`channel-secrets.sealed.json`, src/delivery/secret-store.ts), with the CLI's owner-only file
 * read as well, so channels added with `dify-monitor channels add` keep working here.
 *
 * Electron's safe-storage.md (docs/api/safe-storage.md, Electron 45): the synchronous
 * `isEncryptionAvailable`/`encryptString`/`decryptString` are deprecated for
 * `isAsyncEncryptionAvailable`/`encryptStringAsync`/`decryptStringAsync`, whose answer says when
 * to encrypt again (`shouldReEncrypt`, a rotated key). On Linux the key is kept by kwallet or
 * gnome-libsecret, and where none is, "items stored using the safeStorage API will be unprotected
 * as they are encrypted via hardcoded plaintext password", which `getSelectedStorageBackend()`
 * tells by answering `basic_text`. Encrypting with a password anyone can read protects nothing an
 * owner-only file does not, and that file the CLI can read too: so there, and wherever encryption
 * is not available, the desktop keeps the secrets as the CLI does and tells the user once.
 */
import type { SafeStorage } from 'electron';
import { ownerOnlyFileStore, sealedFileStore, type SecretStore } from '../src/delivery/secret-store.ts';

export type SafeStorageLike = Pick<
  SafeStorage,
  'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'
>;

export interface DesktopSecrets {
  readonly store: SecretStore;
  /** Where they are kept, in words for the Channels section. */
  readonly kept: string;
  /** Said to the user once, when the keychain cannot be used. */
  readonly notice: string | null;
}

const SEALED = 'encrypted with the system keychain (safeStorage), in channel-secrets.sealed.json';
const FILE = 'in channel-secrets.json, readable by this user only, as the CLI keeps them';

const noKeychain = (why: string): string =>
  `Channel secrets are kept in channel-secrets.json beside the settings, readable by your user only, as the CLI keeps them: ${why}.`;

/** Why the keychain is not used here, or null when it is. */
async function withoutKeychain(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform,
): Promise<string | null> {
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
    return 'no keyring (GNOME Keyring, KWallet) answers, and without one Electron would encrypt them with a password built into it';
  return (await safeStorage.isAsyncEncryptionAvailable()) ? null : 'the system keychain cannot encrypt them';
}

/** Call once the app is ready: before that safeStorage can neither encrypt nor name its backend. */
export async function openDesktopSecrets(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform,
  dir: string,
): Promise<DesktopSecrets> {
  const why = await withoutKeychain(safeStorage, platform);
  if (why !== null) return { store: ownerOnlyFileStore(dir), kept: FILE, notice: noKeychain(why) };
  const store = sealedFileStore(dir, {
    seal: (text) => safeStorage.encryptStringAsync(text),
    open: async (blob) => {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(blob);
      return { text: result, stale: shouldReEncrypt };
    },
  });
  return { store, kept: SEALED, notice: null };
}
