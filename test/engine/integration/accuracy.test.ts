import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import {
  dockerStatsSnapshot,
  removeAll,
  startOther,
  startStack,
  type StandInStack,
} from '../../stack/stack.ts';

const TAG = 'accuracy';
const MIB = 1024 * 1024;

interface SampleLine {
  type: 'sample';
  name: string;
  role: string;
  state: string;
  cpuPercent: number | null;
  memUsageBytes: number | null;
  memLimitBytes: number | null;
  memLimitSource: string;
  pids: number | null;
}

function samplesOf(lines: readonly Record<string, unknown>[]): Map<string, SampleLine> {
  const samples = lines.filter((l) => l['type'] === 'sample') as unknown as SampleLine[];
  return new Map(samples.map((s) => [s.name, s]));
}

describe('watch --once --json agrees with docker stats on the stand-in stack', () => {
  let stack: StandInStack;
  let other = '';

  before(async () => {
    await removeAll(TAG);
    stack = await startStack({
      layout: 'current',
      project: 'dm-accuracy',
      tag: TAG,
      workloads: {
        api: { kind: 'steady', mib: 64 },
        worker: { kind: 'spin' },
        db_postgres: { kind: 'steady', mib: 24 },
        weaviate: { kind: 'steady', mib: 40 },
      },
      memLimits: { weaviate: '256m', redis: '96m' },
    });
    other = (await startOther(TAG, 'dm-accuracy-other')).name;
  });

  after(() => removeAll(TAG));

  for (const source of ['cgroup', 'api'] as const) {
    it(`with --source ${source}`, async () => {
      const running = stack.containers.filter((c) => c.service !== 'init_permissions').map((c) => c.name);
      const [run, reference] = await Promise.all([
        runCli(['watch', '--once', '--json', '--all', '--interval', '1s', '--source', source], 60_000),
        dockerStatsSnapshot([...running, other]),
      ]);
      assert.equal(run.code, 0, run.stderr);
      const host = run.lines.find((l) => l['type'] === 'host' && l['state'] === 'up');
      assert.equal(host?.['source'], source);
      const ours = samplesOf(run.lines);
      for (const row of reference) {
        const sample = ours.get(row.name);
        assert.ok(sample, `${row.name} is in the watch output`);
        assert.equal(sample.state, 'running');
        assert.ok(sample.memUsageBytes !== null && row.memUsageBytes !== null, `${row.name} has memory`);
        const allowed = Math.max(MIB, 0.02 * row.memUsageBytes);
        assert.ok(
          Math.abs(sample.memUsageBytes - row.memUsageBytes) <= allowed,
          `${row.name}: memory ${sample.memUsageBytes} vs docker stats ${row.memUsageBytes}`,
        );
        // docker stats prints the limit with 4 significant digits; ours is exact bytes.
        assert.ok(sample.memLimitBytes !== null && row.memLimitBytes !== null);
        assert.ok(
          Math.abs(sample.memLimitBytes - row.memLimitBytes) <= row.memLimitBytes * 0.0005,
          `${row.name}: limit ${sample.memLimitBytes} vs ${row.memLimitBytes}`,
        );
        assert.equal(sample.pids, row.pids, `${row.name}: pids`);
      }
      assert.equal(ours.get(stack.service('weaviate').name)?.memLimitBytes, 256 * MIB);
      assert.equal(ours.get(stack.service('weaviate').name)?.memLimitSource, 'container');
      assert.equal(ours.get(stack.service('api').name)?.memLimitSource, 'host');
      // One spinning thread: about a core on a quiet machine, less when other work shares the two
      // cores, and then docker stats sees the same shortfall.
      const worker = stack.service('worker').name;
      const spinner = ours.get(worker)?.cpuPercent ?? null;
      const theirs = reference.find((r) => r.name === worker)?.cpuPercent ?? null;
      assert.ok(spinner !== null && theirs !== null, 'both read the spinning worker');
      assert.ok(spinner >= 50 && spinner <= 110, `spinning worker shows ${spinner} %`);
      assert.ok(
        Math.abs(spinner - theirs) <= 15,
        `spinning worker: ${spinner} % vs docker stats ${theirs} %`,
      );
      const idle = ours.get(stack.service('redis').name)?.cpuPercent ?? null;
      assert.ok(idle !== null && idle < 5, `idle redis shows ${idle} %`);
      assert.equal(ours.get(other)?.role, 'other');
    });
  }
});
