import type { Database } from 'arangojs';

/** A client that GETs document `probe/p` every 10 ms until stopped, recording each latency (ms). */
export function startProbe(db: Database): { count: () => number; stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await db.collection('probe').document('p');
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    count: () => latencies.length,
    stop: async () => {
      running = false;
      await loop;
      return latencies;
    },
  };
}
