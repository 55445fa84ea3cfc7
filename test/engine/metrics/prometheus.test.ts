import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { HistoryResponse, Snapshot } from '../../../src/api.ts';
import type { Sample } from '../../../src/model.ts';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.ts';
import { startServe, type ServeProcess } from '../../helpers/serve-process.ts';
import { removeAll, startStack, type StandInStack } from '../../stack/stack.ts';
import { startPrometheus, type PrometheusProcess } from '../../helpers/prometheus-process.ts';

const TAG = 'metrics-prometheus';
const PROJECT = 'dm-prom';
const MiB = 1024 * 1024;
const RULES = fileURLToPath(new URL('../../../docs/prometheus-rules.yml', import.meta.url));
const DASHBOARD = fileURLToPath(new URL('../../../docs/grafana-dashboard.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dm-metrics-'));

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe(
  'a real Prometheus scraping serve --metrics against the stand-in stack',
  { timeout: 300_000 },
  () => {
    let serve: ServeProcess | undefined;
    let prometheus: PrometheusProcess | undefined;
    let stack: StandInStack;
    let base: string;

    const invoke = async <T>(channel: string, request: unknown): Promise<T> => {
      const res = await fetch(`${base}/api/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request),
      });
      assert.equal(res.status, 200, `${channel} answered ${res.status}`);
      return (await res.json()) as T;
    };
    const ours = async (): Promise<Sample[]> =>
      (await invoke<Snapshot>('monitor:snapshot', null)).samples.filter((s) => s.stack === PROJECT);

    before(async () => {
      await removeAll(TAG);
      // Memory lines low enough that the api's steady 24 MiB of 256 MiB holds a critical
      // condition for the whole test: one shorter than the tray interval may never be sampled.
      const settings = {
        ...DEFAULT_SETTINGS,
        alerts: {
          ...DEFAULT_SETTINGS.alerts,
          memory: { warningPercent: 5, criticalPercent: 8, hysteresisPoints: 1 },
        },
      };
      writeFileSync(join(dir, 's.json'), JSON.stringify(settings));
      serve = await startServe([
        '--metrics',
        '--settings',
        join(dir, 's.json'),
        '--alert-log',
        join(dir, 'a.json'),
      ]);
      base = new URL(serve.url).origin;
      stack = await startStack({
        layout: 'current',
        project: PROJECT,
        tag: TAG,
        workloads: {
          api: { kind: 'steady', mib: 24 },
          worker: { kind: 'spin' },
          sandbox: { kind: 'leak', mibPerSecond: 2 },
        },
        memLimits: { api: '256m', sandbox: '48m' },
      });
      prometheus = await startPrometheus({ target: new URL(base).host, ruleFiles: [RULES] });
    });

    after(async () => {
      await prometheus?.stop();
      await serve?.stop();
      await removeAll(TAG);
      rmSync(dir, { recursive: true, force: true });
    });

    it('scrapes every running container of the stack with the cAdvisor names and our labels', async () => {
      const p = prometheus as PrometheusProcess;
      const running = stack.containers.filter((c) => c.service !== 'init_permissions').map((c) => c.name);
      const series = await waitFor('every running container scraped', 60_000, async () => {
        const result = await p.query(`container_memory_working_set_bytes{stack="${PROJECT}"}`);
        const names = new Set(result.map((r) => r.metric['name']));
        return running.every((n) => names.has(n)) ? result : null;
      });
      const api = series.find((r) => r.metric['name'] === `${PROJECT}-api-1`);
      assert.deepEqual(api?.metric, {
        __name__: 'container_memory_working_set_bytes',
        instance: new URL(base).host,
        job: 'dify-monitor',
        host: 'local',
        stack: PROJECT,
        role: 'api',
        service: 'api',
        name: `${PROJECT}-api-1`,
        image: 'langgenius/dify-api:1.10.1',
        dify_version: '1.10.1',
      });
      const worker = series.find((r) => r.metric['name'] === `${PROJECT}-worker-1`);
      assert.equal(worker?.metric['role'], 'worker');
      // A series exactly where the core has a number: the stand-ins run with --network none, so
      // they have no network counters, and cAdvisor too would show none.
      const core = (await ours()).find((s) => s.name === `${PROJECT}-api-1`) as Sample;
      for (const [name, known] of [
        ['container_spec_memory_limit_bytes', true],
        ['container_cpu_usage_seconds_total', typeof core.cpuSeconds === 'number'],
        ['container_network_receive_bytes_total', core.netRxBytes !== null],
        ['container_network_transmit_bytes_total', core.netTxBytes !== null],
        ['container_fs_reads_bytes_total', core.blockReadBytes !== null],
        ['container_fs_writes_bytes_total', core.blockWriteBytes !== null],
        ['container_processes', core.pids !== null],
        ['container_oom_events_total', true],
        ['container_restarts', true],
      ] as const) {
        const found = await p.query(`${name}{name="${PROJECT}-api-1"}`);
        assert.equal(found.length, known ? 1 : 0, `${name} for the api`);
      }
      assert.equal(typeof core.cpuSeconds, 'number', 'the collector fills the cumulative CPU counter');
      assert.equal(core.netRxBytes, null);
      const up = await p.query('dify_monitor_host_up{host="local"}');
      assert.equal(up[0]?.value[1], '1');
      const machine = await p.query('machine_memory_bytes{host="local"}');
      assert.ok(Number(machine[0]?.value[1]) > 256 * MiB);
    });

    it("agrees with the core's samples: memory, limit, processes, restarts and CPU", async () => {
      const p = prometheus as PrometheusProcess;
      const name = `${PROJECT}-api-1`;
      // The steady 24 MiB must be all allocated before a scrape and a snapshot can agree.
      await waitFor('the api holds its 24 MiB', 60_000, async () => {
        const api = (await ours()).find((s) => s.name === name);
        return api?.memUsageBytes !== null && (api?.memUsageBytes ?? 0) > 24 * MiB ? api : null;
      });
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const core = (await ours()).find((s) => s.name === name) as Sample;
      const value = async (expr: string): Promise<number> => Number((await p.query(expr))[0]?.value[1]);
      const mem = await value(`container_memory_working_set_bytes{name="${name}"}`);
      assert.ok(
        Math.abs(mem - (core.memUsageBytes ?? 0)) <= 0.02 * (core.memUsageBytes ?? 0),
        `${mem} vs ${core.memUsageBytes}`,
      );
      assert.equal(await value(`container_spec_memory_limit_bytes{name="${name}"}`), 256 * MiB);
      assert.equal(core.memLimitBytes, 256 * MiB);
      assert.equal(await value(`container_processes{name="${name}"}`), core.pids);
      assert.equal(await value(`container_restarts{name="${name}"}`), core.restartCount);
      const idleLimit = await value(`container_spec_memory_limit_bytes{name="${PROJECT}-redis-1"}`);
      assert.equal(idleLimit, 0, 'a container without its own limit says 0');

      // CPU: the cumulative counter as Prometheus scraped it against the core's CPU % over the same
      // samples. The counter moves once per sample (5 s, the tray rate: nobody has the dashboard
      // open) and is scraped every second, so rate()[20s] can see 3 steps or 4 in its window: on a
      // busy machine that alone read 79 % against 100 %. Both sides are taken over whole steps:
      // from the first scrape that showed a new value to the last one, and the core's points between.
      const worker = `${PROJECT}-worker-1`;
      const key = (await ours()).find((s) => s.name === worker)?.key as string;
      await new Promise((resolve) => setTimeout(resolve, 20_000));
      const scraped = (await p.api(
        `/api/v1/query?query=${encodeURIComponent(`container_cpu_usage_seconds_total{name="${worker}"}[25s]`)}`,
      )) as { result: { values: [number, string][] }[] };
      const steps = (scraped.result[0]?.values ?? [])
        .map(([ts, v]) => ({ ms: ts * 1000, seconds: Number(v) }))
        .filter((pt, i, all) => i > 0 && pt.seconds !== all[i - 1]?.seconds);
      const [first, last] = [steps[0], steps.at(-1)];
      assert.ok(
        first !== undefined && last !== undefined && steps.length >= 3,
        `${steps.length} steps scraped`,
      );
      const rate = ((last.seconds - first.seconds) / ((last.ms - first.ms) / 1000)) * 100;
      const history = await invoke<HistoryResponse>('monitor:history', {
        key,
        metric: 'cpuPercent',
        window: '5m',
      });
      // A step is scraped within a second after the sample that made it, so the samples after the
      // first step's and up to the last step's are those from its time to the last step's.
      const recent = history.points
        .filter((pt) => pt.ts >= first.ms && pt.ts < last.ms)
        .map((pt) => ('value' in pt ? pt.value : pt.avg))
        .filter((v): v is number => v !== null);
      const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      assert.ok(recent.length >= 2, `${recent.length} CPU samples between the steps`);
      assert.ok(mean > 40, `the spinning worker uses a core (core says ${mean} %)`);
      assert.ok(Math.abs(rate - mean) <= 15, `Prometheus rate ${rate} % vs the core's mean ${mean} %`);
    });

    it('counts the OOM kill, and the shipped rule fires on it', async () => {
      const p = prometheus as PrometheusProcess;
      const name = `${PROJECT}-sandbox-1`;
      await waitFor('container_oom_events_total reaches 1', 90_000, async () => {
        const r = await p.query(`container_oom_events_total{name="${name}"}`);
        return r[0]?.value[1] === '1' ? r : null;
      });
      const log = (await invoke<Snapshot>('monitor:snapshot', null)).alerts;
      assert.ok(
        log.some((a) => a.rule === 'oom-killed' && a.name === name),
        'the core raised the oom-killed alert the counter stands for',
      );
      const firing = await waitFor('DifyContainerOOMKilled fires', 30_000, async () => {
        const r = await p.query(
          `ALERTS{alertname="DifyContainerOOMKilled",alertstate="firing",name="${name}"}`,
        );
        return r.length === 1 ? r : null;
      });
      assert.equal(firing[0]?.metric['severity'], 'critical');
    });

    it("exports the app's alert conditions, which the shipped DifyMonitorAlert rule forwards", async () => {
      const p = prometheus as PrometheusProcess;
      const name = `${PROJECT}-api-1`;
      const active = await waitFor(
        'the api holds a critical memory-threshold condition',
        60_000,
        async () => {
          const r = await p.query(`dify_monitor_alert_active{rule="memory-threshold",name="${name}"}`);
          return r.length === 1 ? r : null;
        },
      );
      assert.deepEqual(active[0]?.metric, {
        __name__: 'dify_monitor_alert_active',
        instance: new URL(base).host,
        job: 'dify-monitor',
        rule: 'memory-threshold',
        severity: 'critical',
        host: 'local',
        stack: PROJECT,
        name,
      });
      const log = (await invoke<Snapshot>('monitor:snapshot', null)).alerts;
      assert.ok(
        log.some((a) => a.rule === 'memory-threshold' && a.name === name && a.severity === 'critical'),
      );
      await waitFor('DifyMonitorAlert fires for it', 30_000, async () => {
        const r = await p.query(
          `ALERTS{alertname="DifyMonitorAlert",alertstate="firing",rule="memory-threshold",name="${name}"}`,
        );
        return r.length === 1 ? r : null;
      });
    });

    it('loads the shipped rules without errors', async () => {
      const p = prometheus as PrometheusProcess;
      const data = (await p.api('/api/v1/rules')) as {
        groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[];
      };
      const rules = data.groups.flatMap((g) => g.rules);
      assert.equal(rules.length, 9);
      for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError ?? ''}`);
    });

    it('runs every query of the Grafana dashboard against the scraped series', async () => {
      const p = prometheus as PrometheusProcess;
      const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
        panels: { title: string; targets?: { expr: string }[] }[];
        templating: { list: { name: string; query?: { query: string } | string }[] };
      };
      const fill = (expr: string): string =>
        expr.replaceAll('$__rate_interval', '10s').replaceAll(/"\$(host|stack|name)"/g, '".*"');
      let withData = 0;
      for (const panel of dashboard.panels) {
        for (const target of panel.targets ?? []) {
          const result = await p.query(fill(target.expr));
          if (result.length > 0) withData++;
        }
      }
      assert.ok(withData >= 10, `${withData} dashboard queries returned series`);
      const names = (await p.api('/api/v1/label/__name__/values')) as string[];
      const used = JSON.stringify(dashboard).match(/\b(container|machine|dify_monitor)_[a-z_]+/g) ?? [];
      // The ETA exists only while a memory trend holds, which takes minutes of growth to judge;
      // network counters only where a container has a network, which no stand-in has.
      const conditional = new Set(['dify_monitor_memory_trend_eta_seconds']);
      if ((await invoke<Snapshot>('monitor:snapshot', null)).samples.every((s) => s.netRxBytes === null)) {
        conditional.add('container_network_receive_bytes_total');
        conditional.add('container_network_transmit_bytes_total');
      }
      const always = [...new Set(used)].filter((m) => !conditional.has(m));
      for (const metric of always) assert.ok(names.includes(metric), `${metric} is scraped`);
    });

    it('stops serving a container that is removed', async () => {
      const p = prometheus as PrometheusProcess;
      const name = `${PROJECT}-redis-1`;
      execFileSync('docker', ['rm', '--force', name]);
      await waitFor('the removed container leaves /metrics', 30_000, async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        return text.includes(`name="${name}"`) ? null : text;
      });
      await waitFor('and Prometheus marks it stale', 30_000, async () => {
        const r = await p.query(`container_processes{name="${name}"}`);
        return r.length === 0 ? r : null;
      });
      const api = await p.query(`container_processes{name="${PROJECT}-api-1"}`);
      assert.equal(api.length, 1, 'the others are still there');
    });
  },
);
