/**
 * The one typed emitter: the monitor service's pushes and the page's bridge client both use it.
 * Browser-safe (no Node import), so the renderer can share it.
 */
type Listener<T> = (payload: T) => void;

export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  readonly #onError: (channel: keyof Events, error: unknown) => void;

  /** `onError` hears a listener that threw; the others still get the payload. */
  constructor(onError: (channel: keyof Events, error: unknown) => void = () => undefined) {
    this.#onError = onError;
  }

  on<C extends keyof Events>(channel: C, listener: Listener<Events[C]>): () => void {
    let set = this.#listeners.get(channel);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(channel, set);
    }
    const entry = listener as Listener<never>;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  emit<C extends keyof Events>(channel: C, payload: Events[C]): void {
    for (const listener of this.#listeners.get(channel) ?? []) {
      try {
        (listener as Listener<Events[C]>)(payload);
      } catch (error) {
        // One broken subscriber (a closed window, a dead socket) must not stop the others.
        this.#onError(channel, error);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
