/**
 * The vocabulary every layer shares: a host, a stack, a role, a reading, a sample.
 * Main, preload, renderer and the CLI all speak in these types.
 */

/** Cumulative counters read from one container at one instant; deltas between two make a sample. */
export interface Reading {
  /** Wall clock of the read, ms since epoch. */
  readonly ts: number;
  readonly platform: 'linux' | 'windows';
  /** Total CPU time used by the container, in ns (Linux) or 100 ns units (Windows), cumulative. */
  readonly cpuTotal: number;
  /** Host CPU time of all CPUs, ns, cumulative (Linux `system_cpu_usage`); null where the engine omits it. */
  readonly systemCpu: number | null;
  /** CPUs the engine reports online; the CPU % formula scales by this. */
  readonly onlineCpus: number;
  /** Memory as `docker stats` shows it: usage minus inactive file cache, or Windows private working set. */
  readonly memUsageBytes: number | null;
  /** Limit the engine reports: the container's own or, with none set, the host/VM memory. */
  readonly memLimitBytes: number | null;
  readonly pids: number | null;
  readonly netRxBytes: number | null;
  readonly netTxBytes: number | null;
  readonly blockReadBytes: number | null;
  readonly blockWriteBytes: number | null;
  /** Windows only: engine read time in ns, needed by the 100 ns interval formula. */
  readonly readTimeNs?: number;
  /** Windows only: the processor count the engine reports. */
  readonly numProcs?: number;
  /** The kernel's own counters of the container's cgroup; only the cgroup files have them. */
  readonly kernel?: KernelCounters;
}

/**
 * Cumulative counters of a container's memory cgroup, read while its main process was alive and
 * not dying: a rise in `oomKills` then means a process inside a container that kept running.
 */
export interface KernelCounters {
  /** OOM kills of the cgroup's processes by any OOM killer (v1 `memory.oom_control`, v2 `memory.events` oom_kill). */
  readonly oomKills: number;
  /** Times usage hit the cgroup's own limit (v1 `memory.failcnt`, v2 `memory.events` max); null when unreadable. */
  readonly limitHits: number | null;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
export type Health = 'healthy' | 'unhealthy' | 'starting' | 'none';
export type MemLimitSource = 'container' | 'host';

/** Whether a value from outside (JSON, an engine, a page) is one of the words of a list below. */
export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

/**
 * What Dify role a container plays; anything outside a Dify stack is `other`. The page and the CLI
 * list them in this order.
 */
export const ROLES = [
  'api',
  'api_websocket',
  'worker',
  'worker_beat',
  'web',
  'db',
  'redis',
  'vector_store',
  'sandbox',
  'plugin_daemon',
  'agent_backend',
  'etl',
  'ssrf_proxy',
  'nginx',
  'init',
  'certbot',
  'service',
  'other',
] as const;
export type Role = (typeof ROLES)[number];

/** A container as inspect describes it, plus where it sits in a Dify stack. */
export interface ContainerMeta {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly state: ContainerState;
  readonly health: Health;
  readonly restartCount: number;
  readonly oomKilled: boolean;
  readonly exitCode: number | null;
  readonly startedAt: string | null;
  /** Main process pid on the engine's host, 0 when not running. */
  readonly pid: number;
  /** The container's own memory limit in bytes, 0 when none is set. */
  readonly memLimitBytes: number;
  /** CPUs the container may use (NanoCpus or CpuQuota/CpuPeriod), null when unrestricted. */
  readonly cpuLimit: number | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  readonly stack: string | null;
  readonly service: string | null;
  readonly containerNumber: number | null;
  readonly role: Role;
  /** Started with a TTY: its log stream is plain bytes, not stdout and stderr in 8-byte frames. */
  readonly tty?: boolean;
}

/** One per container per interval: the `watch --json` line and the chart point. */
export interface Sample {
  readonly type: 'sample';
  readonly ts: number;
  readonly host: string;
  readonly stack: string | null;
  readonly role: Role;
  readonly service: string | null;
  readonly name: string;
  readonly id: string;
  readonly image: string;
  readonly state: ContainerState;
  readonly health: Health;
  /** `docker stats` CPU %: 100 % is one full core. */
  readonly cpuPercent: number | null;
  /**
   * CPU time the container has used since it started, in seconds: the cumulative counter the
   * Prometheus exporter serves. Absent from samples recorded before it was added.
   */
  readonly cpuSeconds?: number | null;
  /** CPU % of what the container may use: its CPU limit, else all online CPUs. */
  readonly cpuOfLimitPercent: number | null;
  readonly memUsageBytes: number | null;
  readonly memLimitBytes: number | null;
  readonly memLimitSource: MemLimitSource;
  readonly memPercent: number | null;
  readonly netRxBytes: number | null;
  readonly netTxBytes: number | null;
  readonly blockReadBytes: number | null;
  readonly blockWriteBytes: number | null;
  readonly pids: number | null;
  readonly restartCount: number;
  readonly oomKilled: boolean;
  readonly exitCode: number | null;
  /** The cgroup's own counters with this reading, on a local Linux engine only. */
  readonly kernel?: KernelCounters;
  /** History key: host + stack + service + container number, stable across recreation. */
  readonly key: string;
}

/** One pass over a host's containers: the `monitor:round` push and the `watch --json` round line. */
export interface Round {
  readonly host: string;
  readonly ts: number;
  readonly samples: readonly Sample[];
  /** Running containers whose numbers are newer than in the previous round. */
  readonly fresh: number;
  readonly running: number;
  readonly durationMs: number;
  /** The host's count of OOM kills (`oom_kill` in /proc/vmstat) read before the round's containers; only where it can be read. */
  readonly hostOomKills?: number;
}

/** One process of a container, as `dify-monitor top`, the detail view and an OOM alert show it. */
export interface ContainerProcess {
  readonly pid: number;
  readonly ppid: number | null;
  /** What it is to a Dify user: "plugin langgenius/openai", "gunicorn worker", "celery worker", else its program. */
  readonly label: string;
  /** Its command line, clipped to a few hundred characters. */
  readonly command: string;
  readonly rssBytes: number;
  /** RSS change per second over the last few minutes of readings; null until two readings far enough apart. */
  readonly rssTrendBytesPerSec: number | null;
}

/** A line of a container's log that one of the signatures (or a user's pattern) knows. */
export interface LogMatch {
  readonly type: 'log';
  readonly host: string;
  readonly key: string;
  readonly id: string;
  readonly name: string;
  /** When the engine logged the line, ms since epoch. */
  readonly ts: number;
  /** The line, clipped to a few hundred characters. */
  readonly line: string;
  readonly signature: LogSignatureRef;
  /** The process the line names (`Worker (pid:35)`), when it names one. */
  readonly pid: number | null;
  /** What the line is about, a pid or a plugin: a line explains another about the same. */
  readonly subject: string | null;
}

/** A signature as an alert needs it: what to call it and how it counts. */
export interface LogSignatureRef {
  readonly id: string;
  readonly title: string;
  readonly severity: 'warning' | 'critical';
  /** The line tells of a process killed inside the container. */
  readonly kill: boolean;
  readonly explainedBy: string | null;
  readonly burst: { readonly count: number; readonly windowMs: number } | null;
}

/** Who held a container's memory at one moment. */
export interface ProcessTable {
  readonly host: string;
  readonly key: string;
  readonly id: string;
  readonly name: string;
  readonly ts: number;
  /** `proc`: the cgroup's process list and /proc on this machine; `top`: the engine's top endpoint. */
  readonly source: 'proc' | 'top';
  /** Largest RSS first. */
  readonly processes: readonly ContainerProcess[];
  /** Processes seen in the last two readings that are gone now, with their last RSS: a killed one is among them. */
  readonly exited: readonly ContainerProcess[];
}

/** The numbers a sample carries, each a number or null: what history keeps and a UI may plot. */
export const SAMPLE_METRICS = [
  'cpuPercent',
  'cpuOfLimitPercent',
  'memUsageBytes',
  'memLimitBytes',
  'memPercent',
  'netRxBytes',
  'netTxBytes',
  'blockReadBytes',
  'blockWriteBytes',
  'pids',
] as const satisfies readonly (keyof Sample)[];

/**
 * `down` passes by itself (retried soon); `auth-failed` (SSH key or host key refused, HTTP
 * 401/403) and `tls-failed` (CA, certificate, host name, TLS against plain HTTP) need a person.
 */
export const HOST_FAILURE_STATES = ['down', 'auth-failed', 'tls-failed'] as const;
export type HostFailureState = (typeof HOST_FAILURE_STATES)[number];
export const HOST_STATES = ['connecting', 'up', ...HOST_FAILURE_STATES] as const;
export type HostStateName = (typeof HOST_STATES)[number];

export interface HostState {
  readonly type: 'host';
  readonly ts: number;
  readonly host: string;
  readonly state: HostStateName;
  /** Human sentence: where it looked, what failed, what to do. */
  readonly message: string;
  readonly endpoint: string;
  /** Why this endpoint was chosen (DOCKER_HOST, context, well-known socket). */
  readonly reason: string;
  readonly engineVersion?: string;
  readonly memTotalBytes?: number;
  readonly cpus?: number;
  /** The collection path in use: `cgroup` reads the kernel's files, `api` asks the engine. */
  readonly source?: 'cgroup' | 'api';
  readonly retryInMs?: number;
  /** Set for plain tcp://: the engine is reachable without authentication or encryption. */
  readonly warning?: string;
}

/**
 * The engine's container actions passed on as events. `kill` is a signal someone sent (docker
 * stop/kill/rm -f): a following exit 137 is not an OOM.
 */
export const CONTAINER_EVENT_ACTIONS = [
  'start',
  'die',
  'kill',
  'oom',
  'health_status',
  'destroy',
  'rename',
  'restart',
] as const;
export type ContainerEventAction = (typeof CONTAINER_EVENT_ACTIONS)[number];

/** A container lifecycle event from the engine, kept for charts (markers) and alerts. */
export interface ContainerEvent {
  readonly type: 'event';
  readonly ts: number;
  readonly host: string;
  readonly action: ContainerEventAction;
  readonly id: string;
  readonly name: string;
  readonly key: string | null;
  readonly exitCode?: number;
  readonly health?: Health;
  /** die: what inspect said right after, when it could still be asked. */
  readonly oomKilled?: boolean;
}
