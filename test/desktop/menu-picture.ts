/**
 * A picture of a tray menu drawn from the template main gave the tray, in the look of a GNOME
 * AppIndicator menu: the README shows it, since the real menu is drawn by the desktop, not by us.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { Browser } from 'playwright-core';

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function row(item: MenuItemConstructorOptions): string {
  if (item.type === 'separator') return '<li class="sep"></li>';
  const mark = item.type === 'checkbox' ? (item.checked === true ? '✓' : '') : '';
  const more = item.submenu === undefined ? '' : '<span class="more">›</span>';
  const off = item.enabled === false ? ' off' : '';
  return `<li class="item${off}"><span class="mark">${mark}</span>${escape(item.label ?? '')}${more}</li>`;
}

const STYLE = `
  body { margin: 0; padding: 12px; background: #3d3846; font: 14px Cantarell, "DejaVu Sans", sans-serif; }
  ul { list-style: none; margin: 0; padding: 6px 0; width: max-content; min-width: 260px; background: #fafafa;
       color: #242424; border-radius: 12px; box-shadow: 0 2px 8px rgb(0 0 0 / 40%); }
  .item { padding: 6px 16px 6px 8px; display: flex; gap: 6px; }
  .item.off { color: #8a8a8a; }
  .mark { width: 16px; text-align: center; }
  .more { margin-left: auto; padding-left: 24px; }
  .sep { height: 1px; margin: 6px 0; background: #dedede; }`;

export async function drawMenu(
  browser: Browser,
  items: readonly MenuItemConstructorOptions[],
  file: string,
): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 600, height: 800 } });
  await page.setContent(`<!doctype html><style>${STYLE}</style><ul>${items.map(row).join('')}</ul>`);
  await page.locator('ul').screenshot({ path: file });
  await page.close();
}
