/**
 * `safeStorage` as Electron 45 behaves on Linux (docs/api/safe-storage.md and
 * shell/browser/api/electron_api_safe_storage.cc): nothing before `ready`; the backend named
 * from `--password-store` or the desktop session, `basic_text` when neither names a keyring; the
 * synchronous calls refuse `basic_text` unless `setUsePlainTextEncryption(true)`, the asynchronous
 * ones fall back to it (the POSIX key provider). Ciphertexts are Chromium's OSCrypt on Linux:
 * "v10" (the built-in password "peanuts") or "v11" (a key from the keyring), AES-128-CBC with a
 * PBKDF2-SHA1 key of "saltysalt", one iteration, and an IV of 16 spaces. STAND-IN.md: the keyring
 * is this process's memory.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { SafeStorage } from 'electron';
import { app } from './app.ts';

type Backend = ReturnType<SafeStorage['getSelectedStorageBackend']>;

const KEYRING_SESSIONS = ['X-Cinnamon', 'Deepin', 'GNOME', 'Pantheon', 'XFCE', 'UKUI', 'unity'];
const SWITCHES: Readonly<Record<string, Backend>> = {
  basic: 'basic_text',
  'gnome-libsecret': 'gnome_libsecret',
  kwallet: 'kwallet',
  kwallet5: 'kwallet5',
  kwallet6: 'kwallet6',
};
const IV = Buffer.alloc(16, ' ');
/** What a keyring would keep between runs; here, between app starts in one test process. */
const keyringPassword = randomBytes(16).toString('base64');
let plainText = false;

function backend(): Backend {
  const chosen = SWITCHES[app.commandLine.getSwitchValue('password-store')];
  if (chosen !== undefined) return chosen;
  const session = (process.env['XDG_CURRENT_DESKTOP'] ?? '').split(':');
  if (session.some((s) => KEYRING_SESSIONS.includes(s))) return 'gnome_libsecret';
  const kde = process.env['KDE_SESSION_VERSION'];
  if (kde === '5' || kde === '6') return `kwallet${kde}`;
  return 'basic_text';
}

function keyOf(version: 'v10' | 'v11'): Buffer {
  return pbkdf2Sync(version === 'v10' ? 'peanuts' : keyringPassword, 'saltysalt', 1, 16, 'sha1');
}

function encrypt(text: string, version: 'v10' | 'v11'): Buffer {
  const cipher = createCipheriv('aes-128-cbc', keyOf(version), IV);
  return Buffer.concat([Buffer.from(version), cipher.update(text, 'utf8'), cipher.final()]);
}

function decrypt(blob: Buffer, method: string): string {
  if (blob.length === 0) return '';
  const version = blob.subarray(0, 3).toString('latin1');
  if (version !== 'v10' && version !== 'v11')
    throw new Error(
      `Error while decrypting the ciphertext provided to safeStorage.${method}. Ciphertext does not appear to be encrypted.`,
    );
  try {
    const decipher = createDecipheriv('aes-128-cbc', keyOf(version), IV);
    return Buffer.concat([decipher.update(blob.subarray(3)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(`Error while decrypting the ciphertext provided to safeStorage.${method}.`);
  }
}

function notReady(): Error {
  return new Error('safeStorage cannot be used before app is ready');
}

const keyring = (): boolean => backend() !== 'basic_text';

export const safeStorage: SafeStorage = {
  isEncryptionAvailable: () => app.isReady() && (keyring() || plainText),
  isAsyncEncryptionAvailable: async () => app.isReady(),
  setUsePlainTextEncryption: (use) => {
    plainText = use;
  },
  getSelectedStorageBackend: () => (app.isReady() ? backend() : 'unknown'),
  encryptString(text) {
    if (!app.isReady()) throw notReady();
    if (!safeStorage.isEncryptionAvailable())
      throw new Error(
        'Error while encrypting the text provided to safeStorage.encryptString. Encryption is not available.',
      );
    return encrypt(text, keyring() ? 'v11' : 'v10');
  },
  decryptString(blob) {
    if (!app.isReady()) throw notReady();
    if (!safeStorage.isEncryptionAvailable())
      throw new Error(
        'Error while decrypting the ciphertext provided to safeStorage.decryptString. Decryption is not available.',
      );
    return decrypt(blob, 'decryptString');
  },
  encryptStringAsync: async (text) => {
    if (!app.isReady()) throw notReady();
    return encrypt(text, keyring() ? 'v11' : 'v10');
  },
  decryptStringAsync: async (blob) => {
    if (!app.isReady()) throw notReady();
    return { shouldReEncrypt: false, result: decrypt(blob, 'decryptStringAsync') };
  },
};
