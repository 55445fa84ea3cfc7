import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LateLocalEngine, LOOK_AGAIN_MS, type Found } from '../../../main/local-engine.ts';
import { followPower } from '../../../main/power.ts';
import { createMonitorService } from '../../../src/service/create-monitor.ts';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.ts';
import { memorySettingsStore } from '../../../src/settings/store.ts';
import type { Clock } from '../../../src/util/clock.ts';
import { Emitter, FakeCollector, hostState, settle, T0 } from './fakes.ts';

type ManualClock = Clock & {
  advance(ms: number): Promise<void>;
  /** Delays of the timers still to fire, only those set through `only` when it is given. */
  pending(only?: ReadonlySet<unknown>): number[];
};

/** A clock whose timers fire when the test moves it on. */
function manualClock(): ManualClock {
  let now = T0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 0;
  return {
    now: () => now,
    setTimeout(fn, ms) {
      timers.set(++next, { at: now + ms, fn });
      return next;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    async advance(ms) {
      now += ms;
      for (const [id, timer] of [...timers]) {
        if (timer.at > now) continue;
        timers.delete(id);
        timer.fn();
      }
      await settle();
    },
    pending: (only) =>
      [...timers].filter(([id]) => only === undefined || only.has(id)).map(([, t]) => t.at - now),
  };
}

/**
 * The same clock, for the late engine alone: the service shares it for its own timers (the timeline's
 * heartbeat), and `pending()` here counts only the looks, which is what the backoff is about.
 */
function lookClock(clock: ManualClock): ManualClock {
  const mine = new Set<unknown>();
  return {
    ...clock,
    setTimeout(fn, ms) {
      const handle = clock.setTimeout(() => {
        mine.delete(handle);
        fn();
      }, ms);
      mine.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      mine.delete(handle);
      clock.clearTimeout(handle);
    },
    pending: () => clock.pending(mine),
  };
}

function setup(answers: Found[]) {
  const shared = manualClock();
  const clock = lookClock(shared);
  const looks: number[] = [];
  const adopted: number[] = [];
  const late = new LateLocalEngine({
    find: async () => {
      looks.push(clock.now());
      return answers.shift() ?? { ok: false, error: 'no engine socket was found' };
    },
    watched: () => service.current().hosts,
    clock,
    firstError: 'no engine socket was found in the usual places',
    onAdopted: () => adopted.push(clock.now()),
  });
  const service = createMonitorService({
    collectors: [late],
    clock: shared,
    settings: memorySettingsStore(DEFAULT_SETTINGS),
  });
  return { clock, late, service, looks, adopted };
}

describe('the local engine, looked for until it is up', () => {
  it('says it looks, raises no alert for an engine that never was, and watches the engine once it appears', async () => {
    const colima = new FakeCollector('colima');
    colima.state = hostState('colima', 'connecting', {
      endpoint: 'unix:///home/me/.colima/default/docker.sock',
    });
    const { clock, service, looks, adopted } = setup([
      { ok: false, error: 'still nothing' },
      { ok: true, collector: colima },
    ]);
    const before = await service.handle('monitor:snapshot', null);
    assert.deepEqual(
      before.hosts.map((h) => [h.host, h.state]),
      [['local', 'down']],
    );
    assert.match(before.hosts[0]?.message ?? '', /^No Docker engine found yet; looking again\. /);
    assert.deepEqual(clock.pending(), [LOOK_AGAIN_MS[0]]);

    await clock.advance(LOOK_AGAIN_MS[0]);
    assert.equal(looks.length, 1);
    assert.deepEqual(clock.pending(), [LOOK_AGAIN_MS[1]], 'backs off');
    await clock.advance(LOOK_AGAIN_MS[1]);
    assert.equal(looks.length, 2);
    assert.equal(colima.started, 1, 'the engine found is started');
    assert.equal(adopted.length, 1, 'the page is told to load afresh');
    assert.equal(colima.lastMode, 'tray');
    colima.host(hostState('colima', 'up', { endpoint: colima.state.endpoint }));
    const after = await service.handle('monitor:snapshot', null);
    assert.deepEqual(
      after.hosts.map((h) => [h.host, h.state]),
      [['colima', 'up']],
    );
    assert.deepEqual(after.alerts, [], 'no "host down" for the search');
    assert.deepEqual(clock.pending(), [], 'nothing more is looked for');
    service.addViewer();
    assert.equal(colima.lastMode, 'fast');
    await service.stop();
    assert.equal(colima.stopped, 1);
  });

  it('looks at once when asked (a resume, an unlock), starting the backoff over', async () => {
    const { clock, late, service, looks } = setup([
      { ok: false, error: 'x' },
      { ok: false, error: 'y' },
      { ok: false, error: 'z' },
    ]);
    await clock.advance(LOOK_AGAIN_MS[0]);
    await clock.advance(LOOK_AGAIN_MS[1]);
    assert.deepEqual(clock.pending(), [LOOK_AGAIN_MS[2]]);
    late.lookNow();
    await settle();
    assert.equal(looks.length, 3);
    assert.deepEqual(clock.pending(), [LOOK_AGAIN_MS[1]]);
    await service.stop();
    assert.deepEqual(clock.pending(), [], 'stopped: no more looks');
  });

  it('does not watch twice an engine the monitor found by itself meanwhile', async () => {
    const clock = manualClock();
    const found = new FakeCollector('local');
    found.state = hostState('local', 'connecting', { endpoint: 'unix:///var/run/docker.sock' });
    const other = new FakeCollector('local');
    other.state = hostState('local', 'up', { endpoint: 'unix:///var/run/docker.sock' });
    const late = new LateLocalEngine({
      find: async () => ({ ok: true, collector: found }),
      watched: () => [other.state],
      clock,
      firstError: 'x',
      onAdopted: () => assert.fail('watched already'),
    });
    late.start();
    await clock.advance(LOOK_AGAIN_MS[0]);
    assert.equal(found.started, 0);
    assert.equal(found.stopped, 1, 'closed again');
    assert.equal(late.state, other.state);
    assert.equal(late.found, true);
  });
});

describe('sleep and wake', () => {
  it('stops collecting on suspend, connects afresh on resume, and looks for the local engine on resume and unlock', async () => {
    const collector = new FakeCollector('local');
    const clock = manualClock();
    const service = createMonitorService({
      collectors: [collector],
      clock,
      settings: memorySettingsStore(DEFAULT_SETTINGS),
    });
    const power = new Emitter();
    let userPaused = false;
    let looks = 0;
    followPower({
      powerMonitor: power as never,
      service,
      userPaused: () => userPaused,
      lookAgain: () => looks++,
    });
    assert.deepEqual([collector.started, collector.stopped], [1, 0]);
    power.emit('suspend');
    assert.deepEqual([collector.started, collector.stopped], [1, 1]);
    power.emit('resume');
    assert.deepEqual([collector.started, collector.stopped], [2, 1]);
    power.emit('resume');
    assert.deepEqual(
      [collector.started, collector.stopped],
      [3, 2],
      'a resume without a suspend reconnects too',
    );
    power.emit('unlock-screen');
    assert.equal(looks, 3);

    userPaused = true;
    service.setPaused(true);
    power.emit('suspend');
    power.emit('resume');
    assert.deepEqual([collector.started, collector.stopped], [3, 3], 'the user’s pause holds');
    await service.stop();
  });
});
