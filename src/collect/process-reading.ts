/** One process as a reader found it, before history gives it a label and a trend. */
export interface RawProcess {
  readonly pid: number;
  readonly ppid: number | null;
  readonly argv: readonly string[];
  /** Resident memory; null where the reader could not tell (a kernel thread, a Windows container). */
  readonly rssBytes: number | null;
  /**
   * On its way out: a zombie, or SIGKILL pending (the OOM killer counts its kill before the victim
   * has finished dying, which takes tens of ms for a large one). It is counted as gone.
   */
  readonly ending: boolean;
}

/** Where processes come from: this machine's /proc, or the engine's top endpoint. */
export interface ProcessReader {
  readonly kind: 'proc' | 'top';
  /** The processes of each container asked for; a container missing from the map could not be read. */
  read(
    containers: readonly { readonly id: string; readonly pid: number }[],
  ): Promise<Map<string, RawProcess[]>>;
  forget(id: string): void;
  close(): void;
}
