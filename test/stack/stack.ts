/**
 * Stand-in Dify stacks on the real engine: the containers `docker compose up` makes from Dify's
 * docker/docker-compose.yaml — same names, Compose labels, images and MODE — each running a
 * chosen workload instead of Dify. Everything is also labelled ours, so tests clean up by label.
 */
import { createHash, randomBytes } from 'node:crypto';
import { localDocker, type DockerCli } from './docker-cli.ts';
import { servicesOf, type Layout, type ServiceDef } from './layouts.ts';
import { commandFor, IDLE, type Workload } from './workloads.ts';

export type { DockerCli } from './docker-cli.ts';
export type { Layout } from './layouts.ts';
export type { Workload } from './workloads.ts';
export { dockerStatsSnapshot, type DockerStatsRow } from './docker-stats.ts';

export const TEST_LABEL_KEY = 'dify-monitor.test';
export const OTHER_IMAGE = 'example/other-app:1.0';
const COMPOSE_VERSION = '2.29.7';

/** A tag becomes `dify-monitor.test=<tag>`; a whole `key=value` label is used as it is. */
export function labelFor(tagOrLabel: string): string {
  return tagOrLabel.includes('=') ? tagOrLabel : `${TEST_LABEL_KEY}=${tagOrLabel}`;
}

interface StackShape {
  readonly layout: Layout;
  /** Compose project, `docker` by default, as Compose names it after Dify's `docker/` directory. */
  readonly project?: string;
  readonly workingDir?: string;
  /** By service; services not named idle. */
  readonly workloads?: Partial<Record<string, Workload>>;
  /** By service, in `docker run --memory` syntax (`48m`); Dify's compose file sets none. */
  readonly memLimits?: Partial<Record<string, string>>;
  /** Another engine's CLI, e.g. `ExtraDockerd.docker`; by default the one DOCKER_HOST names. */
  readonly docker?: DockerCli;
}

/** Marked with a test tag, or with a whole label of the caller's (the benchmark uses its own). */
export type StackOptions = StackShape & ({ readonly tag: string } | { readonly label: string });

export interface StandIn {
  readonly service: string | null;
  readonly name: string;
  readonly id: string;
  readonly image: string;
}

export interface StandInStack {
  readonly project: string;
  readonly workingDir: string;
  /** The `key=value` label every container carries. */
  readonly label: string;
  /** In start order; the one-shot `init_permissions` (current layout) comes first, already exited 0. */
  readonly containers: readonly StandIn[];
  /** The container of a service; throws for a service the layout does not have. */
  service(name: string): StandIn;
}

function composeLabels(
  project: string,
  workingDir: string,
  def: ServiceDef,
  imageId: string,
  command: readonly string[],
): string[] {
  const configHash = createHash('sha256')
    .update(JSON.stringify({ image: def.image, env: def.env, command }))
    .digest('hex');
  return Object.entries({
    'com.docker.compose.project': project,
    'com.docker.compose.service': def.service,
    'com.docker.compose.container-number': '1',
    'com.docker.compose.oneoff': 'False',
    'com.docker.compose.project.working_dir': workingDir,
    'com.docker.compose.project.config_files': `${workingDir}/docker-compose.yaml`,
    'com.docker.compose.project.environment_file': `${workingDir}/.env`,
    'com.docker.compose.version': COMPOSE_VERSION,
    'com.docker.compose.config-hash': configHash,
    'com.docker.compose.image': imageId,
  }).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
}

function checkServices(
  what: string,
  keys: readonly string[],
  defs: readonly ServiceDef[],
  layout: Layout,
): void {
  const known = new Set(defs.map((d) => d.service));
  const unknown = keys.filter((k) => !known.has(k));
  if (unknown.length > 0)
    throw new Error(`${what}: the ${layout} layout has no service ${unknown.join(', ')}`);
}

export async function startStack(options: StackOptions): Promise<StandInStack> {
  const docker = options.docker ?? localDocker;
  const project = options.project ?? 'docker';
  const workingDir = options.workingDir ?? '/opt/dify/docker';
  const label = labelFor('tag' in options ? options.tag : options.label);
  const workloads = options.workloads ?? {};
  const memLimits = options.memLimits ?? {};
  const defs = servicesOf(options.layout);
  checkServices('workloads', Object.keys(workloads), defs, options.layout);
  checkServices('memLimits', Object.keys(memLimits), defs, options.layout);
  for (const [service, workload] of Object.entries(workloads)) {
    if (workload?.kind === 'leak' && memLimits[service] === undefined) {
      throw new Error(`${service}: a leak needs a memLimits entry, or it eats the host`);
    }
  }

  const images = [...new Set(defs.map((d) => d.image))];
  const ids = (await docker('image', 'inspect', '--format', '{{.Id}}', ...images)).split('\n');
  const imageId = new Map(images.map((image, i) => [image, ids[i] ?? '']));

  const nameOf = (def: ServiceDef): string => `${project}-${def.service}-1`;
  // A test run killed before its cleanup leaves these names taken; Compose would replace them too.
  const stale = await docker(
    'ps',
    '--all',
    '--quiet',
    ...defs.flatMap((d) => ['--filter', `name=^/${nameOf(d)}$`]),
  );
  if (stale !== '') await docker('rm', '--force', '--volumes', ...stale.split('\n'));

  const start = async (def: ServiceDef): Promise<StandIn> => {
    const limit = memLimits[def.service];
    const command = def.oneShot ?? commandFor(workloads[def.service] ?? IDLE);
    const name = nameOf(def);
    const id = await docker(
      'run',
      '--detach',
      '--name',
      name,
      '--network',
      'none',
      '--label',
      label,
      ...composeLabels(project, workingDir, def, imageId.get(def.image) ?? '', command),
      ...Object.entries(def.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
      ...(limit === undefined ? [] : ['--memory', limit]),
      def.image,
      ...command,
    );
    if (def.oneShot !== undefined) {
      const code = await docker('wait', id);
      if (code !== '0') throw new Error(`${name} exited ${code}: ${await docker('logs', id)}`);
    }
    return { service: def.service, name, id, image: def.image };
  };

  // Compose runs the one-shots first (the api and worker wait for them), then starts the rest together.
  const oneShots: StandIn[] = [];
  for (const def of defs.filter((d) => d.oneShot !== undefined)) oneShots.push(await start(def));
  const services = await Promise.all(defs.filter((d) => d.oneShot === undefined).map(start));
  const containers = [...oneShots, ...services];

  return {
    project,
    workingDir,
    label,
    containers,
    service(name) {
      const found = containers.find((c) => c.service === name);
      if (found === undefined) throw new Error(`the ${options.layout} layout has no service ${name}`);
      return found;
    },
  };
}

/** One idle container outside any Compose project, which discovery must call `other`. */
export async function startOther(
  tagOrLabel: string,
  name = `other-app-${randomBytes(4).toString('hex')}`,
  docker: DockerCli = localDocker,
): Promise<StandIn> {
  const id = await docker(
    'run',
    '--detach',
    '--name',
    name,
    '--network',
    'none',
    '--label',
    labelFor(tagOrLabel),
    OTHER_IMAGE,
    ...commandFor(IDLE),
  );
  return { service: null, name, id, image: OTHER_IMAGE };
}

/** Removes every container, running or not, that carries the tag's (or the given) label; returns how many. */
export async function removeAll(tagOrLabel: string, docker: DockerCli = localDocker): Promise<number> {
  const ids = (await docker('ps', '--all', '--quiet', '--filter', `label=${labelFor(tagOrLabel)}`))
    .split('\n')
    .filter(Boolean);
  if (ids.length > 0) await docker('rm', '--force', '--volumes', ...ids);
  return ids.length;
}

export interface OomEnd {
  readonly exitCode: number;
  readonly oomKilled: true;
  readonly startedAt: string;
  readonly finishedAt: string;
}

/** Waits until the kernel's OOM killer has ended the container, as `docker inspect` records it. */
export async function waitForOom(
  name: string,
  timeoutMs: number,
  docker: DockerCli = localDocker,
): Promise<OomEnd> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = JSON.parse(await docker('inspect', '--format', '{{json .State}}', name)) as {
      Running: boolean;
      OOMKilled: boolean;
      ExitCode: number;
      StartedAt: string;
      FinishedAt: string;
      Status: string;
    };
    if (!state.Running && state.OOMKilled) {
      return {
        exitCode: state.ExitCode,
        oomKilled: true,
        startedAt: state.StartedAt,
        finishedAt: state.FinishedAt,
      };
    }
    // dockerd records OOMKilled from containerd's oom event, which can land after the exit: on a busy
    // CI machine (two cores, every suite's containers) it was seen more than 5 s late.
    const oomMayFollow = state.ExitCode === 137 && Date.now() - Date.parse(state.FinishedAt) < 20_000;
    if (!state.Running && state.Status !== 'created' && !oomMayFollow) {
      throw new Error(`${name} ended without an OOM kill: ${state.Status}, exit ${state.ExitCode}`);
    }
    if (Date.now() > deadline) throw new Error(`${name} was not OOM-killed within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
