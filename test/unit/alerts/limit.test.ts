import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeLimit, effectiveLimit } from '../../../src/alerts/limit.ts';

function present<T>(value: T | null): T {
  assert.ok(value !== null);
  return value;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const HOST = 25_276_514_304;

it('the container’s own limit applies when set', () => {
  const limit = effectiveLimit({ role: 'worker', memLimitBytes: 2 * GiB, memLimitSource: 'container' }, {});
  assert.deepEqual(limit, { bytes: 2 * GiB, source: 'container' });
  assert.equal(describeLimit(present(limit)), 'its 2.0 GiB limit');
});

it('without a limit the host’s memory applies, and the message says no limit is set', () => {
  const limit = effectiveLimit({ role: 'api', memLimitBytes: HOST, memLimitSource: 'host' }, {});
  assert.deepEqual(limit, { bytes: HOST, source: 'host' });
  assert.equal(describeLimit(present(limit)), "the host's 23.5 GiB (no limit set)");
});

it('a role budget overrides both, for that role only', () => {
  const budgets = { worker: 1.5 * GiB };
  const worker = effectiveLimit(
    { role: 'worker', memLimitBytes: 2 * GiB, memLimitSource: 'container' },
    budgets,
  );
  assert.deepEqual(worker, { bytes: 1.5 * GiB, source: 'budget' });
  assert.equal(describeLimit(present(worker)), 'its 1.5 GiB budget');
  const api = effectiveLimit({ role: 'api', memLimitBytes: HOST, memLimitSource: 'host' }, budgets);
  assert.equal(api?.source, 'host');
});

it('no limit is known when the sample has none and no budget applies; a zero budget is ignored', () => {
  assert.equal(effectiveLimit({ role: 'db', memLimitBytes: null, memLimitSource: 'host' }, {}), null);
  assert.equal(effectiveLimit({ role: 'db', memLimitBytes: 0, memLimitSource: 'host' }, { db: 0 }), null);
});
