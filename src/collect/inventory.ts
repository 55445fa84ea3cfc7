import type { ContainerMeta } from '../model.ts';
import type { InspectedContainer } from '../docker/inspect.ts';
import { discover, type Stack } from '../dify/discovery.ts';

/**
 * The containers one engine has, kept current by events rather than by listing every tick.
 * Discovery reruns on every change because one new Dify image can turn a whole Compose
 * project into a stack.
 */
export class Inventory {
  private readonly inspected = new Map<string, InspectedContainer>();
  private metas: readonly ContainerMeta[] = [];
  private metasById = new Map<string, ContainerMeta>();
  private stackList: readonly Stack[] = [];

  replaceAll(containers: readonly InspectedContainer[]): void {
    this.inspected.clear();
    for (const c of containers) this.inspected.set(c.id, c);
    this.rediscover();
  }

  upsert(container: InspectedContainer): void {
    this.inspected.set(container.id, container);
    this.rediscover();
  }

  remove(id: string): boolean {
    const had = this.inspected.delete(id);
    if (had) this.rediscover();
    return had;
  }

  get(id: string): ContainerMeta | undefined {
    return this.metasById.get(id);
  }

  has(id: string): boolean {
    return this.inspected.has(id);
  }

  all(): readonly ContainerMeta[] {
    return this.metas;
  }

  stacks(): readonly Stack[] {
    return this.stackList;
  }

  /** Dify containers only, unless asked for all or no Dify stack exists (then all, so the user sees something). */
  inScope(includeOthers: boolean): readonly ContainerMeta[] {
    if (includeOthers || this.stackList.length === 0) return this.metas;
    return this.metas.filter((m) => m.stack !== null);
  }

  private rediscover(): void {
    const found = discover([...this.inspected.values()]);
    this.metas = found.containers;
    this.metasById = new Map(found.containers.map((m) => [m.id, m]));
    this.stackList = found.stacks;
  }
}
