/**
 * `Tray`, `Menu` and `nativeImage` on Linux. The tray records the image, tooltip and menu main
 * gave it; its bounds are empty, as a StatusNotifierItem's are (Tray::GetBounds). A menu keeps
 * its template, and clicking an item flips a checkbox first and then calls the item's click, as
 * Electron's menu does.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import type { MenuItemConstructorOptions, Rectangle } from 'electron';
import { app, electronEvent } from './app.ts';
import { world } from './world.ts';

export class NativeImage {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
  isEmpty(): boolean {
    return !existsSync(this.path);
  }
  toPNG(): Buffer {
    return this.isEmpty() ? Buffer.alloc(0) : readFileSync(this.path);
  }
}

export const nativeImage = {
  createFromPath: (path: string): NativeImage => new NativeImage(path),
  createEmpty: (): NativeImage => new NativeImage(''),
};

export class Menu {
  readonly items: MenuItemConstructorOptions[];

  constructor(items: MenuItemConstructorOptions[] = []) {
    this.items = items;
  }

  static buildFromTemplate(template: MenuItemConstructorOptions[]): Menu {
    for (const item of template) {
      if (item.label === undefined && item.role === undefined && item.type !== 'separator') {
        throw new TypeError('Invalid template for MenuItem: must have at least one of label, role or type');
      }
    }
    return new Menu(template.map((item) => ({ ...item })));
  }

  static setApplicationMenu(menu: Menu | null): void {
    applicationMenu = menu;
  }

  static getApplicationMenu(): Menu | null {
    return applicationMenu;
  }

  /** What a user's click on the item with this label does. */
  click(label: string | RegExp): void {
    const item = this.items.find((i) =>
      typeof label === 'string' ? i.label === label : label.test(i.label ?? ''),
    );
    if (item === undefined)
      throw new Error(`no menu item ${String(label)} in ${this.items.map((i) => i.label).join(' | ')}`);
    if (item.enabled === false) throw new Error(`menu item ${String(label)} is disabled`);
    if (item.type === 'checkbox') item.checked = !item.checked;
    world.userAction(() => item.click?.(item as never, undefined, electronEvent() as never));
  }
}

/** The menu Electron installs at will-finish-launching when main sets none (lib/browser/default-menu.ts, Linux). */
const DEFAULT_MENU: MenuItemConstructorOptions[] = [
  { role: 'fileMenu', submenu: [{ role: 'quit' }] },
  {
    role: 'editMenu',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  },
  {
    role: 'viewMenu',
    submenu: [
      { role: 'reload' },
      { role: 'forceReload' },
      { role: 'toggleDevTools' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { role: 'togglefullscreen' },
    ],
  },
  { role: 'windowMenu', submenu: [{ role: 'minimize' }, { role: 'zoom' }, { role: 'close' }] },
];

let applicationMenu: Menu | null = null;

const EMPTY: Rectangle = { x: 0, y: 0, width: 0, height: 0 };
const trays: Tray[] = [];

export class Tray extends EventEmitter {
  image: NativeImage;
  /** Every image it was given, in order. */
  readonly images: string[];
  tooltip = '';
  contextMenu: Menu | null = null;
  readonly popped: Menu[] = [];
  #destroyed = false;

  constructor(image: NativeImage) {
    super();
    if (!app.isReady()) throw new Error('Cannot create Tray before app is ready');
    this.image = image;
    this.images = [image.path];
    trays.push(this);
  }

  static all(): readonly Tray[] {
    return trays;
  }

  setImage(image: NativeImage): void {
    this.#alive();
    this.image = image;
    this.images.push(image.path);
  }
  setToolTip(text: string): void {
    this.#alive();
    this.tooltip = text;
  }
  setContextMenu(menu: Menu | null): void {
    this.#alive();
    this.contextMenu = menu;
  }
  popUpContextMenu(menu?: Menu): void {
    this.#alive();
    const shown = menu ?? this.contextMenu;
    if (shown !== null) this.popped.push(shown);
  }
  /** macOS only; a no-op elsewhere (Tray::SetIgnoreDoubleClickEvents). */
  setIgnoreDoubleClickEvents(): void {
    this.#alive();
  }
  getBounds(): Rectangle {
    this.#alive();
    return { ...EMPTY };
  }
  destroy(): void {
    this.#destroyed = true;
  }
  isDestroyed(): boolean {
    return this.#destroyed;
  }
  /** What a user's click on the icon does, where the tray host reports one. */
  click(): void {
    world.userAction(() => this.emit('click', electronEvent(), { ...EMPTY }, { x: 0, y: 0 }));
  }

  #alive(): void {
    if (this.#destroyed) throw new TypeError('Object has been destroyed');
  }
}

world.onReset(() => {
  trays.length = 0;
  applicationMenu = null;
  app.once('will-finish-launching', () => {
    if (applicationMenu === null) applicationMenu = Menu.buildFromTemplate(DEFAULT_MENU);
  });
});
