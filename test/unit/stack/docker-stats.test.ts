import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSize, parseStatsRow } from '../../stack/docker-stats.ts';

describe('parsing docker stats rows', () => {
  it('reads memory in 1024-based units and I/O in 1000-based ones', () => {
    const row = parseStatsRow(
      '{"BlockIO":"4.1MB / 0B","CPUPerc":"101.25%","Container":"docker-api-1","ID":"d927e8054237",' +
        '"MemPerc":"0.14%","MemUsage":"34.09MiB / 23.54GiB","Name":"docker-api-1","NetIO":"1.2kB / 648B","PIDs":"2"}',
    );
    assert.deepEqual(row, {
      id: 'd927e8054237',
      name: 'docker-api-1',
      cpuPercent: 101.25,
      memUsageBytes: Math.round(34.09 * 2 ** 20),
      memLimitBytes: Math.round(23.54 * 2 ** 30),
      memPercent: 0.14,
      netRxBytes: 1200,
      netTxBytes: 648,
      blockReadBytes: 4.1e6,
      blockWriteBytes: 0,
      pids: 2,
    });
  });

  it('gives null for the placeholders of a container not yet read', () => {
    const row = parseStatsRow(
      '{"BlockIO":"--","CPUPerc":"--","ID":"e308b8fd3b05","MemPerc":"--","MemUsage":"-- / --","Name":"x","NetIO":"--","PIDs":"--"}',
    );
    assert.deepEqual(
      [row.cpuPercent, row.memUsageBytes, row.memLimitBytes, row.netRxBytes, row.blockWriteBytes, row.pids],
      [null, null, null, null, null, null],
    );
  });

  it('tells kB from KiB and refuses unknown units', () => {
    assert.equal(parseSize('1kB'), 1000);
    assert.equal(parseSize('1KiB'), 1024);
    assert.equal(parseSize('0B'), 0);
    assert.equal(parseSize('3 parsecs'), null);
  });
});
