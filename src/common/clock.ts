/**
 * A monotonic time source in milliseconds. Lease and heartbeat logic takes a `Clock` so that unit
 * tests can move time by hand instead of sleeping. Values are only meaningful relative to each other
 * (never compare them with `Date.now()`).
 */
export interface Clock {
  /** Milliseconds on a monotonic scale that never goes backwards. */
  now(): number;
}

/** The process's monotonic clock (`performance.now()`), unaffected by wall-clock adjustments. */
export const systemClock: Clock = Object.freeze({ now: (): number => performance.now() });

/**
 * A clock that only moves when told to, for unit tests. Starts at `startMs` (default 0).
 * Throws `RangeError` when asked to go backwards, because a monotonic clock never does.
 */
export class ManualClock implements Clock {
  #nowMs: number;

  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`a monotonic clock cannot move by ${ms} ms`);
    this.#nowMs += ms;
  }

  /** Sets the clock to `ms`, which must not be earlier than the current time. */
  set(ms: number): void {
    if (!(ms >= this.#nowMs)) throw new RangeError(`a monotonic clock cannot go back from ${this.#nowMs} to ${ms}`);
    this.#nowMs = ms;
  }
}
