import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { ActiveAlert } from '../../../src/alerts/types.ts';
import { createMetricsRegistry, type MetricsState } from '../../../src/metrics/registry.ts';
import { host, MiB, sample } from '../../helpers/metrics-fixtures.ts';

interface Series {
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

async function scrape(read: () => MetricsState): Promise<{ text: string; json: Map<string, Series[]> }> {
  const registry = createMetricsRegistry(read);
  const text = await registry.metrics();
  const json = new Map(
    (await registry.getMetricsAsJSON()).map((m) => [m.name, m.values as unknown as Series[]]),
  );
  return { text, json };
}

function state(partial: Partial<MetricsState>): MetricsState {
  return { samples: [], hosts: [host('local', 'up')], active: [], oomKills: new Map(), ...partial };
}

/** promtool's own reading of the exposition text: problems it finds make it exit non-zero. */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the metrics registry', () => {
  it('renders every cAdvisor series with our labels and the sample values', async () => {
    const api = sample('docker-api-1');
    const { text, json } = await scrape(() => state({ samples: [api], oomKills: new Map([[api.key, 3]]) }));
    const labels = {
      host: 'local',
      stack: 'docker',
      role: 'api',
      service: 'api',
      name: 'docker-api-1',
      image: 'langgenius/dify-api:1.10.1',
      dify_version: '1.10.1',
    };
    const expected: Record<string, number> = {
      container_memory_working_set_bytes: 100 * MiB,
      container_spec_memory_limit_bytes: 256 * MiB,
      container_cpu_usage_seconds_total: 42.25,
      container_network_receive_bytes_total: 1000,
      container_network_transmit_bytes_total: 2000,
      container_fs_reads_bytes_total: 3000,
      container_fs_writes_bytes_total: 4000,
      container_processes: 7,
      container_oom_events_total: 3,
      container_restarts: 2,
    };
    for (const [name, value] of Object.entries(expected)) {
      assert.deepEqual(json.get(name), [{ labels, value }], name);
    }
    assert.deepEqual(json.get('machine_memory_bytes'), [{ labels: { host: 'local' }, value: 8192 * MiB }]);
    assert.deepEqual(json.get('dify_monitor_host_up'), [{ labels: { host: 'local' }, value: 1 }]);
    assert.match(text, /# TYPE container_cpu_usage_seconds_total counter/);
    assert.match(text, /# TYPE container_memory_working_set_bytes gauge/);
    assert.deepEqual(promtoolCheck(text).status, 0, promtoolCheck(text).output);
  });

  it('says 0 for the limit of a container that has none of its own, as cAdvisor does', async () => {
    const web = sample('docker-web-1', { memLimitSource: 'host', memLimitBytes: 8192 * MiB, role: 'web' });
    const { json } = await scrape(() => state({ samples: [web] }));
    assert.equal(json.get('container_spec_memory_limit_bytes')?.[0]?.value, 0);
    assert.equal(json.get('container_memory_working_set_bytes')?.[0]?.value, 100 * MiB);
  });

  it('leaves out numbers that are not known instead of writing 0 or NaN', async () => {
    const stopped = sample('docker-worker-1', {
      state: 'exited',
      memUsageBytes: null,
      cpuSeconds: null,
      netRxBytes: null,
      pids: null,
      restartCount: 1,
    });
    const old = sample('docker-web-1');
    delete (old as { cpuSeconds?: number | null }).cpuSeconds;
    const { text, json } = await scrape(() => state({ samples: [stopped, old] }));
    assert.deepEqual(
      json.get('container_memory_working_set_bytes')?.map((s) => s.labels['name']),
      ['docker-web-1'],
    );
    assert.deepEqual(json.get('container_cpu_usage_seconds_total'), []);
    assert.deepEqual(
      json.get('container_restarts')?.map((s) => [s.labels['name'], s.value]),
      [
        ['docker-worker-1', 1],
        ['docker-web-1', 2],
      ],
    );
    assert.doesNotMatch(text, /NaN/);
  });

  it('drops a container that left the state at the next scrape', async () => {
    let current = state({
      samples: [sample('docker-api-1'), sample('docker-sandbox-1', { role: 'sandbox' })],
    });
    const registry = createMetricsRegistry(() => current);
    const first = await registry.metrics();
    assert.match(first, /name="docker-sandbox-1"/);
    current = state({ samples: [sample('docker-api-1')] });
    await new Promise((resolve) => setImmediate(resolve));
    const second = await registry.metrics();
    assert.doesNotMatch(second, /docker-sandbox-1/);
    assert.match(second, /container_memory_working_set_bytes\{[^}]*name="docker-api-1"/);
  });

  it('stops serving the frozen numbers of a host that is down, and says it is down', async () => {
    const remote = sample('docker-api-1', { host: 'remote', key: 'remote/docker/api/1' });
    const { json } = await scrape(() =>
      state({
        samples: [sample('docker-api-1'), remote],
        hosts: [host('local', 'up'), host('remote', 'down')],
      }),
    );
    assert.deepEqual(
      json.get('container_memory_working_set_bytes')?.map((s) => s.labels['host']),
      ['local'],
    );
    assert.deepEqual(
      json.get('dify_monitor_host_up')?.map((s) => [s.labels['host'], s.value]),
      [
        ['local', 1],
        ['remote', 0],
      ],
    );
  });

  it('escapes hostile label values so the exposition stays valid', async () => {
    const evil = 'evil"} 1\nfake_metric{x="y"} 2 \\';
    const hostile = sample('docker-api-1', { stack: evil, name: `${evil}-name`, image: 'x\\"y' });
    const { text, json } = await scrape(() =>
      state({
        samples: [hostile],
        active: [
          {
            rule: 'memory-threshold',
            severity: 'critical',
            host: 'local',
            stack: evil,
            name: `${evil}-name`,
            key: hostile.key,
            etaSeconds: null,
          },
        ],
      }),
    );
    assert.doesNotMatch(text, /^fake_metric/m);
    assert.match(text, /stack="evil\\"} 1\\nfake_metric\{x=\\"y\\"} 2 \\\\"/);
    assert.equal(json.get('container_memory_working_set_bytes')?.[0]?.labels['stack'], evil);
    const check = promtoolCheck(text);
    assert.equal(check.status, 0, check.output);
  });

  it('serves the alert conditions that hold and the trend ETA', async () => {
    const active: ActiveAlert[] = [
      {
        rule: 'memory-trend',
        severity: 'warning',
        host: 'local',
        stack: 'docker',
        name: 'docker-sandbox-1',
        key: 'local/docker/sandbox/1',
        etaSeconds: 321.5,
      },
      {
        rule: 'memory-threshold',
        severity: 'critical',
        host: 'local',
        stack: 'docker',
        name: 'docker-sandbox-1',
        key: 'local/docker/sandbox/1',
        etaSeconds: null,
      },
      {
        rule: 'host-down',
        severity: 'warning',
        host: 'remote',
        stack: null,
        name: 'remote',
        key: 'remote',
        etaSeconds: null,
      },
    ];
    const { json } = await scrape(() => state({ active }));
    assert.deepEqual(json.get('dify_monitor_alert_active'), [
      {
        labels: {
          rule: 'memory-trend',
          severity: 'warning',
          host: 'local',
          stack: 'docker',
          name: 'docker-sandbox-1',
        },
        value: 1,
      },
      {
        labels: {
          rule: 'memory-threshold',
          severity: 'critical',
          host: 'local',
          stack: 'docker',
          name: 'docker-sandbox-1',
        },
        value: 1,
      },
      {
        labels: { rule: 'host-down', severity: 'warning', host: 'remote', stack: '', name: 'remote' },
        value: 1,
      },
    ]);
    assert.deepEqual(json.get('dify_monitor_memory_trend_eta_seconds'), [
      { labels: { host: 'local', stack: 'docker', name: 'docker-sandbox-1' }, value: 321.5 },
    ]);
  });

  it('reads the state once per scrape', async () => {
    let reads = 0;
    const registry = createMetricsRegistry(() => {
      reads++;
      return state({ samples: [sample('docker-api-1')] });
    });
    await registry.metrics();
    assert.equal(reads, 1);
    await new Promise((resolve) => setImmediate(resolve));
    await registry.metrics();
    assert.equal(reads, 2);
  });

  it('names the Dify release from the api image, else the web image, per stack', async () => {
    const { json } = await scrape(() =>
      state({
        samples: [
          sample('docker-web-1', { image: 'langgenius/dify-web:1.9.0', role: 'web' }),
          sample('docker-api-1', { image: 'registry.example:5000/langgenius/dify-api:1.10.1' }),
          sample('docker-sandbox-1', { image: 'langgenius/dify-sandbox:0.2.12', role: 'sandbox' }),
          sample('other', { stack: null, service: null, role: 'other', image: 'example/other-app:1.0' }),
        ],
      }),
    );
    assert.deepEqual(
      json.get('container_processes')?.map((s) => [s.labels['name'], s.labels['dify_version']]),
      [
        ['docker-web-1', '1.10.1'],
        ['docker-api-1', '1.10.1'],
        ['docker-sandbox-1', '1.10.1'],
        ['other', ''],
      ],
    );
  });
});
