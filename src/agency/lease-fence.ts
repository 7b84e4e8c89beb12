import type { Clock } from '../common/clock.ts';

/** Why a lease stopped being certainly valid. */
export type LeaseLossReason =
  /** No keep-alive was confirmed in time: the lease may still exist, but nobody can prove it. */
  | 'unconfirmed'
  /** etcd answered that the lease no longer exists: every key bound to it is gone. */
  | 'expired';

/** A change of certainty reported by {@link LeaseFence.evaluate}. */
export type LeaseFenceTransition = 'lost' | 'recovered' | null;

/**
 * Local proof that a lease is still alive, so that a leader can stop writing *before* etcd could
 * hand its key to someone else (spec §9.4, split brain).
 *
 * etcd restarts a lease's TTL when it handles a keep-alive, which happens after the request was
 * sent; so `sentAt + ttl` is a lower bound of the lease's expiry on etcd's clock. The fence
 * subtracts a safety margin for clock-rate differences and scheduling delays, and only ever
 * moves the bound forward (an old answer arriving late cannot shorten it). Times come from an
 * injected monotonic {@link Clock}. The fence does no I/O and keeps no timers: callers tell it
 * what happened and ask it what holds.
 */
export class LeaseFence {
  readonly #clock: Clock;
  readonly #safetyMarginMs: number;
  #validUntil = -Infinity;
  #reportedValid = false;

  /** Throws `RangeError` for a negative safety margin. */
  constructor(clock: Clock, safetyMarginMs: number) {
    if (!(safetyMarginMs >= 0)) throw new RangeError(`lease safety margin must be ≥ 0 ms, got ${safetyMarginMs}`);
    this.#clock = clock;
    this.#safetyMarginMs = safetyMarginMs;
  }

  /** The margin subtracted from every confirmed TTL, in ms. */
  get safetyMarginMs(): number {
    return this.#safetyMarginMs;
  }

  /**
   * Records that etcd confirmed the lease (a grant or a keep-alive answer) for a request sent at
   * `sentAtMs` (clock time), with `ttlMs` as the TTL etcd reported.
   */
  confirm(sentAtMs: number, ttlMs: number): void {
    this.#validUntil = Math.max(this.#validUntil, sentAtMs + ttlMs - this.#safetyMarginMs);
  }

  /** Records that the lease is certainly gone (expired, revoked or replaced). */
  invalidate(): void {
    this.#validUntil = -Infinity;
  }

  /** Clock time until which the lease is certainly valid; `-Infinity` when it never was or is gone. */
  validUntil(): number {
    return this.#validUntil;
  }

  /** True only while `now` is before {@link validUntil}. */
  isCertainlyValid(now: number = this.#clock.now()): boolean {
    return now < this.#validUntil;
  }

  /**
   * Compares the certainty at `now` with the last reported one and returns the change to
   * announce: `'lost'`, `'recovered'` or `null`. Each change is returned exactly once.
   */
  evaluate(now: number = this.#clock.now()): LeaseFenceTransition {
    const valid = this.isCertainlyValid(now);
    if (valid === this.#reportedValid) return null;
    this.#reportedValid = valid;
    return valid ? 'recovered' : 'lost';
  }
}
