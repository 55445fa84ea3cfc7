import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { build, type Metafile } from 'esbuild';

/** Node ESM with every package left to node_modules: the CLI and the Electron main process. */
const nodeEsm = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
} as const;

/**
 * Bundles the CLI for `npm install -g`/packaging. Dependencies stay external: dockerode loads
 * ssh2 and cpu-features lazily, which a bundler would turn into hard requires. Splitting keeps
 * what only `serve` needs (the schema validator, the bridge) in chunks `watch` never loads.
 */
const cli = await build({
  ...nodeEsm,
  entryPoints: { cli: 'src/cli/index.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
});
removeStaleChunks(cli.metafile);

/** Chunks of earlier builds would otherwise pile up in dist/chunks/ and in every `npm pack`. */
function removeStaleChunks(metafile: Metafile): void {
  const current = new Set(Object.keys(metafile.outputs).map((file) => basename(file)));
  for (const file of readdirSync('dist/chunks')) {
    if (!current.has(file)) rmSync(`dist/chunks/${file}`);
  }
}

/**
 * The dashboard: one script (the CSP allows only same-origin scripts, nothing inline), with
 * Chart.js bundled in, next to its page and stylesheet.
 */
await build({
  entryPoints: { app: 'renderer/index.ts' },
  outdir: 'dist/renderer',
  bundle: true,
  platform: 'browser',
  target: 'chrome120',
  format: 'esm',
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
});
mkdirSync('dist/renderer', { recursive: true });
for (const file of ['index.html', 'styles.css']) copyFileSync(`renderer/${file}`, `dist/renderer/${file}`);

/**
 * The Electron main process, as ESM (package.json says "type": "module"). Its dependencies stay
 * external like the CLI's: electron-builder packs node_modules, and node-notifier must stay a real
 * package so its helper binaries can be unpacked from the asar.
 */
await build({ ...nodeEsm, entryPoints: { index: 'main/index.ts' }, outdir: 'main/dist' });

/** A sandboxed preload can only be one CommonJS file that requires nothing but electron. */
await build({
  entryPoints: ['main/preload.ts'],
  outfile: 'main/dist/preload.cjs',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  external: ['electron'],
  logLevel: 'warning',
});
