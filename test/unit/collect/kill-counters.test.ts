import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createCgroupSource } from '../../../src/collect/cgroup-source.ts';
import { createProcReader } from '../../../src/collect/proc-reader.ts';
import type { StatsSource } from '../../../src/collect/source.ts';
import type { ContainerMeta, Reading } from '../../../src/model.ts';

const MIB = 1024 * 1024;
const ID = 'c0ffee'.repeat(10) + 'abcd';
const PID = 4242;

const root = mkdtempSync(join(tmpdir(), 'dm-kill-counters-'));
after(() => rmSync(root, { recursive: true, force: true }));
const proc = join(root, 'proc');
const scope = join(root, `sys/fs/cgroup/system.slice/docker-${ID}.scope`);

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

function status(
  name: string,
  state: string,
  ppid: number,
  rssKib: number | null,
  shdpnd = '0'.repeat(16),
): string {
  const rss = rssKib === null ? '' : `VmRSS:\t${rssKib} kB\n`;
  return `Name:\t${name}\nState:\t${state}\nPPid:\t${ppid}\n${rss}SigPnd:\t${'0'.repeat(16)}\nShdPnd:\t${shdpnd}\n`;
}

/** A cgroup v2 container whose main process is a shell with one awk child, and the host's vmstat. */
write(join(proc, 'self/mountinfo'), `29 23 0:26 / ${join(root, 'sys/fs/cgroup')} rw - cgroup2 cgroup2 rw\n`);
write(join(proc, 'stat'), 'cpu  1000 0 500 8000 100 0 50 7 0 0\n');
write(join(proc, 'vmstat'), 'nr_free_pages 10\noom_kill 7\npgfault 3\n');
write(join(proc, `${PID}/cgroup`), `0::/system.slice/docker-${ID}.scope\n`);
write(join(proc, `${PID}/status`), status('sh', 'S (sleeping)', 1, 1500));
write(join(proc, `${PID}/cmdline`), 'sh\0-c\0while true; do /bin/awk …; done\0');
write(join(proc, '4300/status'), status('awk', 'R (running)', PID, 40 * 1024));
write(join(proc, '4300/cmdline'), '/bin/awk\0-v\0rate=16\0BEGIN {}\0');
write(join(scope, 'cgroup.procs'), `${PID}\n4300\n`);
write(join(scope, 'memory.current'), `${48 * MIB}\n`);
write(join(scope, 'memory.stat'), `anon ${45 * MIB}\ninactive_file 0\n`);
write(join(scope, 'memory.max'), `${48 * MIB}\n`);
write(join(scope, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 0\noom_kill 0\noom_group_kill 0\n');
write(join(scope, 'cpu.stat'), 'usage_usec 100\n');

const meta = { id: ID, pid: PID, state: 'running' } as ContainerMeta;
const clock = { now: () => 1_700_000_000_000, setTimeout: () => null, clearTimeout: () => {} };
const fallback: StatsSource = {
  kind: 'api',
  read: async (containers) => new Map(containers.map((c) => [c.id, { ok: false, error: 'fallback' }])),
  setInterval() {},
  forget() {},
  close() {},
};

async function readOnce(source: StatsSource): Promise<Reading> {
  const result = (await source.read([meta])).get(ID);
  assert.ok(result?.ok === true, JSON.stringify(result));
  return result.reading;
}

describe('the kernel’s kill counts through the cgroup files (a made-up v2 tree)', () => {
  it('a reading carries the cgroup’s counts, and the host’s count is read beside it', async () => {
    const source = createCgroupSource({ clock, memTotalBytes: 8 * 1024 * MIB, fallback, procRoot: proc });
    assert.equal(source.hostOomKills?.(), 7);
    assert.deepEqual((await readOnce(source)).kernel, { oomKills: 0, limitHits: 12 });
    source.close();
  });

  it('a count that rose while the main process has SIGKILL pending is withheld: its die tells that kill', async () => {
    const source = createCgroupSource({ clock, memTotalBytes: 8 * 1024 * MIB, fallback, procRoot: proc });
    await readOnce(source);
    write(join(scope, 'memory.events'), 'low 0\nhigh 0\nmax 13\noom 1\noom_kill 1\noom_group_kill 0\n');
    write(join(proc, `${PID}/status`), status('sh', 'S (sleeping)', 1, 1500, '0000000000000100'));
    assert.equal((await readOnce(source)).kernel, undefined);
    write(join(proc, `${PID}/status`), status('sh', 'S (sleeping)', 1, 1500));
    assert.deepEqual(
      (await readOnce(source)).kernel,
      { oomKills: 1, limitHits: 13 },
      'it lived on after all',
    );
    source.close();
  });
});

describe('processes through the cgroup’s list and /proc (a made-up v2 tree)', () => {
  it('lists every process of the container with its RSS and command line; a gone one is left out', async () => {
    const reader = createProcReader({ procRoot: proc });
    const first = (await reader.read([meta])).get(ID);
    assert.deepEqual(first, [
      {
        pid: PID,
        ppid: 1,
        argv: ['sh', '-c', 'while true; do /bin/awk …; done'],
        rssBytes: 1500 * 1024,
        ending: false,
      },
      {
        pid: 4300,
        ppid: PID,
        argv: ['/bin/awk', '-v', 'rate=16', 'BEGIN {}'],
        rssBytes: 40 * MIB,
        ending: false,
      },
    ]);
    write(join(scope, 'cgroup.procs'), `${PID}\n4300\n4301\n`);
    const second = (await reader.read([meta])).get(ID);
    assert.deepEqual(
      second?.map((p) => p.pid),
      [PID, 4300],
      '4301 has no /proc entry: it ended between the list and the read',
    );
    reader.close();
  });
});
