import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActiveAlert, Alert } from '../../../src/alerts/types.ts';
import { verdictOf, type Verdict } from '../../../src/alerts/verdict.ts';
import { IncidentBook, type Draft, type Incident } from '../../../src/delivery/incidents.ts';
import { alertOf, channelOf, T0, TIMING } from './fixtures.ts';

const WAIT = TIMING.groupWaitMs;
const NONE: Verdict = { findings: [] };
const loud = (): boolean => false;

function ids(): () => string {
  let n = 0;
  return () => `incident-${++n}`;
}

function activeOf(alert: Alert): ActiveAlert {
  return {
    rule: alert.rule,
    severity: alert.severity,
    host: alert.host,
    stack: alert.stack,
    name: alert.name,
    key: alert.key ?? alert.name,
    etaSeconds: alert.etaSeconds,
  };
}

/** What the engine would say holds: these conditions, and any OOM kill among the alerts (from the log). */
function holding(alerts: readonly Alert[], now: number): Verdict {
  const conditions = alerts.filter((a) => a.rule !== 'oom-killed').map(activeOf);
  return verdictOf(conditions, [...alerts].reverse(), now);
}

const trend = alertOf();
const oom = alertOf({
  ts: T0 + 10_000,
  rule: 'oom-killed',
  severity: 'critical',
  message: 'dify-worker-1 was OOM-killed at 2.0 of 2.0 GiB',
  etaSeconds: null,
});
const stackWarning = alertOf({
  ts: T0 + 11_000,
  rule: 'stack-memory',
  severity: 'warning',
  name: 'dify',
  role: null,
  key: 'prod/dify',
  message: 'Stack dify uses 7.1 of 7.7 GiB of the host',
});

function run(book: IncidentBook, now: number, verdict: Verdict, channels = [channelOf()]): Draft[] {
  return book.step(now, verdict, channels, TIMING, loud);
}

describe('one message per incident', () => {
  it('an OOM kill, its trend warning and the stack warning that fire together are one message, after the group wait', () => {
    const book = new IncidentBook(ids());
    const channels = [channelOf()];
    book.add(trend, channels, T0);
    assert.deepEqual(
      run(book, T0 + 5000, holding([trend], T0 + 5000)),
      [],
      'waits for the rest of the burst',
    );
    book.add(oom, channels, T0 + 10_000);
    book.add(stackWarning, channels, T0 + 11_000);
    const all = [trend, oom, stackWarning];
    assert.equal(book.nextDueAt(T0 + 11_000, TIMING, loud), T0 + WAIT);
    const [message, ...more] = run(book, T0 + WAIT, holding(all, T0 + WAIT));
    assert.deepEqual(more, []);
    assert.equal(message?.status, 'firing');
    assert.equal(message?.severity, 'critical');
    assert.equal(message?.stack, 'dify');
    assert.deepEqual(
      message?.alerts.map((a) => a.rule),
      ['oom-killed', 'stack-memory', 'memory-trend'],
      'worst first, then newest',
    );
  });

  it('news waits for the group interval, unless the incident got worse; a quiet firing incident is repeated', () => {
    const book = new IncidentBook(ids());
    const channels = [channelOf()];
    book.add(trend, channels, T0);
    run(book, T0 + WAIT, holding([trend], T0 + WAIT));
    const warning = { ...stackWarning, ts: T0 + 60_000 };
    book.add(warning, channels, T0 + 60_000);
    const held = holding([trend, warning], T0 + 120_000);
    assert.deepEqual(run(book, T0 + 60_000 + WAIT, held), [], 'not worse: waits for the group interval');
    const update = run(book, T0 + WAIT + TIMING.groupIntervalMs, held);
    assert.equal(update.length, 1);
    assert.equal(update[0]?.incident, 'incident-1');

    const lastSent = T0 + WAIT + TIMING.groupIntervalMs;
    book.add({ ...oom, ts: lastSent + 1000 }, channels, lastSent + 1000);
    const worse = run(book, lastSent + 1000 + WAIT, holding([trend, warning, oom], lastSent + 1000 + WAIT));
    assert.equal(worse[0]?.severity, 'critical', 'worse: out after the group wait, not the interval');

    const repeatAt = lastSent + 1000 + WAIT + TIMING.repeatIntervalMs;
    const conditions = holding([trend, warning], repeatAt);
    assert.deepEqual(run(book, repeatAt - 1, conditions), []);
    const repeat = run(book, repeatAt, conditions);
    assert.equal(repeat[0]?.status, 'firing');
    assert.equal(repeat[0]?.incident, 'incident-1', 'the same incident, said again');
  });

  it('"resolved" once nothing of it holds for the group wait; the next alert opens a new incident', () => {
    const book = new IncidentBook(ids());
    const channels = [channelOf()];
    book.add(trend, channels, T0);
    run(book, T0 + WAIT, holding([trend], T0 + WAIT));
    const clear = T0 + 100_000;
    assert.deepEqual(run(book, clear, NONE), []);
    assert.deepEqual(run(book, clear + WAIT - 1, NONE), []);
    const [resolved] = run(book, clear + WAIT, NONE);
    assert.equal(resolved?.status, 'resolved');
    assert.equal(resolved?.incident, 'incident-1');
    assert.equal(resolved?.endedAt, clear);
    assert.deepEqual(book.list(), []);
    book.add({ ...trend, ts: clear + WAIT + 1 }, channels, clear + WAIT + 1);
    assert.equal(book.list()[0]?.id, 'incident-2');
  });

  it('an OOM kill holds its incident while the verdict keeps the kill (15 min), then resolves', () => {
    const book = new IncidentBook(ids());
    book.add(oom, [channelOf()], oom.ts);
    run(book, oom.ts + WAIT, holding([oom], oom.ts + WAIT));
    const later = oom.ts + 14 * 60_000;
    assert.deepEqual(run(book, later, holding([oom], later)), []);
    const after = oom.ts + 16 * 60_000;
    run(book, after, holding([oom], after));
    assert.equal(run(book, after + WAIT, holding([oom], after + WAIT))[0]?.status, 'resolved');
  });

  it('an incident that cleared before its first message says nothing at all', () => {
    const book = new IncidentBook(ids());
    book.add(trend, [channelOf()], T0);
    assert.deepEqual(run(book, T0 + 1000, NONE), []);
    assert.deepEqual(run(book, T0 + 1000 + WAIT, NONE), []);
    assert.deepEqual(book.list(), []);
  });

  it('two stacks are two incidents; a host that is down is its own', () => {
    const book = new IncidentBook(ids());
    const channels = [channelOf()];
    const other = alertOf({
      stack: 'dify-staging',
      key: 'prod/dify-staging/worker/1',
      name: 'staging-worker-1',
    });
    const down = alertOf({
      rule: 'host-down',
      severity: 'critical',
      stack: null,
      name: 'prod',
      role: null,
      key: 'prod',
    });
    for (const a of [trend, other, down]) book.add(a, channels, T0);
    const drafts = run(book, T0 + WAIT, holding([trend, other, down], T0 + WAIT));
    assert.deepEqual(drafts.map((d) => d.stack ?? d.host).sort(), ['dify', 'dify-staging', 'prod']);
    assert.equal(new Set(drafts.map((d) => d.incident)).size, 3);
  });
});

describe('mutes, quiet hours and per-channel filters', () => {
  it('a muted alert opens nothing; a quiet incident waits, and goes out when the quiet ends', () => {
    const book = new IncidentBook(ids());
    book.add({ ...trend, muted: true }, [channelOf()], T0);
    assert.deepEqual(book.list(), []);
    book.add(trend, [channelOf()], T0);
    let quiet = true;
    const step = (now: number): Draft[] =>
      book.step(now, holding([trend], now), [channelOf()], TIMING, () => quiet);
    assert.deepEqual(step(T0 + WAIT), []);
    assert.equal(
      book.nextDueAt(T0 + WAIT, TIMING, () => quiet),
      T0 + WAIT + 60_000,
      'looked at again in a minute',
    );
    quiet = false;
    assert.equal(step(T0 + WAIT + 60_000).length, 1);
  });

  it('each channel hears what its filter lets through: a critical-only channel gets the OOM alone', () => {
    const book = new IncidentBook(ids());
    const everything = channelOf({ name: 'chat' });
    const pager = channelOf({ name: 'pager', minSeverity: 'critical' });
    const onlyOtherStack = channelOf({ name: 'staging', stacks: ['dify-staging'] });
    const channels = [everything, pager, onlyOtherStack];
    for (const a of [trend, oom, stackWarning]) book.add(a, channels, a.ts);
    // The pager's incident opened with the OOM, 10 s after the trend warning opened the others.
    const at = oom.ts + WAIT;
    const drafts = book.step(at, holding([trend, oom, stackWarning], at), channels, TIMING, loud);
    const by = new Map(drafts.map((d) => [d.channel, d]));
    assert.equal(by.get('chat')?.alerts.length, 3);
    assert.deepEqual(
      by.get('pager')?.alerts.map((a) => a.rule),
      ['oom-killed'],
    );
    assert.equal(by.has('staging'), false);
  });

  it('a rules filter: a channel for OOM kills resolves when the kill is old, whatever warnings remain', () => {
    const book = new IncidentBook(ids());
    const kills = channelOf({ name: 'kills', rules: ['oom-killed'] });
    book.add(oom, [kills], oom.ts);
    book.step(oom.ts + WAIT, holding([oom], oom.ts + WAIT), [kills], TIMING, loud);
    const after = oom.ts + 16 * 60_000;
    const onlyTrend = holding([{ ...trend, ts: after }], after);
    book.step(after, onlyTrend, [kills], TIMING, loud);
    assert.equal(book.step(after + WAIT, onlyTrend, [kills], TIMING, loud)[0]?.status, 'resolved');
  });
});

describe('after a restart', () => {
  it('the incidents of the last run stay open for the hold, then resolve if nothing holds them', () => {
    const first = new IncidentBook(ids());
    first.add(trend, [channelOf()], T0);
    run(first, T0 + WAIT, holding([trend], T0 + WAIT));
    const saved: Incident[] = JSON.parse(JSON.stringify(first.list())) as Incident[];
    const restart = T0 + 3_600_000;
    const hold = 5 * 60_000;
    const second = new IncidentBook(ids(), saved, restart, hold);
    assert.deepEqual(run(second, restart + WAIT, NONE), [], 'the engine has not had time to find it again');
    const [resolved] = run(second, restart + hold, NONE);
    assert.equal(resolved?.status, 'resolved');
    assert.equal(resolved?.incident, 'incident-1', 'the incident the last run opened');
  });
});
