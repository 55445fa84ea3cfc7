import { it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../../src/util/duration.ts';

it('parses the durations the CLI accepts', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1s'), 1000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('2'), 2000);
  assert.equal(parseDuration('0s'), null);
  assert.equal(parseDuration('-1s'), null);
  assert.equal(parseDuration('soon'), null);
});
