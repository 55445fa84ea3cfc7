import type { Mode } from '../collect/collector.ts';

/**
 * Who is looking: a shown window, an open page. While anyone is, the collectors sample at the
 * fast rate; the last one leaving switches them back to the tray rate.
 */
export class Viewers {
  #count = 0;
  #window: (() => void) | null = null;
  readonly #apply: (mode: Mode) => void;

  constructor(apply: (mode: Mode) => void) {
    this.#apply = apply;
  }

  get mode(): Mode {
    return this.#count > 0 ? 'fast' : 'tray';
  }

  /** Counted per viewer; the function returned releases this one, once. */
  add(): () => void {
    this.#count++;
    this.#apply(this.mode);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#count--;
      this.#apply(this.mode);
    };
  }

  /** The desktop window counts as one viewer while shown. */
  setWindowVisible(visible: boolean): void {
    if (visible && this.#window === null) this.#window = this.add();
    if (!visible && this.#window !== null) {
      this.#window();
      this.#window = null;
    }
  }
}
