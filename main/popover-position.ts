/**
 * Where the popover goes: against the taskbar or menu bar, centred on the tray icon, inside the
 * work area. Pure: the display, tray bounds and cursor are passed in.
 */
import type { Point, Rectangle, Size } from 'electron';

export type Edge = 'top' | 'bottom' | 'left' | 'right';

export interface PopoverPlacement {
  /** The tray icon's bounds; all zero where the platform does not tell (many Linux desktops). */
  readonly tray: Rectangle;
  readonly window: Size;
  /** The display the tray icon is on. */
  readonly display: { readonly bounds: Rectangle; readonly workArea: Rectangle };
  /** Where the click was, used when the tray bounds are unknown. */
  readonly cursor: Point;
}

/** Keeps the popover off the very edge of the work area. */
const MARGIN = 4;

function hasBounds(r: Rectangle): boolean {
  return r.width > 0 && r.height > 0;
}

/**
 * The edge the taskbar sits on: the side where the work area stops short of the display. With an
 * auto-hidden taskbar (work area = display) it is the display edge nearest to the icon.
 */
export function taskbarEdge(bounds: Rectangle, workArea: Rectangle, near: Point): Edge {
  if (workArea.y > bounds.y) return 'top';
  if (workArea.y + workArea.height < bounds.y + bounds.height) return 'bottom';
  if (workArea.x > bounds.x) return 'left';
  if (workArea.x + workArea.width < bounds.x + bounds.width) return 'right';
  const distances: [Edge, number][] = [
    ['top', near.y - bounds.y],
    ['bottom', bounds.y + bounds.height - near.y],
    ['left', near.x - bounds.x],
    ['right', bounds.x + bounds.width - near.x],
  ];
  distances.sort((a, b) => a[1] - b[1]);
  return distances[0]?.[0] ?? 'bottom';
}

function clamp(value: number, min: number, max: number): number {
  return Math.round(Math.min(Math.max(value, min), Math.max(min, max)));
}

export function popoverPosition(p: PopoverPlacement): Point & { edge: Edge } {
  const { bounds, workArea } = p.display;
  const anchor = hasBounds(p.tray)
    ? { x: p.tray.x + p.tray.width / 2, y: p.tray.y + p.tray.height / 2 }
    : p.cursor;
  const edge = taskbarEdge(bounds, workArea, anchor);
  const { width, height } = p.window;
  let x: number;
  let y: number;
  switch (edge) {
    case 'top':
      x = anchor.x - width / 2;
      y = workArea.y + MARGIN;
      break;
    case 'bottom':
      x = anchor.x - width / 2;
      y = workArea.y + workArea.height - height - MARGIN;
      break;
    case 'left':
      x = workArea.x + MARGIN;
      y = anchor.y - height / 2;
      break;
    case 'right':
      x = workArea.x + workArea.width - width - MARGIN;
      y = anchor.y - height / 2;
      break;
  }
  return {
    edge,
    x: clamp(x, workArea.x + MARGIN, workArea.x + workArea.width - width - MARGIN),
    y: clamp(y, workArea.y + MARGIN, workArea.y + workArea.height - height - MARGIN),
  };
}
