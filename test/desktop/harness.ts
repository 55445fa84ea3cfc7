/**
 * Boots the real main/index.ts under Node against the stand-in electron module, in a home of its
 * own: HOME, XDG_CONFIG_HOME and DOCKER_CONFIG point into a temp folder, so the app's settings,
 * autostart entry and Docker contexts are the test's. Main reads process.env and the home folder
 * directly, so they are set in this process while the app runs and put back after it quit.
 */
import './electron/register.ts';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { app, BrowserWindow, desktop, Tray } from './electron/index.ts';
import type { Menu } from './electron/tray.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = pathToFileURL(join(ROOT, 'main/index.ts')).href;

export interface DesktopOptions {
  readonly browser: Browser;
  /** Variables the app sees besides the temp home (DOCKER_HOST, DOCKER_CONTEXT, XDG_SESSION_TYPE). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly switches?: Readonly<Record<string, string>>;
}

export interface DesktopApp {
  /** The temp folder the app's home is in. */
  readonly dir: string;
  readonly home: string;
  /** Where `docker context` keeps its files for the app (DOCKER_CONFIG). */
  readonly dockerConfig: string;
  window(): BrowserWindow;
  page(): Promise<Page>;
  tray(): Tray;
  /** The menu attached to the tray icon (Linux attaches it; AppIndicator reports no clicks). */
  menu(): Menu;
  /** What main's listeners threw when a user action ran them, and what it left unhandled. */
  errors(): readonly Error[];
  /** Quits as the tray menu's Quit does; resolves once the app is gone. */
  quit(): Promise<{ code: number; how: string }>;
}

let boots = 0;

function packageJson(): { name: string; productName?: string; version: string } {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    name: string;
    productName?: string;
    version: string;
  };
}

/** Polls until `probe` answers; the harness's one way to wait for the app. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function bootDesktop(options: DesktopOptions): Promise<DesktopApp> {
  const dir = mkdtempSync(join(tmpdir(), 'dm-desktop-'));
  const home = join(dir, 'home');
  const config = join(home, '.config');
  const dockerConfig = join(home, '.docker');
  const pkg = packageJson();
  const name = pkg.productName ?? pkg.name;
  const paths = {
    home,
    appData: config,
    userData: join(config, name),
    temp: join(dir, 'tmp'),
    downloads: join(home, 'Downloads'),
    logs: join(config, name, 'logs'),
  };
  for (const path of [home, config, dockerConfig, paths.temp, paths.downloads])
    mkdirSync(path, { recursive: true });

  const env: Record<string, string | undefined> = {
    HOME: home,
    XDG_CONFIG_HOME: config,
    XDG_STATE_HOME: join(home, '.local', 'state'),
    DOCKER_CONFIG: dockerConfig,
    DOCKER_HOST: undefined,
    DOCKER_CONTEXT: undefined,
    ...options.env,
  };
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  };
  apply(env);

  const unhandled: Error[] = [];
  const onUnhandled = (error: unknown): void => void unhandled.push(error as Error);
  process.on('unhandledRejection', onUnhandled);

  desktop.setScene({
    browser: options.browser,
    appPath: ROOT,
    paths,
    name,
    version: pkg.version,
    ...(options.switches === undefined ? {} : { switches: options.switches }),
  });
  await import(`${MAIN}?boot=${++boots}`);
  app.launch();
  const window = await until('the dashboard window', () => BrowserWindow.getAllWindows()[0]);
  const tray = await until('the tray icon', () => Tray.all()[0]);
  await until('the dashboard page', () =>
    window.webContents.getURL().startsWith('app://') ? true : undefined,
  );

  return {
    dir,
    home,
    dockerConfig,
    window: () => window,
    page: () => window.webContents.page(),
    tray: () => tray,
    menu: () => {
      if (tray.contextMenu === null) throw new Error('no menu is attached to the tray');
      return tray.contextMenu;
    },
    errors: () => [...desktop.errors, ...unhandled],
    async quit() {
      app.quit();
      const exit = await desktop.exit;
      process.off('unhandledRejection', onUnhandled);
      apply(saved);
      rmSync(dir, { recursive: true, force: true });
      return exit;
    },
  };
}
