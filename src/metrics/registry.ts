/**
 * The Prometheus exporter: the monitor's latest state as cAdvisor-named series, rendered by
 * prom-client at scrape time. Nothing is kept between scrapes: each metric's collect callback
 * resets it and sets what is true now, so a container that is gone is gone from the output.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { ActiveAlert } from '../alerts/types.ts';
import type { HostState, Sample } from '../model.ts';
import { CONTAINER_LABELS, containerLabels, difyVersions, type ContainerLabels } from './labels.ts';

/**
 * What a scrape reads, declared here rather than taken from the service: the exporter depends on
 * these four facts only, and the monitor service (or a test) hands over anything that has them.
 */
export interface MetricsState {
  /** Each host's latest round. */
  readonly samples: readonly Sample[];
  readonly hosts: readonly HostState[];
  readonly active: readonly ActiveAlert[];
  /** OOM kills per container key since the monitor started. */
  readonly oomKills: ReadonlyMap<string, number>;
}

/** One scrape's reading of the state, shared by every metric's collect callback. */
interface View {
  readonly containers: readonly { readonly sample: Sample; readonly labels: ContainerLabels }[];
  readonly state: MetricsState;
}

interface ContainerMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  /** The value, or null when it is not known (a stopped container has no working set). */
  readonly value: (sample: Sample, state: MetricsState) => number | null | undefined;
}

/** cAdvisor's names and meanings; its `interface` and `device` labels are summed away. */
const CONTAINER_METRICS: readonly ContainerMetric[] = [
  {
    name: 'container_memory_working_set_bytes',
    help: 'Current working set in bytes: usage less inactive file cache, as docker stats shows it.',
    type: 'gauge',
    value: (s) => s.memUsageBytes,
  },
  {
    name: 'container_spec_memory_limit_bytes',
    help: "The container's own memory limit in bytes, 0 when it has none.",
    type: 'gauge',
    value: (s) => (s.memLimitSource === 'container' ? (s.memLimitBytes ?? 0) : 0),
  },
  {
    name: 'container_cpu_usage_seconds_total',
    help: 'Cumulative CPU time consumed in seconds.',
    type: 'counter',
    value: (s) => s.cpuSeconds,
  },
  {
    name: 'container_network_receive_bytes_total',
    help: 'Cumulative bytes received, all interfaces.',
    type: 'counter',
    value: (s) => s.netRxBytes,
  },
  {
    name: 'container_network_transmit_bytes_total',
    help: 'Cumulative bytes transmitted, all interfaces.',
    type: 'counter',
    value: (s) => s.netTxBytes,
  },
  {
    name: 'container_fs_reads_bytes_total',
    help: 'Cumulative bytes read from block devices.',
    type: 'counter',
    value: (s) => s.blockReadBytes,
  },
  {
    name: 'container_fs_writes_bytes_total',
    help: 'Cumulative bytes written to block devices.',
    type: 'counter',
    value: (s) => s.blockWriteBytes,
  },
  {
    name: 'container_processes',
    help: 'Number of processes (pids) running inside the container.',
    type: 'gauge',
    value: (s) => s.pids,
  },
  {
    name: 'container_oom_events_total',
    help: 'OOM kills of the container seen since the monitor started (engine oom event, exit 137 or OOMKilled).',
    type: 'counter',
    value: (s, state) => state.oomKills.get(s.key) ?? 0,
  },
  {
    name: 'container_restarts',
    help: "The engine's restart count of the container.",
    type: 'gauge',
    value: (s) => s.restartCount,
  },
];

function usable(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Containers whose host answers. A host that is down keeps its last round in the state; serving
 * it would show frozen numbers as live, so its series end and `dify_monitor_host_up` says why.
 */
function viewOf(state: MetricsState): View {
  const up = new Set(state.hosts.filter((h) => h.state === 'up').map((h) => h.host));
  const samples = state.samples.filter((s) => up.has(s.host));
  const versions = difyVersions(samples);
  return {
    containers: samples.map((sample) => ({ sample, labels: containerLabels(sample, versions) })),
    state,
  };
}

/** A registry whose every scrape reads `read()` once. */
export function createMetricsRegistry(read: () => MetricsState): Registry {
  const registry = new Registry();
  let view: View | null = null;
  // prom-client calls each metric's collect in turn; one reading per scrape keeps them consistent.
  const current = (): View => {
    if (view === null) {
      view = viewOf(read());
      setImmediate(() => {
        view = null;
      });
    }
    return view;
  };

  /** A gauge or counter prom-client renders from this scrape's reading; nothing carries over. */
  const collected = <L extends string>(
    kind: 'gauge' | 'counter',
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (put: (labels: Record<L, string>, value: number) => void, view: View) => void,
  ): void => {
    const config = { name, help, labelNames, registers: [registry] };
    if (kind === 'counter') {
      new Counter({
        ...config,
        collect() {
          this.reset();
          fill((labels, value) => this.inc(labels, value), current());
        },
      });
    } else {
      new Gauge({
        ...config,
        collect() {
          this.reset();
          fill((labels, value) => this.set(labels, value), current());
        },
      });
    }
  };

  for (const metric of CONTAINER_METRICS) {
    collected(metric.type, metric.name, metric.help, CONTAINER_LABELS, (put, { containers, state }) => {
      for (const { sample, labels } of containers) {
        const value = metric.value(sample, state);
        if (usable(value)) put(labels, value);
      }
    });
  }

  collected(
    'gauge',
    'dify_monitor_alert_active',
    "1 while one of Dify Monitor's alert conditions holds (notified, muted or in cooldown).",
    ['rule', 'severity', 'host', 'stack', 'name'],
    (put, { state }) => {
      for (const a of state.active) {
        put({ rule: a.rule, severity: a.severity, host: a.host, stack: a.stack ?? '', name: a.name }, 1);
      }
    },
  );

  collected(
    'gauge',
    'dify_monitor_memory_trend_eta_seconds',
    "Seconds until the container's memory growth reaches its limit, while the memory-trend condition holds.",
    ['host', 'stack', 'name'],
    (put, { state }) => {
      for (const a of state.active) {
        if (a.rule !== 'memory-trend' || !usable(a.etaSeconds)) continue;
        put({ host: a.host, stack: a.stack ?? '', name: a.name }, a.etaSeconds);
      }
    },
  );

  collected(
    'gauge',
    'machine_memory_bytes',
    "The host's (or Docker VM's) memory in bytes: the limit of a container that has none of its own.",
    ['host'],
    (put, { state }) => {
      for (const h of state.hosts) {
        if (h.state === 'up' && usable(h.memTotalBytes)) put({ host: h.host }, h.memTotalBytes);
      }
    },
  );

  collected(
    'gauge',
    'dify_monitor_host_up',
    '1 when the Docker engine of the host answers; 0 while it is connecting, down, auth-failed or tls-failed.',
    ['host'],
    (put, { state }) => {
      for (const h of state.hosts) put({ host: h.host }, h.state === 'up' ? 1 : 0);
    },
  );

  return registry;
}
