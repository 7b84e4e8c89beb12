import { systemClock, type Clock } from './clock.ts';

/**
 * A declared retry policy: how often and how patiently an operation is repeated. Delays grow
 * exponentially from `initialDelayMs` by `multiplier` up to `maxDelayMs`, and each delay is
 * shortened by a random share of up to `jitter` so that many clients retrying together spread out.
 */
export interface RetryPolicy {
  /** Attempts in total, the first one included (≥ 1). `Infinity` retries until the deadline or an abort. */
  readonly maxAttempts: number;
  /** Delay after the first failure, in ms. */
  readonly initialDelayMs: number;
  /** Upper bound of any single delay, in ms. */
  readonly maxDelayMs: number;
  /** Growth factor of the delay per failed attempt; default 2. */
  readonly multiplier?: number;
  /** Share (0..1) of each delay that is randomised away; default 0.5. */
  readonly jitter?: number;
  /**
   * Time budget in ms, counted from the start of the first attempt. No attempt starts after it,
   * and a delay that would end after it is not taken: the last error is thrown instead.
   */
  readonly deadlineMs?: number;
}

/** What one failed attempt looked like, for logging from `onRetry`. */
export interface RetryAttemptInfo {
  readonly error: unknown;
  /** The attempt that just failed, 1-based. */
  readonly attempt: number;
  /** How long the policy waits before the next attempt. */
  readonly delayMs: number;
}

/** Per-call collaborators of {@link retry}. */
export interface RetryOptions {
  /** Aborting stops waiting at once and rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Clock for the deadline; defaults to the monotonic system clock. */
  readonly clock?: Clock;
  /** Random source in [0, 1) for the jitter; injectable for deterministic tests. */
  readonly random?: () => number;
  /** Returns false for errors that must not be retried (they are rethrown at once). */
  readonly shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called after a failed attempt when another one will follow. */
  readonly onRetry?: (info: RetryAttemptInfo) => void;
}

/**
 * The delay the policy waits after failed attempt number `attempt` (1-based), jitter applied.
 * Throws `RangeError` for a policy whose numbers make no sense.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const multiplier = policy.multiplier ?? 2;
  const jitter = policy.jitter ?? 0.5;
  if (!(policy.initialDelayMs >= 0) || !(policy.maxDelayMs >= 0) || !(multiplier >= 1) || !(jitter >= 0 && jitter <= 1)) {
    throw new RangeError('retry policy needs delays ≥ 0, a multiplier ≥ 1 and a jitter within 0..1');
  }
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * multiplier ** Math.max(0, attempt - 1));
  return base * (1 - jitter * random());
}

/**
 * Resolves after `ms` milliseconds, or rejects with the signal's reason as soon as it aborts.
 * The timer is cleared on abort, so an aborted wait keeps no handle alive.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `operation` until it succeeds, following `policy`. Each attempt gets its 1-based number.
 * Rejects with the last attempt's error (unchanged, so callers keep its clear message) when the
 * attempts or the deadline are used up or `shouldRetry` says no, and with the abort reason when
 * `options.signal` aborts.
 */
export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  options: RetryOptions = {},
): Promise<T> {
  if (!(policy.maxAttempts >= 1)) throw new RangeError(`retry policy needs maxAttempts ≥ 1, got ${policy.maxAttempts}`);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const deadline = policy.deadlineMs === undefined ? Infinity : clock.now() + policy.deadlineMs;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    try {
      return await operation(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      if (attempt >= policy.maxAttempts) throw error;
      if (options.shouldRetry !== undefined && !options.shouldRetry(error, attempt)) throw error;
      const delayMs = retryDelayMs(policy, attempt, random);
      if (clock.now() + delayMs >= deadline) throw error;
      options.onRetry?.({ error, attempt, delayMs });
      await sleep(delayMs, options.signal);
    }
  }
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('the operation was aborted', 'AbortError');
}
