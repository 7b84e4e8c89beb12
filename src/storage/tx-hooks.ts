import type { Logger } from 'pino';
import type { WriteContext } from './collection.ts';

type When = 'commit' | 'abort';

/**
 * Work tied to the outcome of one `writeAtomic` transaction: what to do once it is durable
 * (hand retired sub-databases to the reclaimer) and how to undo in-memory changes made inside it
 * when it fails (switch a truncated collection back to its old generation).
 */
export class TransactionHooks {
  readonly #hooks = new WeakMap<WriteContext, { commit: Array<() => void>; abort: Array<() => void> }>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  add(tx: WriteContext, when: When, fn: () => void): void {
    let h = this.#hooks.get(tx);
    if (!h) this.#hooks.set(tx, (h = { commit: [], abort: [] }));
    h[when].push(fn);
  }

  /** Runs (once) the hooks of `tx` for its outcome; abort hooks run newest first. */
  run(tx: WriteContext, when: When): void {
    const h = this.#hooks.get(tx);
    if (!h) return;
    this.#hooks.delete(tx);
    for (const fn of when === 'abort' ? h.abort.reverse() : h.commit) {
      try {
        fn();
      } catch (err) {
        this.#log.warn({ err }, `transaction ${when} hook failed`);
      }
    }
  }
}
