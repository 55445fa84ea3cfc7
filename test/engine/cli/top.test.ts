import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { runCli } from '../../helpers/cli.ts';
import { localDocker } from '../../stack/docker-cli.ts';
import { labelFor, OTHER_IMAGE, removeAll } from '../../stack/stack.ts';
import { commandFor } from '../../stack/workloads.ts';

const TAG = 'cli-top';
const NAME = `dm-top-${randomBytes(4).toString('hex')}`;
const MiB = 1024 * 1024;
const SIZES = [10, 20, 40];

interface Row {
  readonly pid: number;
  readonly label: string;
  readonly command: string;
  readonly rssBytes: number;
}

/** One `steady` awk holding `mib`, by its path so that its command line is its own (see oom-process-alert). */
function steady(mib: number): string {
  const [program, ...args] = commandFor({ kind: 'steady', mib });
  return [`/bin/${program}`, ...args.map((a) => `'${a}'`)].join(' ');
}

function procRss(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
  assert.ok(kib !== undefined, `VmRSS of ${pid}`);
  return Number(kib) * 1024;
}

async function awks(source: 'auto' | 'api'): Promise<Row[]> {
  const run = await runCli(['top', NAME, '--json', '--source', source], 20_000);
  assert.equal(run.code, 0, run.stderr);
  const table = run.lines[0] as { processes: Row[] } | undefined;
  assert.ok(table !== undefined, run.stdout);
  return table.processes.filter((p) => p.label === 'awk');
}

describe('dify-monitor top on the real engine', { timeout: 90_000 }, () => {
  before(async () => {
    await removeAll(TAG);
    const children = SIZES.map((mib) => `${steady(mib)} &`).join(' ');
    await localDocker(
      'run',
      '--detach',
      '--name',
      NAME,
      '--network',
      'none',
      '--label',
      labelFor(TAG),
      OTHER_IMAGE,
      'sh',
      '-c',
      `${children} wait`,
    );
    // Each child holds its size once its loop is done: wait until /proc says so.
    for (let tries = 0; ; tries++) {
      const rows = await awks('auto');
      if (
        rows.length === 3 &&
        rows.every((r) => r.rssBytes >= (Number(/mib=(\d+)/.exec(r.command)?.[1]) || 0) * MiB)
      )
        break;
      assert.ok(tries < 40, 'the three children grew to their sizes');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
  after(() => removeAll(TAG));

  for (const source of ['auto', 'api'] as const) {
    it(`lists the 40, 20 and 10 MiB children largest first, with RSS within 5 % of /proc (--source ${source})`, async (t) => {
      const rows = await awks(source);
      assert.deepEqual(
        rows.map((r) => Number(/mib=(\d+)/.exec(r.command)?.[1])),
        [40, 20, 10],
      );
      for (const r of rows) {
        const proc = procRss(r.pid);
        const off = Math.abs(r.rssBytes - proc) / proc;
        assert.ok(
          off <= 0.05,
          `pid ${r.pid}: ${r.rssBytes} vs ${proc} in /proc (${(off * 100).toFixed(1)} %)`,
        );
        t.diagnostic(
          `pid ${r.pid} ${r.command.slice(0, 22)}…: ${(r.rssBytes / MiB).toFixed(1)} MiB, /proc ${(proc / MiB).toFixed(1)} MiB`,
        );
      }
    });
  }

  it('prints the same order as a table, and a clear message for a container that is not there', async () => {
    const run = await runCli(['top', NAME], 20_000);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n');
    assert.match(
      lines[0] ?? '',
      new RegExp(`^${NAME}: \\d+ processes, read from the container's cgroup and /proc on this machine$`),
    );
    assert.match(lines[1] ?? '', /^PID +RSS +TREND +WHAT +COMMAND$/);
    const order = lines.filter((l) => / awk /.test(l)).map((l) => Number(/mib=(\d+)/.exec(l)?.[1]));
    assert.deepEqual(order, [40, 20, 10]);
    const missing = await runCli(['top', `${NAME}-nothing`], 20_000);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^No container named dm-top-\w+-nothing on unix:\/\//);
  });
});
