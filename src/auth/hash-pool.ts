import { ArangoError } from '../errors/index.ts';

/**
 * Bounds how many password hashes run at once (each scrypt takes a libuv pool thread and ~45 ms
 * of CPU; lmdb commits share that pool) and how many may wait. Beyond the queue a login is
 * refused at once with 503 rather than letting a flood of guesses queue without limit.
 */
export class HashPool {
  readonly #concurrency: number;
  readonly #maxQueued: number;
  #running = 0;
  readonly #queue: Array<() => void> = [];

  constructor(concurrency: number, maxQueued: number) {
    this.#concurrency = Math.max(1, concurrency);
    this.#maxQueued = Math.max(0, maxQueued);
  }

  /** Runs `fn` when a slot is free. Throws `ERROR_HTTP_SERVICE_UNAVAILABLE` when the queue is full. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#concurrency) {
      if (this.#queue.length >= this.#maxQueued) throw new ArangoError('ERROR_HTTP_SERVICE_UNAVAILABLE', 'too many logins in progress');
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else this.#running++;
    try {
      return await fn();
    } finally {
      const next = this.#queue.shift();
      // the slot passes straight to the next waiter, so #running only drops when nobody waits
      if (next) next();
      else this.#running--;
    }
  }
}
