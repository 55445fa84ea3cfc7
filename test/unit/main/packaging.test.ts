import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { renderIcons } from '../../../scripts/make-icons.ts';

const require = createRequire(import.meta.url);
interface BuilderConfig {
  getConfig(dir: string, path: null, extra: null): Promise<Record<string, unknown>>;
  validateConfiguration(config: unknown, log: { isEnabled: boolean; add(): void }): Promise<void>;
}
const builder = require('app-builder-lib/out/util/config/config.js') as BuilderConfig;
const quiet = { isEnabled: false, add: () => undefined };

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema, loaded the way electron-builder loads it', async () => {
    const config = await builder.getConfig('.', null, null);
    await builder.validateConfiguration(config, quiet);
    await assert.rejects(
      builder.validateConfiguration(
        { ...config, mac: { ...(config['mac'] as object), LSUIElement: true } },
        quiet,
      ),
      /configuration object that does not match the API schema/,
      'the validator rejects what is not in the schema',
    );
  });

  it('sets the fuses, LSUIElement, the targets, and unpacks node-notifier’s helpers', async () => {
    const config = (await builder.getConfig('.', null, null)) as Record<string, Record<string, unknown>>;
    assert.deepEqual(config['electronFuses'], {
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    assert.equal(config['appId'], 'ai.dify.monitor');
    assert.deepEqual(config['mac']?.['extendInfo'], { LSUIElement: true });
    assert.equal(config['mac']?.['target'], 'dmg');
    assert.equal(config['win']?.['target'], 'nsis');
    assert.deepEqual(config['linux']?.['target'], ['deb', 'AppImage']);
    assert.ok((config['asarUnpack'] as unknown as string[]).includes('node_modules/node-notifier/vendor/**'));
    const main = readFileSync('main/index.ts', 'utf8');
    assert.match(main, /const APP_ID = 'ai\.dify\.monitor'/, 'the AppUserModelID is the appId');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      main: string;
      dependencies: Record<string, string>;
    };
    assert.equal(pkg.main, 'main/dist/index.js');
    assert.ok(pkg.dependencies['node-notifier'], 'node-notifier ships as a package, not inside the bundle');
  });
});

function pngSize(png: Buffer): [number, number, number] {
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  const pixels = inflateSync(png.subarray(41, png.length - 16));
  return [png.readUInt32BE(16), png.readUInt32BE(20), pixels.length];
}

describe('icons', () => {
  it('in assets/ are what scripts/make-icons.ts draws now', () => {
    const files = renderIcons();
    for (const state of ['ok', 'warning', 'critical', 'disconnected', 'muted']) {
      for (const name of [
        `${state}.png`,
        `${state}@2x.png`,
        `${state}Template.png`,
        `${state}Template@2x.png`,
      ]) {
        assert.ok(files.has(`tray/${name}`), name);
      }
    }
    for (const [path, png] of files)
      assert.ok(readFileSync(`assets/${path}`).equals(png), `assets/${path} is stale`);
  });

  it('have the sizes the platforms ask for, and template images are black with alpha', () => {
    const files = renderIcons();
    assert.deepEqual(pngSize(files.get('tray/ok.png') as Buffer).slice(0, 2), [16, 16]);
    assert.deepEqual(pngSize(files.get('tray/ok@2x.png') as Buffer).slice(0, 2), [32, 32]);
    assert.deepEqual(pngSize(files.get('icon.png') as Buffer).slice(0, 2), [512, 512]);
    const template = files.get('tray/criticalTemplate@2x.png') as Buffer;
    const raw = inflateSync(template.subarray(41, template.length - 16));
    let opaque = 0;
    for (let i = 0; i < raw.length; i += 4 * 32 + 1) {
      for (let x = 0; x < 32; x++) {
        const p = i + 1 + x * 4;
        assert.deepEqual([raw[p], raw[p + 1], raw[p + 2]], [0, 0, 0]);
        if (raw[p + 3] === 255) opaque++;
      }
    }
    assert.ok(opaque > 200, 'the glyph is drawn');
  });
});
