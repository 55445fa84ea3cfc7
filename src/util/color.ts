/**
 * Whether a stream may be coloured: only a terminal, and never when NO_COLOR is set to anything
 * (https://no-color.org) or TERM says the terminal is dumb.
 */
export function colorAllowed(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (!isTTY) return false;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  return env['TERM'] !== 'dumb';
}
