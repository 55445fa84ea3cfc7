import { access, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { ResolveDeps } from './resolve.ts';

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** This process's machine, through node:fs and node:os. */
export function defaultDeps(): ResolveDeps {
  const platform = process.platform;
  const statOf = (file: string) => stat(file).catch(() => null);
  return {
    env: process.env,
    homedir: homedir(),
    platform,
    uid: typeof process.getuid === 'function' ? process.getuid() : null,
    readFile: async (file) => {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    isFile: async (file) => (await statOf(file))?.isFile() ?? false,
    isSocket: async (file) => {
      // stat cannot tell a named pipe from a file; that the pipe name answers at all is what counts.
      if (platform === 'win32' && /^[/\\]{2}\.[/\\]pipe[/\\]/i.test(file)) {
        return access(file).then(
          () => true,
          () => false,
        );
      }
      return (await statOf(file))?.isSocket() ?? false;
    },
  };
}
