import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isDying,
  parseKernelCounters,
  parseVmstatOomKills,
} from '../../../../src/collect/cgroup/oom-counters.ts';

describe('the kernel’s OOM kill counts', () => {
  it('reads v1 memory.oom_control with memory.failcnt, and v2 memory.events', () => {
    assert.deepEqual(parseKernelCounters(1, 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n', '17\n'), {
      oomKills: 3,
      limitHits: 17,
    });
    assert.deepEqual(
      parseKernelCounters(2, 'low 0\nhigh 0\nmax 42\noom 2\noom_kill 2\noom_group_kill 0\n', null),
      { oomKills: 2, limitHits: 42 },
    );
  });

  it('a kernel without the kill count (before 4.13) gives none, and a garbled failcnt no limit hits', () => {
    assert.equal(parseKernelCounters(1, 'oom_kill_disable 0\nunder_oom 0\n', '0\n'), null);
    assert.deepEqual(parseKernelCounters(1, 'oom_kill 1\n', 'x'), { oomKills: 1, limitHits: null });
  });

  it('finds oom_kill among /proc/vmstat’s lines, not oom_kill_… of another counter', () => {
    const vmstat = 'nr_free_pages 123\npgfault 9\noom_kill 32\nnuma_hit 1\n';
    assert.equal(parseVmstatOomKills(vmstat), 32);
    assert.equal(parseVmstatOomKills('oom_kill 0\n'), 0);
    assert.equal(parseVmstatOomKills('nr_free_pages 1\n'), null);
    assert.equal(parseVmstatOomKills('oom_kill_x 4\n'), null);
  });

  it('a process with SIGKILL pending or a zombie is dying; a sleeping one with other signals pending is not', () => {
    const status = (state: string, sigpnd: string, shdpnd: string): string =>
      `Name:\tawk\nState:\t${state}\nPid:\t7\nSigPnd:\t${sigpnd}\nShdPnd:\t${shdpnd}\n`;
    assert.equal(isDying(status('S (sleeping)', '0000000000000000', '0000000000000100')), true);
    assert.equal(isDying(status('R (running)', '0000000000000100', '0000000000000000')), true);
    assert.equal(isDying(status('Z (zombie)', '0000000000000000', '0000000000000000')), true);
    assert.equal(isDying(status('S (sleeping)', '0000000000004000', '0000000000000002')), false);
  });
});
