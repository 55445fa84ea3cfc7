import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readingFromPrecpu, readingFromStats } from '../../../src/stats/reading.ts';
import { computeUsage, type Usage } from '../../../src/stats/usage.ts';
import { fixture } from '../../helpers/stats-fixture.ts';

const BODIES = readdirSync(new URL('../../fixtures/docker-stats/', import.meta.url)).filter(
  (f) => f.endsWith('.json') && !f.includes('fragment') && !f.includes('info') && !f.includes('inspect'),
);

const HOSTILE_VALUES: readonly unknown[] = [
  null,
  -1,
  'NaN',
  '12',
  Number.POSITIVE_INFINITY,
  {},
  [],
  true,
  Number.MAX_SAFE_INTEGER * 4,
];

/** A small deterministic PRNG, so a failure names a seed that reproduces it. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function mutate(value: unknown, next: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => mutate(v, next));
  if (typeof value !== 'object' || value === null) {
    return next() < 0.15 ? HOSTILE_VALUES[Math.floor(next() * HOSTILE_VALUES.length)] : value;
  }
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const roll = next();
    if (roll < 0.1) continue;
    out[key] = roll < 0.15 ? HOSTILE_VALUES[Math.floor(next() * HOSTILE_VALUES.length)] : mutate(child, next);
  }
  return out;
}

function assertNoNaN(usage: Usage, context: string): void {
  for (const [field, value] of Object.entries(usage)) {
    assert.ok(
      value === null || (typeof value === 'number' && Number.isFinite(value)),
      `${context}: ${field}=${value}`,
    );
  }
}

describe('hostile stats bodies', () => {
  it('truncated JSON is refused by the parser before it reaches the maths', () => {
    const text = JSON.stringify(fixture('podman-basepod-5.7.1-stream-sample.json'));
    for (let cut = 0; cut < text.length; cut += 7) {
      let body: unknown;
      try {
        body = JSON.parse(text.slice(0, cut));
      } catch {
        continue;
      }
      const parsed = readingFromStats(body, 0);
      if (parsed.ok) assertNoNaN(computeUsage(null, parsed.reading, null), `cut at ${cut}`);
    }
  });

  it('non-objects are refused with a reason', () => {
    for (const body of [null, 42, 'stats', [], [1, 2]]) {
      const parsed = readingFromStats(body, 0);
      assert.equal(parsed.ok, false);
      assert.ok(!parsed.ok && parsed.error.length > 0);
    }
  });

  it('randomly damaged real bodies never throw and never yield NaN or Infinity', () => {
    for (const name of BODIES) {
      const original = fixture(name);
      for (let seed = 1; seed <= 300; seed++) {
        const next = random(seed);
        const damaged = mutate(original, next);
        const current = readingFromStats(damaged, 1000);
        const previous = readingFromPrecpu(damaged, 1000);
        if (!current.ok) continue;
        assertNoNaN(
          computeUsage(previous.ok ? previous.reading : null, current.reading, null, 2),
          `${name} seed ${seed}`,
        );
        assertNoNaN(computeUsage(current.reading, current.reading, 0, null), `${name} seed ${seed} self`);
      }
    }
  });
});
