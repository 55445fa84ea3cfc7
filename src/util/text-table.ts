/**
 * Rows of cells laid out as padded text lines, `docker stats` style: no borders, two spaces
 * between columns, and when a width is given, never a line wider than it. Pure; the CLI's live
 * table is drawn with it.
 */

export interface TextColumn {
  readonly title: string;
  /**
   * Columns are dropped, highest first, while the lines are too wide; 0 is never dropped.
   * Dropping comes before cutting, so that names stay whole as long as something else can go.
   */
  readonly drop: number;
  /**
   * How a cell is shortened once nothing more can be dropped, down to `minWidth`; the cuttable
   * columns give up width in their order. Columns without one keep their width.
   */
  readonly cut?: { readonly at: 'middle' | 'end'; readonly minWidth: number };
}

export interface TextTable {
  /** The titles of the columns kept, laid out like the rows. */
  readonly header: string;
  readonly rows: readonly string[];
}

const GAP = '  ';
const ELLIPSIS = '…';

/** East Asian wide and fullwidth characters (CJK, kana, Hangul, fullwidth forms): two terminal columns each. */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

const charWidth = (char: string): number => (WIDE.test(char) ? 2 : 1);

/** Terminal columns a string takes: a Chinese character two, anything else one (names are ASCII). */
export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/** The longest start of `chars` that fits in `width` columns. */
function head(chars: readonly string[], width: number): string {
  let used = 0;
  let n = 0;
  while (n < chars.length && used + charWidth(chars[n] ?? '') <= width) used += charWidth(chars[n++] ?? '');
  return chars.slice(0, n).join('');
}

/**
 * `text` in at most `width` columns, its middle replaced by an ellipsis: both ends of a name tell,
 * the end a little more (`docker-api-1` is told from `docker-web-1` by its service).
 */
export function cutMiddle(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return chars.slice(0, width).join('');
  const tail = Math.ceil((width - 1) / 2);
  const head = width - 1 - tail;
  return `${chars.slice(0, head).join('')}${ELLIPSIS}${chars.slice(-tail).join('')}`;
}

/** `text` in at most `width` columns, ending in an ellipsis when cut. */
export function cutEnd(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  const chars = [...text];
  if (width <= 1) return head(chars, width);
  return `${head(chars, width - 1)}${ELLIPSIS}`;
}

function naturalWidths(columns: readonly TextColumn[], rows: readonly (readonly string[])[]): number[] {
  return columns.map((column, i) =>
    Math.max(textWidth(column.title), ...rows.map((row) => textWidth(row[i] ?? ''))),
  );
}

function total(widths: readonly number[], kept: readonly number[]): number {
  return kept.reduce((sum, i) => sum + (widths[i] ?? 0), 0) + GAP.length * Math.max(0, kept.length - 1);
}

/** Which columns stay, and how wide each is, for lines of at most `width` columns. */
function fit(columns: readonly TextColumn[], widths: number[], width: number): number[] {
  let kept = columns.map((_, i) => i);
  const droppable = kept.filter((i) => (columns[i]?.drop ?? 0) > 0);
  droppable.sort((a, b) => (columns[b]?.drop ?? 0) - (columns[a]?.drop ?? 0));
  for (const i of droppable) {
    if (total(widths, kept) <= width) break;
    kept = kept.filter((k) => k !== i);
  }
  // Then the cuttable columns give up what is still too much, in their order: names first.
  for (const i of kept.filter((k) => columns[k]?.cut !== undefined)) {
    const excess = total(widths, kept) - width;
    if (excess <= 0) break;
    const room = (widths[i] ?? 0) - (columns[i]?.cut?.minWidth ?? 0);
    if (room > 0) widths[i] = (widths[i] ?? 0) - Math.min(excess, room);
  }
  return kept;
}

function cell(text: string, column: TextColumn, width: number): string {
  return column.cut?.at === 'middle' ? cutMiddle(text, width) : cutEnd(text, width);
}

/**
 * Lays `rows` out under `columns`. With a `width`, columns are dropped and cells cut until a line
 * fits, and a line that still does not (a terminal narrower than the kept minimums) is cut at
 * the end. Without one, everything is shown in full.
 */
export function layoutTextTable(
  columns: readonly TextColumn[],
  rows: readonly (readonly string[])[],
  width: number | null,
): TextTable {
  const widths = naturalWidths(columns, rows);
  const kept = width === null ? columns.map((_, i) => i) : fit(columns, widths, width);
  const line = (cells: readonly string[]): string => {
    const text = kept
      .map((i, n) => {
        const column = columns[i] as TextColumn;
        const shown = cell(cells[i] ?? '', column, widths[i] ?? 0);
        // The last column is not padded: no trailing blanks for a terminal to wrap.
        const pad = n === kept.length - 1 ? 0 : (widths[i] ?? 0) - textWidth(shown);
        return `${shown}${' '.repeat(Math.max(0, pad))}`;
      })
      .join(GAP);
    return width === null ? text : cutEnd(text, width);
  };
  return { header: line(columns.map((c) => c.title)), rows: rows.map(line) };
}
