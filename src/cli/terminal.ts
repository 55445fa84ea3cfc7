import { colorAllowed } from '../util/color.ts';
import type { WatchOutput } from './watch.ts';

/** `watch`'s output on this process's stdout and stderr, with the terminal's size and resizes. */
export function processOutput(): WatchOutput {
  const { stdout, stderr } = process;
  const interactive = stdout.isTTY === true;
  return {
    write: (text) => stdout.write(text),
    error: (text) => stderr.write(text),
    interactive,
    color: colorAllowed(interactive, process.env),
    size: () => (interactive ? { columns: stdout.columns, rows: stdout.rows } : null),
    onResize(listener) {
      stdout.on('resize', listener);
      return () => stdout.off('resize', listener);
    },
  };
}
