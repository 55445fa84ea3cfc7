import type { ContainerMeta, ContainerState, Health } from '../model.ts';

/** Inspect facts about one container, before Dify discovery places it in a stack. */
export type InspectedContainer = Omit<ContainerMeta, 'stack' | 'role'>;

const COMPOSE = 'com.docker.compose.';
const STATES: readonly ContainerState[] = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
];
const HEALTHS: readonly Health[] = ['healthy', 'unhealthy', 'starting'];

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(value))) if (typeof v === 'string') out[k] = v;
  return out;
}

function envMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(value)) return out;
  for (const entry of value) {
    if (typeof entry !== 'string') continue;
    const eq = entry.indexOf('=');
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/** Only the variables discovery needs: the full environment may hold secrets and must not travel. */
const KEPT_ENV = new Set(['MODE']);

function cpuLimitOf(hostConfig: Record<string, unknown>): number | null {
  const nano = num(hostConfig['NanoCpus']) ?? 0;
  if (nano > 0) return nano / 1e9;
  const quota = num(hostConfig['CpuQuota']) ?? 0;
  const period = num(hostConfig['CpuPeriod']) || 100_000;
  return quota > 0 ? quota / period : null;
}

/** `GET /containers/{id}/json` → the facts we keep. Tolerates any engine's omissions. */
export function fromInspect(raw: unknown): InspectedContainer | null {
  const json = record(raw);
  const id = str(json['Id']) ?? str(json['ID']);
  if (id === null) return null;
  const config = record(json['Config']);
  const state = record(json['State']);
  const hostConfig = record(json['HostConfig']);
  const labels = stringMap(config['Labels']);
  const env = Object.fromEntries(Object.entries(envMap(config['Env'])).filter(([k]) => KEPT_ENV.has(k)));
  const status = str(state['Status']) as ContainerState | null;
  const health = str(record(state['Health'])['Status']) as Health | null;
  const number = Number.parseInt(labels[`${COMPOSE}container-number`] ?? '', 10);
  return {
    id,
    name: (str(json['Name']) ?? id.slice(0, 12)).replace(/^\//, ''),
    image: str(config['Image']) ?? str(json['Image']) ?? '',
    state:
      status !== null && STATES.includes(status) ? status : state['Running'] === true ? 'running' : 'exited',
    health: health !== null && HEALTHS.includes(health) ? health : 'none',
    restartCount: num(json['RestartCount']) ?? 0,
    oomKilled: state['OOMKilled'] === true,
    exitCode: num(state['ExitCode']),
    startedAt: str(state['StartedAt']),
    pid: num(state['Pid']) ?? 0,
    memLimitBytes: num(hostConfig['Memory']) ?? 0,
    cpuLimit: cpuLimitOf(hostConfig),
    labels,
    env,
    service: labels[`${COMPOSE}service`] ?? null,
    containerNumber: Number.isFinite(number) ? number : null,
    tty: config['Tty'] === true,
  };
}

export function composeProject(container: InspectedContainer): { name: string; workingDir: string } | null {
  const name = container.labels[`${COMPOSE}project`];
  if (name === undefined || name === '') return null;
  return { name, workingDir: container.labels[`${COMPOSE}project.working_dir`] ?? '' };
}
