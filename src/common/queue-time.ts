/**
 * kitsune's answer to ArangoDB's `x-arango-queue-time-seconds`: how long work currently waits
 * before it runs. ArangoDB reports its scheduler queue; here requests run on the event loop and
 * queries wait for a query worker, so the figure is the largest of the event loop's latest delay
 * (sampled every 50 ms), the age of the oldest query still waiting for a worker, and the wait of
 * the most recent query that left the queue (counted for two seconds). A client sending the header with a limit gets 412 / 21004 when the
 * current figure exceeds it, as in ArangoDB.
 */
const SAMPLE_MS = 50;
const QUERY_WAIT_VALID_MS = 2000;

let loopDelaySeconds = 0;
let queryWaitSeconds = 0;
let queryWaitAt = 0;
let sampler: NodeJS.Timeout | undefined;
const queues = new Set<() => number>();

function startSampling(): void {
  if (sampler) return;
  let expected = performance.now() + SAMPLE_MS;
  sampler = setInterval(() => {
    const now = performance.now();
    loopDelaySeconds = Math.max(0, now - expected) / 1000;
    expected = now + SAMPLE_MS;
  }, SAMPLE_MS);
  sampler.unref();
}

/** Records how long a query waited for a worker (called when it leaves the queue). */
export function recordQueryWait(seconds: number): void {
  queryWaitSeconds = seconds;
  queryWaitAt = performance.now();
}

/** Adds a queue whose oldest waiting entry's age (seconds, 0 when empty) counts; returns its removal. */
export function registerQueue(oldestWaitSeconds: () => number): () => void {
  queues.add(oldestWaitSeconds);
  return () => queues.delete(oldestWaitSeconds);
}

/** The current queue time in seconds. */
export function currentQueueTime(): number {
  startSampling();
  let t = Math.max(loopDelaySeconds, performance.now() - queryWaitAt <= QUERY_WAIT_VALID_MS ? queryWaitSeconds : 0);
  for (const q of queues) t = Math.max(t, q());
  return t;
}

/** The response header's value (ArangoDB prints seconds with microsecond resolution). */
export function queueTimeHeader(): string {
  return currentQueueTime().toFixed(6);
}
