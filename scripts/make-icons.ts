/**
 * Draws the tray icons (one per state, @1x and @2x, coloured and as macOS template images) and the
 * 512 px app icon into assets/. Shapes are described as point-in-shape tests and sampled 4×4 per
 * pixel for smooth edges; the PNG encoding is zlib plus the PNG chunk format, so the output is
 * byte-for-byte the same on every machine and a test can check assets/ is current.
 *
 *   node scripts/make-icons.ts [out-dir]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

type Shape = (x: number, y: number) => boolean;
type Rgb = readonly [number, number, number];

const STATES = ['ok', 'warning', 'critical', 'disconnected', 'muted'] as const;
type State = (typeof STATES)[number];

/** Colours that read on light and dark taskbars, and differ in shape as well, not only in hue. */
const COLOURS: Readonly<Record<State, Rgb>> = {
  ok: [46, 157, 91],
  warning: [224, 161, 0],
  critical: [217, 48, 37],
  disconnected: [128, 128, 128],
  muted: [100, 116, 150],
};

const SUBSAMPLES = 4;

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** RGBA pixels (row-major, 4 bytes each) as a PNG file. */
export function encodePng(size: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // no filter
    rows.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Paints `layers` in order (later over earlier) on a transparent square, coordinates 0…1. */
function render(size: number, layers: readonly (readonly [Shape, Rgb])[]): Buffer {
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SUBSAMPLES; sy++) {
        for (let sx = 0; sx < SUBSAMPLES; sx++) {
          const x = (px + (sx + 0.5) / SUBSAMPLES) / size;
          const y = (py + (sy + 0.5) / SUBSAMPLES) / size;
          let hit: Rgb | null = null;
          for (const [shape, colour] of layers) if (shape(x, y)) hit = colour;
          if (hit === null) continue;
          r += hit[0];
          g += hit[1];
          b += hit[2];
          a++;
        }
      }
      const i = (py * size + px) * 4;
      if (a === 0) continue;
      rgba[i] = Math.round(r / a);
      rgba[i + 1] = Math.round(g / a);
      rgba[i + 2] = Math.round(b / a);
      rgba[i + 3] = Math.round((a / (SUBSAMPLES * SUBSAMPLES)) * 255);
    }
  }
  return encodePng(size, rgba);
}

const disc =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const ring =
  (cx: number, cy: number, r: number, width: number): Shape =>
  (x, y) => {
    const d = Math.hypot(x - cx, y - cy);
    return d <= r && d >= r - width;
  };
const box =
  (x0: number, y0: number, x1: number, y1: number): Shape =>
  (x, y) =>
    x >= x0 && x <= x1 && y >= y0 && y <= y1;
/** A bar of `width` from (x0, y0) to (x1, y1). */
const bar =
  (x0: number, y0: number, x1: number, y1: number, width: number): Shape =>
  (x, y) => {
    const dx = x1 - x0;
    const dy = y1 - y0;
    const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(x - (x0 + t * dx), y - (y0 + t * dy)) <= width / 2;
  };
const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((s) => s(x, y));
const minus =
  (shape: Shape, cut: Shape): Shape =>
  (x, y) =>
    shape(x, y) && !cut(x, y);

const C = 0.5;
const OUTER = 0.46;
const RING = 0.11;
const bang = union(box(0.44, 0.24, 0.56, 0.58), disc(C, 0.72, 0.065));

/** One glyph per state: a ring (the monitor) with a sign inside, or a solid disc for critical. */
export function trayGlyph(state: State): Shape {
  switch (state) {
    case 'ok':
      return union(ring(C, C, OUTER, RING), disc(C, C, 0.17));
    case 'warning':
      return union(ring(C, C, OUTER, RING), bang);
    case 'critical':
      return minus(disc(C, C, OUTER), bang);
    case 'disconnected':
      return union(ring(C, C, OUTER, RING), bar(0.2, 0.8, 0.8, 0.2, RING));
    case 'muted':
      return union(ring(C, C, OUTER, RING), box(0.26, 0.44, 0.74, 0.56));
  }
}

function roundedSquare(inset: number, radius: number): Shape {
  return (x, y) => {
    const dx = Math.max(inset + radius - x, 0, x - (1 - inset - radius));
    const dy = Math.max(inset + radius - y, 0, y - (1 - inset - radius));
    return (
      x >= inset && x <= 1 - inset && y >= inset && y <= 1 - inset && dx * dx + dy * dy <= radius * radius
    );
  };
}

/** The app icon: a blue tile with a white gauge ring around three bars, like the dashboard's charts. */
function appIcon(size: number): Buffer {
  const blue: Rgb = [28, 100, 242];
  const white: Rgb = [255, 255, 255];
  return render(size, [
    [roundedSquare(0.06, 0.2), blue],
    [ring(C, C, 0.34, 0.06), white],
    [union(box(0.35, 0.5, 0.43, 0.66), box(0.46, 0.38, 0.54, 0.66), box(0.57, 0.44, 0.65, 0.66)), white],
  ]);
}

/** Every file under assets/, by path relative to it. */
export function renderIcons(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const black: Rgb = [0, 0, 0];
  for (const state of STATES) {
    const glyph = trayGlyph(state);
    for (const [suffix, size] of [
      ['', 16],
      ['@2x', 32],
    ] as const) {
      files.set(`tray/${state}${suffix}.png`, render(size, [[glyph, COLOURS[state]]]));
      // macOS template images: black with alpha; the menu bar tints them for its appearance.
      files.set(`tray/${state}Template${suffix}.png`, render(size, [[glyph, black]]));
    }
  }
  files.set('icon.png', appIcon(512));
  return files;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? 'assets';
  for (const [path, png] of renderIcons()) {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), png);
  }
}
