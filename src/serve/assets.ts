import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The built renderer, as a fixed table of URL path → file. Only these names are ever read, so no
 * request path reaches the file system and traversal cannot happen.
 */
const FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/styles.css': { file: 'styles.css', type: 'text/css; charset=utf-8' },
};

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

export type AssetTable = ReadonlyMap<string, Asset>;

/** Reads the built files once; the ones missing are left out and answered with 404. */
export function loadAssets(dir: string): { assets: AssetTable; missing: string[] } {
  const assets = new Map<string, Asset>();
  const missing = new Set<string>();
  for (const [path, { file, type }] of Object.entries(FILES)) {
    try {
      assets.set(path, { body: readFileSync(join(dir, file)), type });
    } catch {
      missing.add(file);
    }
  }
  return { assets, missing: [...missing] };
}
