import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

interface Packager {
  validateConfig(): Promise<void>;
  readonly tempDirManager: { cleanup(): Promise<void> };
  _appInfo: unknown;
}
type FpmFields = Record<string, string | null>;
const lib = 'app-builder-lib/out';
const { Packager } = require(`${lib}/packager.js`) as { Packager: new (o: object) => Packager };
const { AppInfo } = require(`${lib}/appInfo.js`) as {
  AppInfo: new (p: Packager, v: null) => { companyName: string | null };
};
const { LinuxPackager } = require(`${lib}/linuxPackager.js`) as {
  LinuxPackager: new (p: Packager) => object;
};
const { LinuxTargetHelper } = require(`${lib}/targets/LinuxTargetHelper.js`) as {
  LinuxTargetHelper: new (p: object) => unknown;
};
const FpmTarget = (
  require(`${lib}/targets/FpmTarget.js`) as {
    default: new (
      name: string,
      packager: object,
      helper: unknown,
      outDir: string,
    ) => { options: FpmFields; checkOptions(): Promise<FpmFields>; scriptFiles: Promise<unknown> };
  }
).default;

describe('package.json metadata', () => {
  interface Pkg {
    productName: string;
    homepage: string;
    author: { name: string; email: string };
    repository: { type: string; url: string };
    license: string;
  }
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Pkg;

  it('names the app as electron-builder.yml does, so `npm start` and the installed app share app.name', async () => {
    const config = await builder.getConfig('.', null, null);
    assert.equal(pkg.productName, 'Dify Monitor');
    assert.equal(pkg.productName, config['productName']);
    assert.equal(pkg.license, 'MIT');
    assert.equal(pkg.repository.type, 'git');
    assert.match(pkg.repository.url, /^https:\/\/\S+\.git$/);
  });

  it('gives the deb target a homepage and an author with an email, which it reads when linux.maintainer is unset', async () => {
    const packager = new Packager({ projectDir: '.' });
    try {
      await packager.validateConfig();
      const appInfo = new AppInfo(packager, null);
      packager._appInfo = appInfo;
      assert.equal(appInfo.companyName, pkg.author.name, 'the Windows and macOS copyright name');
      const linux = new LinuxPackager(packager);
      const deb = new FpmTarget('deb', linux, new LinuxTargetHelper(linux), join(tmpdir(), 'dm-deb'));
      await deb.scriptFiles;
      // FpmTarget.computeFpmMetaInfoOptions: no maintainer in the config means the author's name and email, or an error.
      delete deb.options['maintainer'];
      const fields = await deb.checkOptions();
      assert.equal(fields['maintainer'], 'Dify Monitor developers <dev@dify-monitor.invalid>');
      assert.equal(fields['url'], pkg.homepage);
      assert.match(pkg.homepage, /^https:\/\//);
    } finally {
      await packager.tempDirManager.cleanup();
    }
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
