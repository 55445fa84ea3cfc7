import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { HEALTHY_START, SIGNATURES } from '../../../src/logs/signatures.ts';
import { startCli, type LiveCli } from '../../helpers/cli.ts';
import { removeAll, startStack, type StandInStack } from '../../stack/stack.ts';
import { commandFor } from '../../stack/workloads.ts';

const TAG = 'log-signatures';
const dir = mkdtempSync(join(tmpdir(), 'dm-log-signatures-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Line = Record<string, unknown>;

function example(id: string, index = 0): string {
  const line = SIGNATURES.find((s) => s.id === id)?.examples[index]?.line;
  assert.ok(line !== undefined, `${id} #${index}`);
  return line;
}

/** The healthy-start lines quoted from one container's output. */
function healthy(container: RegExp): string[] {
  return HEALTHY_START.filter((e) => container.test(e.from)).map((e) => e.line);
}

const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
const say = (lines: readonly string[]): string => `printf '%s\\n' ${lines.map(quote).join(' ')}`;
const FOREVER = 'exec sleep 2147483647';

/** Starts healthy, then tells of trouble; the stand-in then idles. */
function script(start: readonly string[], trouble: readonly string[]): { kind: 'script'; script: string } {
  return { kind: 'script', script: `sleep 1; ${say(start)}; sleep 1; ${say(trouble)}; ${FOREVER}` };
}

/** A celery worker whose pool process (a leaking awk, by its path) its limit kills; celery logs it. */
function celeryWorker(): { kind: 'script'; script: string } {
  const [program, ...args] = commandFor({ kind: 'leak', mibPerSecond: 16 });
  const leak = [`/bin/${program}`, ...args.map(quote)].join(' ');
  const told = [example('celery-sigkill', 0), example('celery-sigkill', 1), example('redis-oom')];
  return {
    kind: 'script',
    script: `sleep 1; ${say(healthy(/docker-worker-1/))}; ${leak} & wait $!; ${say(told)}; ${FOREVER}`,
  };
}

const five = (line: string): string[] => Array.from({ length: 5 }, () => line);

/** What each stand-in is expected to raise: `rule signature` (a kill carries its line's signature). */
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  api: [
    'log-signature db-pool-exhausted',
    'log-signature gunicorn-sigkill',
    'log-signature gunicorn-timeout',
  ],
  worker: ['log-signature redis-oom', 'oom-killed celery-sigkill'],
  plugin_daemon: ['log-signature plugin-killed', 'log-signature plugin-restarted'],
  db_postgres: [
    'log-signature postgres-backend-killed',
    'log-signature postgres-oom',
    'log-signature postgres-too-many-clients',
  ],
  weaviate: ['log-signature weaviate-read-only'],
  nginx: ['log-signature nginx-502', 'log-signature nginx-504'],
};

async function standIns(project: string): Promise<StandInStack> {
  return startStack({
    layout: 'current',
    project,
    tag: TAG,
    memLimits: { worker: '48m' },
    workloads: {
      // The SIGKILL of pid 33, not of the pid 35 the timeout named: two incidents.
      api: script(healthy(/docker-api-1/), [
        example('gunicorn-timeout'),
        example('gunicorn-sigkill', 1),
        example('db-pool-exhausted'),
      ]),
      worker: celeryWorker(),
      plugin_daemon: script(healthy(/plugin_daemon/), [
        example('plugin-restarted'),
        example('plugin-killed', 0),
      ]),
      db_postgres: script(
        healthy(/docker-db-1/).filter((l) => !l.startsWith('1:C')),
        [example('postgres-oom'), example('postgres-backend-killed'), example('postgres-too-many-clients')],
      ),
      redis: script(
        healthy(/docker-redis-1/).filter((l) => l.startsWith('1:C')),
        [],
      ),
      weaviate: script(healthy(/weaviate-1/), [example('weaviate-read-only')]),
      nginx: script(healthy(/nginx-1/), [...five(example('nginx-502')), ...five(example('nginx-504'))]),
    },
  });
}

const serviceOf = (stack: StandInStack, name: unknown): string =>
  stack.containers.find((c) => c.name === name)?.service ?? String(name);

/** An alert about the stand-ins that the log or a kill raised; the worker's leak passing its memory lines is not the log's. */
function isToldBy(stack: StandInStack, l: Line): boolean {
  return (
    l['type'] === 'alert' &&
    String(l['name']).startsWith(stack.project) &&
    ['log-signature', 'oom-killed', 'killed'].includes(String(l['rule']))
  );
}

function told(stack: StandInStack, lines: readonly Line[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of lines) {
    if (!isToldBy(stack, l)) continue;
    const signature = (l['logLine'] as { signature?: string } | undefined)?.signature ?? '-';
    const service = serviceOf(stack, l['name']);
    out.set(service, [...(out.get(service) ?? []), `${String(l['rule'])} ${signature}`].sort());
  }
  return out;
}

function allTold(stack: StandInStack, lines: readonly Line[]): boolean {
  const now = told(stack, lines);
  return Object.entries(EXPECTED).every(
    ([service, expected]) => (now.get(service) ?? []).length >= expected.length,
  );
}

for (const source of ['auto', 'api'] as const) {
  describe(`Dify's log signatures on the real engine (--source ${source})`, { timeout: 180_000 }, () => {
    let watch: LiveCli | undefined;
    let stack: StandInStack | undefined;
    after(async () => {
      await watch?.stop();
      await removeAll(TAG);
    });

    it('an alert per signature with its line, one for a log line and the kill it tells of, none for a healthy start', async (t) => {
      await removeAll(TAG);
      const live = startCli([
        'watch',
        '--json',
        '--interval',
        '1s',
        '--source',
        source,
        '--settings',
        join(dir, `settings-${source}.json`),
        '--alert-log',
        join(dir, `alerts-${source}.json`),
      ]);
      watch = live;
      await live.waitFor((l) => l['type'] === 'host' && l['state'] === 'up', 20_000);
      const startedAt = Date.now();
      stack = await standIns(`dm-logs-${source}`);
      const standIn = stack;
      await live.waitFor(() => allTold(standIn, live.lines), 90_000);
      // Anything more (a second alert, one for a healthy line) would come within the holds.
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      assert.deepEqual(Object.fromEntries(told(standIn, live.lines)), EXPECTED);

      const alerts = live.lines.filter((l) => isToldBy(standIn, l));
      for (const alert of alerts) {
        const line = alert['logLine'] as { text: string; ts: number; signature: string };
        const quoted = SIGNATURES.find((s) => s.id === line.signature)?.examples.map((e) => e.line) ?? [];
        assert.ok(
          quoted.some((q) => q.startsWith(line.text)),
          `the line as printed, a long one clipped: ${line.text}`,
        );
        assert.ok(line.ts >= startedAt - 1000 && line.ts <= Date.now(), 'the engine’s time of the line');
        assert.ok(String(alert['message']).includes(`"${line.text}"`), String(alert['message']));
        assert.ok(String(alert['message']).includes(String(alert['name'])));
      }
      const kill = alerts.find((a) => a['rule'] === 'oom-killed');
      t.diagnostic(String(kill?.['message']));
    });
  });
}
