import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  formatBytes,
  formatBytesOf,
  formatDuration,
  formatPercent,
  formatRate,
} from '../../../src/alerts/format.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

it('sizes read as a notification says them: one decimal for GiB, whole MiB from 10 up', () => {
  assert.equal(formatBytes(2 * GiB), '2.0 GiB');
  assert.equal(formatBytes(25_276_514_304), '23.5 GiB');
  assert.equal(formatBytes(512 * MiB), '512 MiB');
  assert.equal(formatBytes(1.5 * MiB), '1.5 MiB');
  assert.equal(formatBytes(900), '900 B');
  assert.equal(formatBytes(Number.NaN), '--');
});

it('a part of a whole shares the whole’s unit', () => {
  assert.equal(formatBytesOf(7.1 * GiB, 7.7 * GiB), '7.1 of 7.7 GiB');
  assert.equal(formatBytesOf(600 * MiB, 2 * GiB), '0.6 of 2.0 GiB');
});

it('growth is per minute with a sign', () => {
  assert.equal(formatRate((35 * MiB) / 60), '+35 MiB/min');
  assert.equal(formatRate((2.5 * MiB) / 60), '+2.5 MiB/min');
  assert.equal(formatRate((0.5 * MiB) / 60), '+512 KiB/min');
});

it('durations are rounded to what an estimate deserves', () => {
  assert.equal(formatDuration(45), '45 s');
  assert.equal(formatDuration(240), '4 min');
  assert.equal(formatDuration(252), '4 min');
  assert.equal(formatDuration(130 * 60), '2 h 10 min');
  assert.equal(formatDuration(120 * 60), '2 h');
  assert.equal(formatDuration(-3), '0 s');
  assert.equal(formatPercent(86.6), '87 %');
});
