/**
 * The server's tick (hybrid logical clock: microseconds since the epoch, strictly increasing),
 * kept in a shared cell so query worker threads hand out ticks (revisions, generated keys of
 * modification queries) from the same sequence as the main thread: no two writes share a tick.
 */
export class TickClock {
  readonly #cell: BigInt64Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.#cell = new BigInt64Array(buffer);
  }

  /** The shared memory, to open the same clock in another thread. */
  get buffer(): SharedArrayBuffer {
    return this.#cell.buffer as SharedArrayBuffer;
  }

  /** The newest tick handed out. */
  get value(): number {
    return Number(Atomics.load(this.#cell, 0));
  }

  /** A new tick: above every tick handed out so far and not below the wall clock. */
  next(): number {
    for (;;) {
      const cur = Atomics.load(this.#cell, 0);
      const now = BigInt(Date.now() * 1000);
      const next = cur + 1n > now ? cur + 1n : now;
      if (Atomics.compareExchange(this.#cell, 0, cur, next) === cur) return Number(next);
    }
  }

  /** Moves the clock up to `tick` (never down). */
  raise(tick: number): void {
    const t = BigInt(tick);
    for (;;) {
      const cur = Atomics.load(this.#cell, 0);
      if (cur >= t || Atomics.compareExchange(this.#cell, 0, cur, t) === cur) return;
    }
  }
}
