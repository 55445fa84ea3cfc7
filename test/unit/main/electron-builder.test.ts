/**
 * The packaging configuration as a build resolves it: app-builder-lib's own Packager loads
 * electron-builder.yml with package.json, and its platform packagers and deb target read it the
 * way `npm run dist` would, up to the point where files are copied.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';

const require = createRequire(import.meta.url);
const ROOT = resolve(import.meta.dirname, '../../..');

interface Packager {
  validateConfig(): Promise<void>;
  readonly config: Record<string, unknown> & { electronFuses: unknown };
  readonly metadata: Record<string, unknown>;
  readonly tempDirManager: { cleanup(): Promise<void> };
  _appInfo: unknown;
}
interface PlatformPackager {
  readonly platformSpecificBuildOptions: Record<string, unknown>;
  generateFuseConfig(fuses: unknown): Promise<Record<string, unknown>>;
}
interface FileMatcher {
  createFilter(): (file: string, stat: ReturnType<typeof statSync>) => boolean;
}

const lib = 'app-builder-lib/out';
const { Packager } = require(`${lib}/packager.js`) as { Packager: new (o: object) => Packager };
const { AppInfo } = require(`${lib}/appInfo.js`) as {
  AppInfo: new (p: Packager, v: null) => { productName: string };
};
const { MacPackager } = require(`${lib}/macPackager.js`) as {
  MacPackager: new (p: Packager) => PlatformPackager;
};
const { LinuxPackager } = require(`${lib}/linuxPackager.js`) as {
  LinuxPackager: new (p: Packager) => PlatformPackager;
};
const { MacTargetHelper } = require(`${lib}/mac/MacTargetHelper.js`) as {
  MacTargetHelper: { isHardenedRuntimeEnabledForSigning(mas: boolean, config: object): boolean };
};
const FpmTarget = (
  require(`${lib}/targets/FpmTarget.js`) as {
    default: new (
      name: string,
      packager: PlatformPackager,
      helper: unknown,
      outDir: string,
    ) => { checkOptions(): Promise<Record<string, string>>; scriptFiles: Promise<unknown> };
  }
).default;
const { LinuxTargetHelper } = require(`${lib}/targets/LinuxTargetHelper.js`) as {
  LinuxTargetHelper: new (p: PlatformPackager) => unknown;
};
const { getFileMatchers } = require(`${lib}/fileMatcher.js`) as {
  getFileMatchers(config: object, name: string, dest: string, options: object): FileMatcher[] | null;
};
const { FuseV1Options } = require('@electron/fuses') as { FuseV1Options: Record<string, number> };

let packager: Packager;
let appInfo: { productName: string };

before(async () => {
  packager = new Packager({ projectDir: ROOT });
  await packager.validateConfig();
  appInfo = new AppInfo(packager, null);
  packager._appInfo = appInfo;
});
after(async () => {
  await packager.tempDirManager.cleanup();
});

describe('the configuration electron-builder resolves', () => {
  it('signs the macOS app ad hoc, without the hardened runtime', () => {
    const mac = new MacPackager(packager).platformSpecificBuildOptions;
    // No identity means "look for a certificate, else skip signing", and the fuses have broken
    // the binary's signature by then: Apple Silicon would refuse to start it.
    assert.equal(mac['identity'], '-');
    assert.equal(MacTargetHelper.isHardenedRuntimeEnabledForSigning(false, mac), false);
    assert.deepEqual(mac['extendInfo'], { LSUIElement: true });
  });

  it('flips the fuses that keep the packaged app from running as plain Node', async () => {
    const fuses = await new MacPackager(packager).generateFuseConfig(packager.config.electronFuses);
    const wire = (name: string): unknown => fuses[String(FuseV1Options[name])];
    assert.equal(wire('RunAsNode'), false);
    assert.equal(wire('EnableNodeOptionsEnvironmentVariable'), false);
    assert.equal(wire('EnableNodeCliInspectArguments'), false);
    assert.equal(wire('EnableEmbeddedAsarIntegrityValidation'), true);
    assert.equal(wire('OnlyLoadAppFromAsar'), true);
    assert.equal(wire('EnableCookieEncryption'), true);
    assert.equal(wire('GrantFileProtocolExtraPrivileges'), false);
  });

  it('names the app "Dify Monitor" for Electron too, whose app.name comes from the packaged package.json', () => {
    assert.equal(appInfo.productName, 'Dify Monitor');
    // Electron reads productName (else name) from the app's own package.json: lib/browser/init.ts.
    assert.equal(packager.metadata['productName'], 'Dify Monitor');
  });

  it('has what the deb target asks for, and builds the deb first', async () => {
    const linux = new LinuxPackager(packager);
    const deb = new FpmTarget('deb', linux, new LinuxTargetHelper(linux), join(tmpdir(), 'dm-deb'));
    const fields = await deb.checkOptions();
    await deb.scriptFiles;
    assert.equal(fields['name'], 'dify-monitor');
    assert.match(fields['url'] ?? '', /^https:\/\//);
    assert.ok((fields['maintainer'] ?? '') !== '', 'a maintainer');
    assert.deepEqual(linux.platformSpecificBuildOptions['target'], ['deb', 'AppImage']);
    assert.equal(linux.platformSpecificBuildOptions['executableName'], 'dify-monitor');
  });

  it('unpacks node-notifier’s helpers from the asar, and nothing of the app’s own code', () => {
    const mac = new MacPackager(packager);
    const matchers = getFileMatchers(packager.config, 'asarUnpack', join(tmpdir(), 'dm-unpacked'), {
      macroExpander: (s: string) => s,
      customBuildOptions: mac.platformSpecificBuildOptions,
      globalOutDir: join(tmpdir(), 'dm-release'),
      defaultSrc: ROOT,
    });
    const unpacked = matchers?.[0]?.createFilter();
    assert.ok(unpacked !== undefined, 'asarUnpack is set');
    const check = (file: string): boolean => unpacked(join(ROOT, file), statSync(join(ROOT, file)));
    const vendor = 'node_modules/node-notifier/vendor';
    assert.equal(check(`${vendor}/mac.noindex/terminal-notifier.app/Contents/MacOS/terminal-notifier`), true);
    assert.equal(check(`${vendor}/snoreToast/snoretoast-x64.exe`), true);
    assert.equal(check('assets/icon.png'), true, 'the helpers show the icon from a real file');
    assert.equal(check('package.json'), false);
    assert.equal(check('main/popover.ts'), false);
  });
});
