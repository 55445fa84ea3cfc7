import assert from 'node:assert/strict';
import { it } from 'node:test';
import { inQuietHours, isMuted, minuteOfDayFrom } from '../../../src/alerts/mute.ts';

const NIGHT = { start: '22:00', end: '07:00' };
const at = (h: number, m = 0): number => h * 60 + m;

it('reads times of day and rejects what is not one', () => {
  assert.equal(minuteOfDayFrom('07:30'), 450);
  assert.equal(minuteOfDayFrom(' 7:05 '), 425);
  assert.equal(minuteOfDayFrom('24:00'), null);
  assert.equal(minuteOfDayFrom('7h'), null);
});

it('quiet hours wrap past midnight: start included, end excluded', () => {
  assert.equal(inQuietHours(at(21, 59), NIGHT), false);
  assert.equal(inQuietHours(at(22), NIGHT), true);
  assert.equal(inQuietHours(at(3), NIGHT), true);
  assert.equal(inQuietHours(at(6, 59), NIGHT), true);
  assert.equal(inQuietHours(at(7), NIGHT), false);
});

it('quiet hours within one day, none set, or unreadable ones', () => {
  const lunch = { start: '12:00', end: '13:00' };
  assert.equal(inQuietHours(at(12, 30), lunch), true);
  assert.equal(inQuietHours(at(13, 30), lunch), false);
  assert.equal(inQuietHours(at(3), null), false);
  assert.equal(inQuietHours(at(3), { start: 'late', end: '07:00' }), false);
});

it('mute all lasts until its time, a muted key mutes only itself', () => {
  const noon = at(12);
  const base = { muteUntil: null, mutedKeys: [], quietHours: NIGHT };
  assert.equal(isMuted('local/docker/api/1', 1000, noon, base), false);
  assert.equal(isMuted('local/docker/api/1', 1000, noon, { ...base, muteUntil: 2000 }), true);
  assert.equal(isMuted('local/docker/api/1', 2000, noon, { ...base, muteUntil: 2000 }), false);
  const oneKey = { ...base, mutedKeys: ['local/docker/api/1'] };
  assert.equal(isMuted('local/docker/api/1', 1000, noon, oneKey), true);
  assert.equal(isMuted('local/docker/worker/1', 1000, noon, oneKey), false);
  assert.equal(isMuted('local/docker/worker/1', 1000, at(23), base), true);
});
