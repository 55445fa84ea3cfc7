/**
 * Redrawing a terminal in place without flicker: cursor home, each line cleared after its text,
 * then the rest of the screen, so there is never a blank frame between two. Pure.
 */

import { stripVTControlCharacters } from 'node:util';

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

const HOME = '\x1b[H';
const CLEAR_LINE = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';

/**
 * One redraw in place. A line that ends on the terminal's last column gets no clear-to-end: the
 * cursor waits there, and some terminals would erase that character. A frame taller than the screen
 * would scroll and leave copies behind, so it ends in a line that says what is hidden.
 */
export function inPlaceFrame(lines: readonly string[], size: TerminalSize): string {
  const shown =
    lines.length <= size.rows
      ? lines
      : [...lines.slice(0, Math.max(0, size.rows - 1)), `… ${lines.length - size.rows + 1} more lines below`];
  const visible = (line: string): number => [...stripVTControlCharacters(line)].length;
  const text = shown
    .map((line) => (visible(line) % size.columns === 0 && line !== '' ? line : `${line}${CLEAR_LINE}`))
    .join('\n');
  return `${HOME}${text}${CLEAR_BELOW}`;
}
