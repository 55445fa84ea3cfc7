/**
 * A token kept in a file, so that it survives restarts: Prometheus's `credentials_file` and a
 * browser's saved link keep working. The file is the secret, so it is created owner-only and a
 * file others can read is refused rather than trusted.
 */
import { closeSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { newToken } from './token.ts';

/** Long enough that guessing is out of reach; what newToken() makes is 32 characters. */
const MIN_TOKEN_LENGTH = 24;

export type TokenFileResult =
  | { readonly ok: true; readonly token: string; readonly created: boolean }
  | { readonly ok: false; readonly error: string };

export function readOrCreateTokenFile(path: string, make: () => string = newToken): TokenFileResult {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      return { ok: false, error: `Cannot create the token file ${path}: ${(error as Error).message}` };
    }
    return readExisting(path);
  }
  const token = make();
  try {
    writeSync(fd, `${token}\n`);
  } finally {
    closeSync(fd);
  }
  return { ok: true, token, created: true };
}

function readExisting(path: string): TokenFileResult {
  let text: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const mode = fstatSync(fd).mode;
      if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
        return {
          ok: false,
          error: `The token file ${path} can be read by others (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it.`,
        };
      }
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return { ok: false, error: `Cannot read the token file ${path}: ${(error as Error).message}` };
  }
  const token = text.trim();
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    return {
      ok: false,
      error: `The token file ${path} must hold one token of at least ${MIN_TOKEN_LENGTH} characters and no spaces.`,
    };
  }
  return { ok: true, token, created: false };
}
