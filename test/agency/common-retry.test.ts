import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/common/clock.ts';
import { retry, retryDelayMs, sleep } from '../../src/common/retry.ts';

describe('retryDelayMs', () => {
  const policy = { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1000 };

  it('grows exponentially up to the cap without jitter', () => {
    const noJitter = { ...policy, jitter: 0 };
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => retryDelayMs(noJitter, a)), [100, 200, 400, 800, 1000, 1000]);
  });

  it('takes at most the jitter share off each delay', () => {
    assert.equal(retryDelayMs(policy, 2, () => 0), 200);
    assert.equal(retryDelayMs(policy, 2, () => 0.999999), 200 * (1 - 0.5 * 0.999999));
    assert.equal(retryDelayMs({ ...policy, jitter: 1 }, 1, () => 0.5), 50);
  });

  it('rejects nonsensical policies', () => {
    assert.throws(() => retryDelayMs({ ...policy, jitter: 2 }, 1), RangeError);
    assert.throws(() => retryDelayMs({ ...policy, multiplier: 0.5 }, 1), RangeError);
  });
});

describe('retry', () => {
  const fast = { maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 2 };

  it('returns the first success and passes the attempt number', async () => {
    const attempts: number[] = [];
    const result = await retry(async (attempt) => {
      attempts.push(attempt);
      if (attempt < 3) throw new Error(`fail ${attempt}`);
      return 'ok';
    }, fast);
    assert.equal(result, 'ok');
    assert.deepEqual(attempts, [1, 2, 3]);
  });

  it('rethrows the last error unchanged when attempts run out', async () => {
    let n = 0;
    await assert.rejects(
      retry(async () => {
        n++;
        throw new Error(`boom ${n}`);
      }, fast),
      { message: 'boom 5' },
    );
    assert.equal(n, 5);
  });

  it('stops at once when shouldRetry says no', async () => {
    let n = 0;
    await assert.rejects(
      retry(
        async () => {
          n++;
          throw new TypeError('permanent');
        },
        fast,
        { shouldRetry: (error) => !(error instanceof TypeError) },
      ),
      TypeError,
    );
    assert.equal(n, 1);
  });

  it('gives up instead of waiting past the deadline', async () => {
    const clock = new ManualClock(0);
    let n = 0;
    const policy = { maxAttempts: Infinity, initialDelayMs: 1, maxDelayMs: 1, jitter: 0, deadlineMs: 100 };
    await assert.rejects(
      retry(
        async () => {
          n++;
          clock.advance(40); // each attempt "takes" 40 ms
          throw new Error(`attempt ${n}`);
        },
        policy,
        { clock },
      ),
      { message: 'attempt 3' },
    );
    assert.equal(n, 3);
  });

  it('reports each retry with its delay', async () => {
    const seen: number[] = [];
    await assert.rejects(
      retry(async () => Promise.reject(new Error('x')), { ...fast, maxAttempts: 3 }, { onRetry: ({ attempt }) => seen.push(attempt) }),
    );
    assert.deepEqual(seen, [1, 2]);
  });

  it('stops waiting when aborted and rejects with the reason', async () => {
    const controller = new AbortController();
    const started = retry(
      async () => {
        throw new Error('down');
      },
      { maxAttempts: Infinity, initialDelayMs: 60_000, maxDelayMs: 60_000 },
      { signal: controller.signal },
    );
    const reason = new Error('shutting down');
    controller.abort(reason);
    await assert.rejects(started, (error) => error === reason);
  });

  it('does not start when the signal is already aborted', async () => {
    let n = 0;
    await assert.rejects(
      retry(async () => ++n, fast, { signal: AbortSignal.abort() }),
      { name: 'AbortError' },
    );
    assert.equal(n, 0);
  });

  it('rejects a policy without attempts', async () => {
    await assert.rejects(retry(async () => 1, { ...fast, maxAttempts: 0 }), RangeError);
  });
});

describe('sleep', () => {
  it('clears its timer when aborted', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await assert.rejects(pending, { name: 'AbortError' });
  });
});
