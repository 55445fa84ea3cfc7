/**
 * The live table in a real terminal (#17): tmux runs `dify-monitor watch` against the stand-in
 * stack at 80 and 120 columns. One line per container under one heading line per stack, nothing
 * wrapped, names cut in the middle when they do not fit, warning and critical rows coloured (not
 * with NO_COLOR, and the words say it either way), `--sort mem`, `--no-trunc`, and redraws that go
 * home and clear to the end instead of clearing the screen. Before, cli-table3 drew a border line
 * between every row and cleared the whole screen for each round.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.ts';
import { removeAll, startStack, type StandInStack } from '../../stack/stack.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'src/cli/index.ts');
const SCREENSHOTS = join(ROOT, 'docs/screenshots');
const TAG = 'live-table';
/** Long enough that a 80-column terminal must cut the names. */
const PROJECT = 'dify-production-eu-west';
const SOCKET = `dm-live-table-${process.pid}`;
/** Tall enough for other tests' stacks on the same engine too. */
const ROWS = 120;
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const dir = mkdtempSync(join(tmpdir(), 'dm-live-table-'));
let stack: StandInStack;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

/** A watch in a detached tmux window of `columns` × ROWS, its output bytes also kept in a file. */
function startWatch(
  name: string,
  columns: number,
  flags: readonly string[],
  env: Record<string, string> = {},
): string {
  const command = [
    'env',
    '-u',
    'NO_COLOR',
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    process.execPath,
    CLI,
    'watch',
    '--host',
    'unix:///var/run/docker.sock',
    '--settings',
    join(dir, 'settings.json'),
    '--alert-log',
    join(dir, `${name}-alerts.json`),
    ...flags,
  ].join(' ');
  tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', String(ROWS), command);
  tmux('pipe-pane', '-t', name, '-o', `cat >> ${join(dir, `${name}.bytes`)}`);
  return name;
}

const capture = (name: string, ...flags: string[]): string =>
  tmux('capture-pane', '-p', '-t', name, ...flags);

const HEADING = `local · stack ${PROJECT}`;

/**
 * The stack's container lines: those after its heading that start with its name (whole, or cut
 * in the middle, which keeps at least `dify`). Other tests' stacks on the engine are ignored.
 */
function stackLines(screen: string): string[] {
  const lines = screen.split('\n');
  const start = lines.indexOf(HEADING);
  if (start < 0) return [];
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => !line.startsWith('dify'));
  return end < 0 ? rest : rest.slice(0, end);
}

const nameOf = (line: string): string => line.split(/\s+/)[0] ?? '';

/** The stack's lines showing `name`, whole or cut in the middle. */
function linesOf(screen: string, name: string): string[] {
  return stackLines(screen).filter((line) => {
    const shown = nameOf(line);
    if (shown === name) return true;
    const [head, tail] = shown.split('…');
    return tail !== undefined && head !== undefined && name.startsWith(head) && name.endsWith(tail);
  });
}

/** Waits until every running container of the stack has a CPU figure and both alerts hold. */
async function settled(name: string, ...captureFlags: string[]): Promise<string> {
  let screen = '';
  for (let i = 0; i < 120; i++) {
    screen = capture(name, ...captureFlags);
    const rows = stackLines(screen);
    const figures = rows.filter((l) => /\s\d+\.\d\d%\s/.test(l)).length;
    const held =
      rows.some((l) => l.includes('CRITICAL: Memory critical')) &&
      rows.some((l) => l.includes('WARNING: Memory high'));
    if (rows.length === stack.containers.length && figures === rows.length - 1 && held) return screen;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`the table never settled:\n${screen}`);
}

/** What the watch wrote, frame by frame (each from the cursor home to the clear below), without escapes. */
function frames(name: string): string[][] {
  const file = join(dir, `${name}.bytes`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\x1b[H')
    .slice(1)
    .filter((chunk) => chunk.includes('\x1b[J'))
    .map((chunk) => stripVTControlCharacters(chunk.slice(0, chunk.indexOf('\x1b[J'))).split(/\r?\n/));
}

/** The column heads and the stack's block, as the README shows them (other tests' stacks left out). */
function screenshot(screen: string): string {
  const lines = screen.split('\n');
  return [lines.find((l) => l.startsWith('NAME ')) ?? '', HEADING, ...stackLines(screen)].join('\n');
}

describe('the live table in a terminal', () => {
  before(async () => {
    await removeAll(TAG);
    stack = await startStack({
      tag: TAG,
      layout: 'current',
      project: PROJECT,
      memLimits: { api: '200m', worker: '200m' },
      workloads: { api: { kind: 'steady', mib: 100 }, worker: { kind: 'steady', mib: 60 } },
    });
    // api at about 50 % of its limit is critical, the worker at about 30 % a warning.
    const memory = { warningPercent: 25, criticalPercent: 45, hysteresisPoints: 2 };
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({ ...DEFAULT_SETTINGS, alerts: { ...DEFAULT_SETTINGS.alerts, memory } }),
    );
  });

  after(async () => {
    try {
      tmux('kill-server');
    } catch {
      // No server left to kill.
    }
    await removeAll(TAG);
    rmSync(dir, { recursive: true, force: true });
  });

  for (const columns of [80, 120]) {
    it(`at ${columns} columns: one line per container, a heading per stack, nothing wrapped`, async () => {
      const name = startWatch(`w${columns}`, columns, []);
      const screen = await settled(name);
      const lines = screen.split('\n');
      assert.ok(
        lines.every((l) => [...l].length <= columns),
        screen,
      );
      for (const row of stackLines(screen))
        assert.match(row, /\s(?:OK|WARNING: \S.*|CRITICAL: \S.*)$/, `a whole row on one line\n${screen}`);
      for (const frame of frames(name))
        for (const line of frame)
          assert.ok([...line].length <= columns, `a line wider than the terminal: ${line}`);
      assert.equal(lines.filter((l) => l.startsWith('NAME ')).length, 1, screen);
      assert.equal(lines.filter((l) => l === HEADING).length, 1, screen);
      for (const container of stack.containers)
        assert.equal(linesOf(screen, container.name).length, 1, `${container.name}\n${screen}`);
      assert.equal(stackLines(screen).length, stack.containers.length, screen);
      const longest = `${PROJECT}-init_permissions-1`;
      if (columns === 80) assert.match(linesOf(screen, longest)[0] ?? '', /^dify\S*…\S*-1 /, screen);
      else assert.ok(screen.includes(longest), screen);

      const coloured = capture(name, '-e');
      const rowOf = (container: string): string => {
        const shown = linesOf(stripVTControlCharacters(coloured), container)[0];
        return coloured.split('\n').find((l) => stripVTControlCharacters(l) === shown) ?? '';
      };
      const api = rowOf(`${PROJECT}-api-1`);
      const worker = rowOf(`${PROJECT}-worker-1`);
      assert.ok(api.startsWith(RED) && api.includes('CRITICAL: Memory critical'), `critical is red: ${api}`);
      assert.ok(
        worker.startsWith(YELLOW) && worker.includes('WARNING: Memory high'),
        `warning is yellow: ${worker}`,
      );

      // A few more rounds: drawn in place, so nothing went to the scrollback.
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(tmux('display-message', '-p', '-t', name, '#{history_size}').trim(), '0');
      const bytes = readFileSync(join(dir, `${name}.bytes`), 'utf8');
      assert.ok(frames(name).length > 3, 'several frames, each from the cursor home');
      assert.ok(!bytes.includes('\x1b[2J'), 'never a full clear');
      assert.ok(
        bytes.includes('\x1b[K') && bytes.includes('\x1b[J'),
        'lines and the rest cleared after the text',
      );

      mkdirSync(SCREENSHOTS, { recursive: true });
      writeFileSync(join(SCREENSHOTS, `watch-${columns}.txt`), `${screenshot(capture(name))}\n`);
      tmux('kill-session', '-t', name);
    });
  }

  it('NO_COLOR: no colour, the words still say it; --sort mem puts the most memory first', async () => {
    const name = startWatch('plain', 120, ['--sort', 'mem'], { NO_COLOR: '1' });
    const screen = await settled(name);
    const coloured = capture(name, '-e');
    assert.ok(!coloured.includes(RED) && !coloured.includes(YELLOW), coloured);
    assert.match(screen, /CRITICAL: Memory critical/);
    assert.match(screen, /WARNING: Memory high/);
    const order = stackLines(screen).map(nameOf);
    assert.deepEqual(order.slice(0, 2), [`${PROJECT}-api-1`, `${PROJECT}-worker-1`], screen);
    tmux('kill-session', '-t', name);
  });

  it('--no-trunc shows every column and whole names, and lets the terminal wrap them', async () => {
    const name = startWatch('full', 80, ['--no-trunc']);
    for (let i = 0; i < 60 && !(frames(name).at(-1) ?? []).includes(HEADING); i++)
      await new Promise((r) => setTimeout(r, 500));
    const frame = frames(name).at(-1) ?? [];
    const header = frame.find((l) => l.startsWith('NAME ')) ?? '';
    for (const title of ['ROLE', 'NET I/O', 'BLOCK I/O', 'PIDS', 'STATE', 'STATUS'])
      assert.ok(header.includes(title), header);
    assert.ok(
      frame.some((l) => l.startsWith(`${PROJECT}-init_permissions-1 `)),
      frame.join('\n'),
    );
    assert.ok(
      frame.some((l) => l.length > 80),
      'lines as long as they are, for the terminal to wrap',
    );
    tmux('kill-session', '-t', name);
  });
});
