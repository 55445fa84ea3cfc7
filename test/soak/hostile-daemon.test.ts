import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { apiWatchArgs, runCli, startCli, type LiveCli } from '../helpers/cli.ts';
import {
  dripFeed,
  healthyStats,
  inspectBody,
  memoryOf,
  startFakeDaemon,
  statsBody,
  type FakeDaemon,
} from '../helpers/fake-daemon.ts';

/*
 * What a broken proxy, a half-dead engine or an attacker on DOCKER_HOST can send, against the
 * shipped CLI. test/engine/docker/hostile.test.ts already covers damaged stats bodies and a stream of
 * 256 KiB chunks without a newline; this file covers sizes, slowness, content types and counters.
 */

const MiB = 1024 * 1024;
const HUNDRED_MB = 100 * 1000 * 1000;
/** What a hostile answer may add to our resident memory; the bounded readers hold 1 and 16 MiB. */
const RSS_ALLOWANCE = 64 * MiB;

/** Writes one line of `bytes` without its newline, at the pace the reader takes it. */
function streamHugeLine(res: ServerResponse, bytes: number, prefix: string): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, '7');
  return new Promise((resolve) => {
    let sent = 0;
    res.once('close', () => resolve(sent));
    const pump = (): void => {
      while (sent < bytes && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end('\n');
    };
    res.write(prefix);
    pump();
  });
}

function watch(daemons: readonly FakeDaemon[]): LiveCli {
  return startCli(
    apiWatchArgs({
      hosts: daemons.map((d) => d.url),
      alertLog: join(daemons[0]?.dir ?? '/tmp', 'alerts.json'),
      timeout: '2s',
    }),
  );
}

/** Every line the watcher printed, checked for what a user must never see. */
function assertClean(cli: LiveCli): void {
  assert.equal(cli.child.exitCode, null, `still running (stderr: ${cli.stderr().slice(-300)})`);
  const text = cli.lines.map((l) => JSON.stringify(l)).join('\n');
  assert.doesNotMatch(text, /NaN|Infinity/);
  assert.doesNotMatch(cli.stderr(), /\n\s+at /, 'no stack trace');
}

const numbersOf =
  (cli: LiveCli, name: string, after = -1) =>
  (l: Record<string, unknown>): boolean =>
    l['type'] === 'sample' &&
    l['name'] === name &&
    typeof l['memUsageBytes'] === 'number' &&
    cli.lines.indexOf(l) > after;

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a hostile engine on a unix socket', { timeout: 110_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  const own = <T extends { close(): Promise<void> } | LiveCli>(thing: T): T => {
    cleanups.push(() => ('stop' in thing ? thing.stop() : thing.close()));
    return thing;
  };
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('cuts a 100 MB stats line off without holding it, and the stream comes back', async () => {
    let release: () => void = () => {};
    const go = new Promise<void>((r) => (release = r));
    let huge: Promise<number> | null = null;
    const daemon = own(
      await startFakeDaemon({
        containers: ['steady', 'huge'],
        routes: {
          'stats:huge': (req, res) => {
            if (huge !== null) return healthyStats(req, res);
            res.writeHead(200, { 'content-type': 'application/json' });
            res.write(`${JSON.stringify(statsBody(1))}\n`);
            huge = go.then(() => streamHugeLine(res, HUNDRED_MB, '{"read":"2026-11-23T00:00:00Z","pad":"'));
          },
        },
      }),
    );
    const cli = own(watch([daemon]));
    await cli.waitFor(numbersOf(cli, 'huge'), 20_000);
    await settle(2000);
    const before = memoryOf(cli.child.pid ?? 0);
    const mark = cli.lines.length;
    release();
    const sent = await (huge as unknown as Promise<number>);
    await cli.waitFor(numbersOf(cli, 'huge', mark), 15_000);
    const afterwards = memoryOf(cli.child.pid ?? 0);
    console.log(
      `100 MB line: cut after ${(sent / MiB).toFixed(1)} MiB sent; RSS ${(before.rss / MiB).toFixed(0)} MiB before, ` +
        `peak ${(afterwards.peak / MiB).toFixed(0)} MiB, ${(afterwards.rss / MiB).toFixed(0)} MiB after`,
    );
    assert.ok(sent < HUNDRED_MB, `the watcher hung up early (${sent} bytes sent)`);
    assert.ok(
      afterwards.peak - before.rss < RSS_ALLOWANCE,
      `peak RSS grew by ${((afterwards.peak - before.rss) / MiB).toFixed(1)} MiB`,
    );
    assert.ok(!cli.lines.some((l) => l['type'] === 'host' && l['state'] === 'down'), 'the host stayed up');
    assertClean(cli);
  });

  it('refuses enormous and endless answers to plain requests, and keeps the rest of the engine', async () => {
    const sent: number[] = [];
    const endlessBody = (endless: boolean) => (_req: unknown, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      void streamHugeLine(res, endless ? Number.MAX_SAFE_INTEGER : HUNDRED_MB, '{"Id":"x","pad":"').then(
        (n) => sent.push(n),
      );
    };
    const daemon = own(
      await startFakeDaemon({
        containers: ['steady', 'bloated', 'endless'],
        routes: { 'inspect:bloated': endlessBody(false), 'inspect:endless': endlessBody(true) },
      }),
    );
    const cli = own(watch([daemon]));
    await cli.waitFor(numbersOf(cli, 'steady'), 20_000);
    await settle(1000);
    const memory = memoryOf(cli.child.pid ?? 0);
    console.log(
      `100 MB and endless inspect answers: cut after ${sent.map((n) => (n / MiB).toFixed(1)).join(' and ')} MiB; ` +
        `peak RSS ${(memory.peak / MiB).toFixed(0)} MiB, now ${(memory.rss / MiB).toFixed(0)} MiB`,
    );
    assert.equal(sent.length, 2, 'both answers were hung up on');
    for (const n of sent) assert.ok(n < 32 * MiB, `hung up after ${n} bytes`);
    // Before the bound, the 100 MB answer alone took this process to 510 MiB and the endless one to 790.
    assert.ok(memory.peak < 256 * MiB, `peak RSS ${(memory.peak / MiB).toFixed(0)} MiB`);
    const names = new Set(cli.lines.filter((l) => l['type'] === 'sample').map((l) => l['name']));
    assert.deepEqual([...names], ['steady'], 'a container that cannot be inspected is left out, not guessed');
    assertClean(cli);
  });

  it('hangs up on endless error answers to the event and stats streams, and recovers', async () => {
    const sent: number[] = [];
    // 256 MiB per connection at most, so that a watcher without the bound cannot take the machine down.
    const endlessError = (_req: unknown, res: ServerResponse) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      void streamHugeLine(res, 256 * MiB, '{"message":"').then((n) => sent.push(n));
    };
    let eventsFail = false;
    let events: ServerResponse | null = null;
    const daemon = own(
      await startFakeDaemon({
        containers: ['steady', 'failing'],
        routes: {
          events: (req, res) => {
            if (eventsFail) return endlessError(req, res);
            res.writeHead(200, { 'content-type': 'application/json' });
            res.flushHeaders();
            events = res;
          },
          'stats:failing': endlessError,
        },
      }),
    );
    const cli = own(watch([daemon]));
    await cli.waitFor(numbersOf(cli, 'steady'), 20_000);
    eventsFail = true;
    (events as ServerResponse | null)?.destroy();
    await settle(5000);
    const memory = memoryOf(cli.child.pid ?? 0);
    const eventRefusals = sent.length;
    eventsFail = false;
    const mark = cli.lines.length;
    await cli.waitFor(numbersOf(cli, 'steady', mark), 30_000);
    console.log(
      `endless 500 answers on streams: ${eventRefusals} hung up on, at most ${(Math.max(...sent) / MiB).toFixed(1)} MiB sent; ` +
        `peak RSS ${(memory.peak / MiB).toFixed(0)} MiB`,
    );
    assert.ok(eventRefusals >= 2, `the events and the stats stream were both hung up on (${eventRefusals})`);
    for (const n of sent) assert.ok(n < 32 * MiB, `hung up after ${(n / MiB).toFixed(1)} MiB`);
    assert.ok(memory.peak < 256 * MiB, `peak RSS ${(memory.peak / MiB).toFixed(0)} MiB`);
    assert.match(cli.stderr() + JSON.stringify(cli.lines), /HTTP code 500/, 'the reason is told');
    assert.ok(
      !cli.lines.some(
        (l) => l['type'] === 'sample' && l['name'] === 'failing' && typeof l['memUsageBytes'] === 'number',
      ),
      'no numbers are made up for the container whose stats fail',
    );
    assertClean(cli);
  });

  it('times out a daemon that answers a byte every few seconds, says so, and recovers', async () => {
    let slow = false;
    const drip = (req: unknown, res: ServerResponse): void =>
      dripFeed(res, 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\nOK', 3000);
    const unlessSlow =
      (fallback: (req: IncomingMessage, res: ServerResponse) => void) =>
      (req: IncomingMessage, res: ServerResponse): void =>
        slow ? drip(req, res) : fallback(req, res);
    const daemon = own(
      await startFakeDaemon({
        containers: ['steady', 'sloth'],
        routes: {
          _ping: unlessSlow((_q, r) => void r.end('OK')),
          version: unlessSlow((_q, r) => void r.end(JSON.stringify({ Version: 'fake', ApiVersion: '1.45' }))),
          // One container whose stats stream never completes a line.
          'stats:sloth': (req, res) => drip(req, res),
        },
      }),
    );
    const cli = own(watch([daemon]));
    await cli.waitFor(numbersOf(cli, 'steady'), 20_000);
    await settle(3000);
    const sloth = cli.lines.filter((l) => l['type'] === 'sample' && l['name'] === 'sloth');
    assert.ok(sloth.length > 0, 'the slow container is listed');
    assert.ok(
      sloth.every((l) => l['memUsageBytes'] === null),
      'with no number, not an invented one',
    );
    const rounds = cli.lines.filter((l) => l['type'] === 'round');
    assert.ok(rounds.length >= 5, `rounds keep coming (${rounds.length})`);
    assert.ok(
      rounds.every((r) => (r['durationMs'] as number) < 2000),
      'no round waits on the slow stream',
    );

    slow = true;
    const slowAt = Date.now();
    const down = await cli.waitFor((l) => l['type'] === 'host' && l['state'] === 'down', 30_000);
    const detected = Date.now() - slowAt;
    assert.match(String(down['message']), /did not answer in time/);
    slow = false;
    const healedAt = Date.now();
    const mark = cli.lines.length;
    await cli.waitFor(
      (l) => l['type'] === 'host' && l['state'] === 'up' && cli.lines.indexOf(l) > mark,
      60_000,
    );
    await cli.waitFor(numbersOf(cli, 'steady', mark), 10_000);
    console.log(
      `slowloris: down after ${(detected / 1000).toFixed(1)} s; samples again ${((Date.now() - healedAt) / 1000).toFixed(1)} s after it answered`,
    );
    assertClean(cli);
  });

  it('reads HTML where JSON was expected as a clear refusal, at start and per container', async () => {
    const html = '<html><body><h1>502 Bad Gateway</h1></body></html>\n';
    const daemon = own(
      await startFakeDaemon({
        containers: ['steady', 'proxied'],
        routes: {
          'stats:proxied': (_q, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(html),
          'inspect:steady': (_q, res) =>
            void res
              .writeHead(200, { 'content-type': 'text/plain' })
              .end(JSON.stringify(inspectBody('steady'))),
        },
      }),
    );
    const cli = own(watch([daemon]));
    await cli.waitFor(numbersOf(cli, 'steady'), 20_000);
    await settle(2000);
    const proxied = cli.lines.filter((l) => l['type'] === 'sample' && l['name'] === 'proxied');
    assert.ok(proxied.length > 0 && proxied.every((l) => l['memUsageBytes'] === null));
    assertClean(cli);

    const gateway = own(
      await startFakeDaemon({
        containers: [],
        routes: { list: (_q, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(html) },
      }),
    );
    const run = await runCli([
      'watch',
      '--json',
      '--host',
      gateway.url,
      '--alert-log',
      join(gateway.dir, 'a.json'),
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /answered \/containers\/json with something other than a list/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  it('survives counters that wrap, go backwards, overflow or are negative, and an endless JSON line', async () => {
    const wild = [
      { total: 2 ** 64 - 1, system: 2 ** 64, usage: 2 ** 63, limit: 2 ** 64 },
      { total: 5, system: 10, usage: -1, limit: 0 },
      { total: 1e308, system: 1e308, usage: 1e308, limit: 1 },
      { total: -1e308, system: 0, usage: 4e9, limit: 1e9 },
      { total: 1, system: 1, usage: 0, limit: -5 },
    ];
    const daemon = own(
      await startFakeDaemon({
        containers: ['steady', 'wild', 'endless'],
        routes: {
          'stats:wild': (_q, res) => {
            res.writeHead(200, { 'content-type': 'application/json' });
            let i = 0;
            const write = (): void => {
              if (res.destroyed) return;
              const w = wild[i++ % wild.length] ?? wild[0];
              const body = statsBody(i) as Record<string, Record<string, unknown>>;
              body['cpu_stats'] = {
                cpu_usage: { total_usage: w?.total },
                system_cpu_usage: w?.system,
                online_cpus: 0,
              };
              body['memory_stats'] = { usage: w?.usage, limit: w?.limit, stats: { inactive_file: 2 ** 70 } };
              body['pids_stats'] = { current: 2 ** 60 };
              res.write(`${JSON.stringify(body)}\n`);
              setTimeout(write, 200);
            };
            write();
          },
          'stats:endless': (_q, res) => {
            res.writeHead(200, { 'content-type': 'application/json' });
            void streamHugeLine(res, Number.MAX_SAFE_INTEGER, '{"cpu_stats":{"cpu_usage":{"total_usage":1');
          },
        },
      }),
    );
    const cli = own(watch([daemon]));
    await cli.waitFor(numbersOf(cli, 'steady'), 20_000);
    await settle(2000);
    const before = memoryOf(cli.child.pid ?? 0);
    const mark = cli.lines.length;
    await settle(8000);
    const afterwards = memoryOf(cli.child.pid ?? 0);
    console.log(
      `wild counters + endless JSON line for 8 s: RSS ${(before.rss / MiB).toFixed(0)} → ${(afterwards.rss / MiB).toFixed(0)} MiB`,
    );
    assert.ok(afterwards.rss - before.rss < RSS_ALLOWANCE, 'memory stays bounded');
    const later = cli.lines.slice(mark);
    assert.ok(later.some(numbersOf(cli, 'steady', mark)), 'the healthy container kept its samples');
    for (const l of later.filter((x) => x['type'] === 'sample' && x['name'] === 'wild')) {
      for (const field of ['cpuPercent', 'memUsageBytes', 'memPercent', 'memLimitBytes', 'pids']) {
        const v = l[field];
        assert.ok(
          v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0),
          `${field}=${String(v)}`,
        );
      }
    }
    assertClean(cli);
  });
});
