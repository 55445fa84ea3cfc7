/**
 * Makes `import … from 'electron'` (and electron-store's own import of it) load the stand-in, for
 * `import` and `require` alike: Node's synchronous in-thread module hooks (module.registerHooks,
 * Node 22.15 and later). Imported first by a desktop test, before anything that imports electron.
 */
import { registerHooks } from 'node:module';

const STAND_IN = new URL('./index.ts', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'electron' || specifier === 'electron/main')
      return { url: STAND_IN, shortCircuit: true };
    return nextResolve(specifier, context);
  },
});
