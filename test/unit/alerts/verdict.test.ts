import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActiveAlert } from '../../../src/alerts/types.ts';
import { makeKillAlert } from '../../helpers/samples.ts';
import {
  countLevels,
  findingFor,
  parseVerdict,
  RECENT_KILL_MS,
  verdictOf,
} from '../../../src/alerts/verdict.ts';

const T0 = 1_700_000_000_000;

function active(over: Partial<ActiveAlert>): ActiveAlert {
  return {
    rule: 'memory-threshold',
    severity: 'warning',
    host: 'local',
    stack: 'docker',
    name: 'docker-api-1',
    key: 'local/docker/api/1',
    etaSeconds: null,
    ...over,
  };
}

const kill = makeKillAlert;

describe('verdict', () => {
  it('is the worst condition per key, with every reason, worst first', () => {
    const verdict = verdictOf(
      [
        active({ rule: 'memory-trend', severity: 'warning' }),
        active({ rule: 'memory-threshold', severity: 'critical' }),
        active({ rule: 'cpu-threshold', severity: 'warning' }),
      ],
      [],
      T0,
    );
    const api = findingFor(verdict, 'local/docker/api/1');
    assert.equal(api?.level, 'critical');
    assert.equal(api?.scope, 'container');
    assert.deepEqual(
      api?.reasons.map((r) => r.rule),
      ['memory-threshold', 'memory-trend', 'cpu-threshold'],
    );
  });

  it('tells containers, stacks and hosts apart', () => {
    const verdict = verdictOf(
      [
        active({}),
        active({ rule: 'stack-memory', name: 'docker', key: 'local/docker' }),
        active({ rule: 'host-down', stack: null, name: 'staging', key: 'staging', host: 'staging' }),
      ],
      [],
      T0,
    );
    assert.deepEqual(
      verdict.findings.map((f) => [f.key, f.scope]).sort(),
      [
        ['local/docker', 'stack'],
        ['local/docker/api/1', 'container'],
        ['staging', 'host'],
      ].sort(),
    );
    assert.deepEqual(countLevels(verdict), { warning: 3, critical: 0 });
  });

  it('keeps an OOM-killed container critical for 15 minutes, then lets it go', () => {
    assert.equal(
      findingFor(verdictOf([], [kill(T0)], T0 + 60_000), 'local/docker/worker/1')?.level,
      'critical',
    );
    assert.equal(
      findingFor(verdictOf([], [kill(T0)], T0 + RECENT_KILL_MS + 1), 'local/docker/worker/1'),
      undefined,
    );
  });

  it('leaves out info and what holds nothing', () => {
    assert.deepEqual(verdictOf([active({ severity: 'info' })], [], T0).findings, []);
  });

  it('reads back what it wrote, and refuses what is not a verdict', () => {
    const verdict = verdictOf([active({}), active({ rule: 'unhealthy' })], [kill(T0)], T0);
    assert.deepEqual(parseVerdict(JSON.parse(JSON.stringify(verdict))), verdict);
    for (const bad of [
      null,
      {},
      { findings: 'x' },
      { findings: [{ ...verdict.findings[0], level: 'fatal' }] },
      { findings: [{ ...verdict.findings[0], reasons: [{ rule: 'no-such-rule', level: 'warning' }] }] },
      { findings: [{ ...verdict.findings[0], key: 'k'.repeat(5000) }] },
    ])
      assert.equal(parseVerdict(bad), null, JSON.stringify(bad).slice(0, 80));
  });
});
