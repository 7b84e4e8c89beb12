import { ArangoError } from '../errors/index.ts';

interface Waiter {
  readonly tick: number;
  readonly count: number;
  readonly term: () => number;
  readonly resolve: () => void;
}

/**
 * What the leader knows about its followers: the tick each one has durably applied, as it says
 * in the `from` of its tail requests (a follower asks for more only after its previous batch is
 * committed). Backs `--replication.sync-followers`: a write is acknowledged once enough
 * followers of the current term have applied it.
 */
export class FollowerTracker {
  readonly #applied = new Map<string, { tick: number; term: number; at: number }>();
  #waiters: Waiter[] = [];
  #allWaiters: Array<() => boolean> = [];

  /** Records a follower's durably applied tick under the term it follows. */
  report(serverId: string, tick: number, term: number): void {
    const prev = this.#applied.get(serverId);
    if (prev && prev.term === term && prev.tick > tick) return;
    this.#applied.set(serverId, { tick, term, at: Date.now() });
    if (this.#waiters.length > 0) this.#check();
    if (this.#allWaiters.length > 0) this.#allWaiters = this.#allWaiters.filter((done) => !done());
  }

  /** The last report of one follower, or undefined. */
  reportOf(serverId: string): { tick: number; term: number; at: number } | undefined {
    return this.#applied.get(serverId);
  }

  /**
   * Waits until every follower in `ids()` (asked anew at each report, so a follower dropped
   * meanwhile no longer counts) reported `tick` or later under `term`; resolves with those that
   * had not after `timeoutMs` (empty: all had). Backs cluster mode's synchronous replication.
   */
  waitForAll(ids: () => readonly string[], tick: number, term: number, timeoutMs: number): Promise<string[]> {
    const missing = (): string[] => ids().filter((id) => {
      const r = this.#applied.get(id);
      return r === undefined || r.term !== term || r.tick < tick;
    });
    if (missing().length === 0) return Promise.resolve([]);
    return new Promise<string[]>((resolve) => {
      const check = (): boolean => {
        if (missing().length > 0) return false;
        clearTimeout(timer);
        resolve([]);
        return true;
      };
      const timer = setTimeout(() => {
        this.#allWaiters = this.#allWaiters.filter((w) => w !== check);
        resolve(missing());
      }, timeoutMs);
      this.#allWaiters.push(check);
    });
  }

  /** Re-checks the waiters of {@link waitForAll} (after the set of followers they wait for shrank). */
  recheck(): void {
    this.#allWaiters = this.#allWaiters.filter((done) => !done());
  }

  /** Forgets every follower (a new term starts: progress against another leader counts for nothing). */
  reset(): void {
    this.#applied.clear();
  }

  /** Followers and their applied ticks, for status output. */
  snapshot(): Array<{ serverId: string; tick: number; term: number; at: number }> {
    return [...this.#applied].map(([serverId, v]) => ({ serverId, ...v }));
  }

  /** Number of followers of `term` that applied `tick` or later. */
  countAtLeast(tick: number, term: number): number {
    let n = 0;
    for (const v of this.#applied.values()) if (v.term === term && v.tick >= tick) n++;
    return n;
  }

  /**
   * Resolves once `count` followers of `term()` applied `tick`; rejects with 1457 (cluster
   * timeout) after `timeoutMs`: the write is then not acknowledged.
   */
  waitFor(tick: number, count: number, term: () => number, timeoutMs: number): Promise<void> {
    if (count <= 0 || this.countAtLeast(tick, term()) >= count) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new ArangoError('ERROR_CLUSTER_TIMEOUT', `write not confirmed by ${count} follower(s) within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        tick,
        count,
        term,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.#waiters.push(waiter);
    });
  }

  #check(): void {
    const keep: Waiter[] = [];
    for (const w of this.#waiters) {
      if (this.countAtLeast(w.tick, w.term()) >= w.count) w.resolve();
      else keep.push(w);
    }
    this.#waiters = keep;
  }
}
