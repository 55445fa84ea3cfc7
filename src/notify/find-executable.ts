/** Looks a command up on a PATH the way a shell would, without running anything. */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** The full path of the first executable `name` in `path`'s directories, or null. */
export async function findExecutable(name: string, path: string | undefined): Promise<string | null> {
  for (const dir of (path ?? '').split(delimiter)) {
    // An empty PATH entry means the current directory to a shell; a daemon's cwd is no place to look.
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; keep looking.
    }
  }
  return null;
}
