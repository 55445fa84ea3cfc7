import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HISTORY_METRICS, type HistoryMetric, type HistoryResponse } from '../../../src/api.ts';
import { CsvError, parseCsv, parseCsvRecords, toCsv } from '../../../src/export/csv.ts';
import {
  containerExport,
  windowFor,
  type ExportContainer,
  type ExportPoint,
} from '../../../src/export/history.ts';
import { parseJson, toJson } from '../../../src/export/json.ts';
import { HistoryStore } from '../../../src/history/store.ts';
import { ROLES } from '../../../src/model.ts';
import { MiB, sample, T0 } from '../../helpers/metrics-fixtures.ts';

function byMetric(
  answer: (metric: HistoryMetric) => HistoryResponse,
): Record<HistoryMetric, HistoryResponse> {
  return {
    cpuPercent: answer('cpuPercent'),
    memUsageBytes: answer('memUsageBytes'),
    memPercent: answer('memPercent'),
  };
}

/** What `monitor:history` answers for every metric of one key, straight from a real store. */
function historyOf(
  store: HistoryStore,
  key: string,
  from: number,
  to: number,
): Record<HistoryMetric, HistoryResponse> {
  return byMetric((m) => store.range(key, m, from, to));
}

function filled(rawCapacity: number, seconds: number, stepSec: number): HistoryStore {
  const store = new HistoryStore({ rawCapacity });
  for (let sec = 0; sec <= seconds; sec += stepSec) {
    for (const [name, base] of [
      ['docker-api-1', 100],
      ['docker-worker-1', 300],
    ] as const) {
      const mem = (base + (sec % 97)) * MiB + 0.5;
      store.add(
        sample(name, {
          ts: T0 + sec * 1000,
          cpuPercent: sec % 7 === 0 ? null : (sec % 13) * 3.3,
          memUsageBytes: mem,
          memPercent: (mem / (512 * MiB)) * 100,
        }),
      );
    }
  }
  return store;
}

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const hostile = fc.oneof(
  text,
  fc.constantFrom('=SUM(A1)', '+1', '-1', '@x', "'quoted", '"a,b"\r\nc', '\tx', ''),
);
const value = fc.oneof(
  fc.constant(null),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v)),
);

function pointArb(bucketed: boolean): fc.Arbitrary<ExportPoint> {
  const fields: Record<string, fc.Arbitrary<number | null>> = {};
  for (const m of HISTORY_METRICS) {
    fields[m] = value;
    if (bucketed) {
      fields[`${m}Min`] = value;
      fields[`${m}Max`] = value;
    }
  }
  // Plain objects, as parsing makes them: fast-check's records have no prototype.
  return fc
    .record({ ts: fc.integer({ min: 0, max: 4_102_444_800_000 }), ...fields })
    .map((p) => ({ ...p })) as fc.Arbitrary<ExportPoint>;
}

const containerArb: fc.Arbitrary<ExportContainer> = fc
  .constantFrom('raw', '10s', '1m')
  .chain((resolution) =>
    fc.record({
      key: hostile,
      host: hostile,
      stack: fc.oneof(
        fc.constant(null),
        hostile.filter((s) => s !== ''),
      ),
      service: fc.oneof(
        fc.constant(null),
        hostile.filter((s) => s !== ''),
      ),
      role: fc.constantFrom(...ROLES),
      name: hostile,
      image: hostile,
      resolution: fc.constant(resolution),
      points: fc.array(pointArb(resolution !== 'raw'), { minLength: 1, maxLength: 5 }),
    }),
  )
  .map((c) => ({ ...c })) as fc.Arbitrary<ExportContainer>;

describe('history export as CSV and JSON', () => {
  it('round-trips the raw history of a real store for a 5 min window', () => {
    const store = filled(1200, 600, 1);
    const to = T0 + 600_000;
    const from = to - 300_000;
    const containers = store.keys().map((key) => {
      const latest = store.latest(key);
      assert.ok(latest);
      return containerExport(latest, historyOf(store, key, from, to), from);
    });
    for (const c of containers) {
      assert.equal(c.resolution, 'raw');
      assert.equal(c.points.length, 301);
      const raw = store.range(c.key, 'memUsageBytes', from, to).points;
      assert.deepEqual(
        c.points.map((p) => [p.ts, p.memUsageBytes]),
        raw.map((p) => [p.ts, 'value' in p ? p.value : null]),
      );
      assert.ok(c.points.some((p) => p.cpuPercent === null));
    }
    const csv = toCsv(containers);
    assert.deepEqual(parseCsv(csv), containers);
    assert.deepEqual(parseJson(toJson({ from, to, containers })), { from, to, containers });
  });

  it('round-trips 10 s buckets with their min and max once the raw ring no longer reaches back', () => {
    const store = filled(100, 3000, 5);
    const to = T0 + 3_000_000;
    const from = to - 3_600_000;
    const key = store.keys()[0] as string;
    const exported = containerExport(
      store.latest(key) ?? assert.fail(),
      historyOf(store, key, from, to),
      from,
    );
    assert.equal(exported.resolution, '10s');
    const buckets = store.range(key, 'memUsageBytes', from, to).points;
    assert.equal(exported.points.length, buckets.length);
    assert.deepEqual(
      exported.points.map((p) => [p.ts, p.memUsageBytesMin, p.memUsageBytes, p.memUsageBytesMax]),
      buckets.map((b) => ('min' in b ? [b.ts, b.min, b.avg, b.max] : [])),
    );
    assert.deepEqual(parseCsv(toCsv([exported])), [exported]);
  });

  it('keeps only what lies in the window: raw samples from its start, buckets that end after it', () => {
    const store = filled(1200, 600, 1);
    const key = store.keys()[0] as string;
    const to = T0 + 600_000;
    const all = historyOf(store, key, to - 300_000, to);
    const cut = containerExport(store.latest(key) ?? assert.fail(), all, to - 60_000);
    assert.equal(cut.points[0]?.ts, to - 60_000);
    assert.equal(cut.points.length, 61);
  });

  it('round-trips any container, hostile names and odd numbers included (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(containerArb, { selector: (c) => c.key, maxLength: 4 }), (containers) => {
        const csv = toCsv(containers);
        assert.deepEqual(parseCsv(csv), containers);
        for (const record of parseCsvRecords(csv).slice(1)) {
          for (const cell of record)
            assert.doesNotMatch(cell, /^[=+@\t\r]/, 'no cell a spreadsheet would run');
        }
        assert.deepEqual(parseJson(toJson({ from: 0, to: 1, containers })).containers, containers);
      }),
      { numRuns: 300 },
    );
  });

  it('says what is wrong with a file that is not an export', () => {
    assert.throws(() => parseCsv('a,b\r\n1,2\r\n'), /not a Dify Monitor export/);
    const good = toCsv([
      containerExport(
        sample('docker-api-1'),
        byMetric(() => ({ resolution: 'raw', points: [{ ts: T0, value: 1 }] })),
        0,
      ),
    ]);
    const [header, row] = good.split('\r\n');
    assert.throws(
      () => parseCsv(`${header}\r\n${row},extra\r\n`),
      (e: Error) => e instanceof CsvError && /row 2/.test(e.message),
    );
    assert.throws(
      () => parseCsv(`${header}\r\n${row?.replace(',1,', ',one,')}\r\n`),
      /"one" is not a number/,
    );
    assert.throws(() => parseCsv(`${header}\r\n"unclosed`), /not closed/);
    assert.throws(() => parseJson('{"format":"something else"}'), /not a Dify Monitor export/);
    assert.throws(() => parseJson('{'), /not JSON/);
  });

  it('picks the shortest history window that covers the asked span', () => {
    assert.equal(windowFor(60_000), '5m');
    assert.equal(windowFor(300_000), '5m');
    assert.equal(windowFor(1_800_000), '1h');
    assert.equal(windowFor(3_600_001), '24h');
    assert.equal(windowFor(25 * 3_600_000), null);
  });
});
