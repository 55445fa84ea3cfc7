import type { ContainerMeta } from '../model.ts';
import { composeProject, type InspectedContainer } from '../docker/inspect.ts';
import { difyRole, isDifyImage } from './roles.ts';

export interface Stack {
  /** The Compose project name; Compose keeps it unique per engine, so it names the stack on a host. */
  readonly name: string;
  readonly workingDir: string;
  readonly containerIds: readonly string[];
}

export interface Discovery {
  readonly stacks: readonly Stack[];
  readonly containers: readonly ContainerMeta[];
}

/**
 * The label that keeps a container out of every stack. Dify Monitor's image carries it, so that a
 * monitor added to Dify's compose project (docker/compose.monitor.yaml) never reports itself as a
 * Dify service; anyone may put it on a sidecar of their own.
 */
const EXCLUDE_LABEL = 'dify-monitor.exclude';

/**
 * A stack is a Compose project with at least one `langgenius/dify-*` image; all of that
 * project's containers belong to it, whatever their images, except those labelled
 * `dify-monitor.exclude=true`. Everything else is `other`.
 */
export function discover(containers: readonly InspectedContainer[]): Discovery {
  const projects = new Map<string, { workingDir: string; members: InspectedContainer[]; dify: boolean }>();
  for (const container of containers) {
    const project = composeProject(container);
    if (project === null || container.labels[EXCLUDE_LABEL] === 'true') continue;
    const entry = projects.get(project.name) ?? { workingDir: project.workingDir, members: [], dify: false };
    entry.members.push(container);
    entry.dify ||= isDifyImage(container.image);
    projects.set(project.name, entry);
  }

  const stacks: Stack[] = [];
  const stackOf = new Map<string, string>();
  for (const [name, project] of projects) {
    if (!project.dify) continue;
    stacks.push({ name, workingDir: project.workingDir, containerIds: project.members.map((c) => c.id) });
    for (const member of project.members) stackOf.set(member.id, name);
  }
  stacks.sort((a, b) => a.name.localeCompare(b.name));

  return {
    stacks,
    containers: containers.map((container): ContainerMeta => {
      const stack = stackOf.get(container.id) ?? null;
      return {
        ...container,
        stack,
        role: stack === null ? 'other' : difyRole(container),
      };
    }),
  };
}

/** History key: survives `docker compose up` recreating a container with a new id. */
export function historyKey(host: string, container: ContainerMeta): string {
  if (container.stack !== null && container.service !== null) {
    return `${host}/${container.stack}/${container.service}/${container.containerNumber ?? 1}`;
  }
  return `${host}/-/${container.name}`;
}
