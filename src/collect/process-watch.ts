/**
 * When a collector reads its containers' processes, and what it keeps of them. From /proc they
 * cost a few reads of open files, so every round, which is what lets an OOM alert name the
 * process that was killed. Through the engine's top endpoint each read is a `ps` the engine runs,
 * so only at a slow rate and only for containers someone looks at (the detail view asks) or that
 * are near their limit.
 */
import { historyKey } from '../dify/discovery.ts';
import type { ContainerMeta, ProcessTable, Sample } from '../model.ts';
import { ProcessHistory } from './process-history.ts';
import type { ProcessReader } from './process-reading.ts';

/** Through the engine's API, a container's processes are read at most this often. */
export const TOP_EVERY_MS = 30_000;
/** A container the detail view asked about stays watched this long after the last ask. */
const WANTED_FOR_MS = 60_000;
/** Memory at or above this share of the limit is near it: ten points under the default warning. */
const NEAR_PERCENT = 75;

export class ProcessWatch {
  readonly #reader: ProcessReader;
  readonly #host: string;
  readonly #emit: (tables: readonly ProcessTable[]) => void;
  readonly #history = new ProcessHistory();
  readonly #latest = new Map<string, ProcessTable>();
  readonly #wantedUntil = new Map<string, number>();

  constructor(reader: ProcessReader, host: string, emit: (tables: readonly ProcessTable[]) => void) {
    this.#reader = reader;
    this.#host = host;
    this.#emit = emit;
  }

  get kind(): ProcessReader['kind'] {
    return this.#reader.kind;
  }

  /**
   * After a round's stats: from /proc every running container, told before the round is; through
   * top the due ones, told when the engine answers (the round does not wait for it).
   */
  async afterRound(
    containers: readonly ContainerMeta[],
    samples: readonly Sample[],
    now: number,
  ): Promise<void> {
    const running = containers.filter((c) => c.state === 'running');
    if (this.#reader.kind === 'proc') {
      await this.#read(running, now);
      return;
    }
    const near = new Set(samples.filter((s) => (s.memPercent ?? 0) >= NEAR_PERCENT).map((s) => s.id));
    const due = running.filter(
      (c) => (near.has(c.id) || (this.#wantedUntil.get(c.id) ?? 0) > now) && this.#isStale(c.id, now),
    );
    if (due.length > 0) void this.#read(due, now);
  }

  /** The latest table of a container the page shows; through top it is read now when stale. */
  async tableOf(meta: ContainerMeta, now: number): Promise<ProcessTable | null> {
    this.#wantedUntil.set(meta.id, now + WANTED_FOR_MS);
    if (this.#reader.kind === 'top' && meta.state === 'running' && this.#isStale(meta.id, now)) {
      await this.#read([meta], now);
    }
    return this.#latest.get(meta.id) ?? null;
  }

  forget(id: string): void {
    this.#history.forget(id);
    this.#latest.delete(id);
    this.#wantedUntil.delete(id);
    this.#reader.forget(id);
  }

  close(): void {
    this.#reader.close();
  }

  #isStale(id: string, now: number): boolean {
    return now - (this.#latest.get(id)?.ts ?? -Infinity) >= TOP_EVERY_MS;
  }

  async #read(containers: readonly ContainerMeta[], now: number): Promise<void> {
    const raw = await this.#reader.read(containers);
    const tables: ProcessTable[] = [];
    for (const meta of containers) {
      const processes = raw.get(meta.id);
      if (processes === undefined) continue;
      const view = this.#history.update(meta.id, processes, now);
      const table: ProcessTable = {
        host: this.#host,
        key: historyKey(this.#host, meta),
        id: meta.id,
        name: meta.name,
        ts: now,
        source: this.#reader.kind,
        ...view,
      };
      this.#latest.set(meta.id, table);
      tables.push(table);
    }
    if (tables.length > 0) this.#emit(tables);
  }
}
