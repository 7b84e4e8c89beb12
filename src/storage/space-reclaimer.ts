import type { Database, Key, RootDatabase } from 'lmdb';
import type { Logger } from 'pino';

/** Most entries removed in one transaction while freeing a dropped sub-database. */
const ENTRIES_PER_TRANSACTION = 2000;
/** Most value bytes removed in one transaction (about 256 LMDB pages). */
const BYTES_PER_TRANSACTION = 1024 * 1024;
const PENDING_PREFIX = 'free:';

/** Background transactions of this process run one at a time, in this chain. */
let backgroundTurn: Promise<unknown> = Promise.resolve();

/**
 * Runs one background transaction (freeing dropped data, pruning the operation log) when no other
 * background transaction runs, then waits six times as long as it took (10 ms to 1 s) before
 * the next one may start. All background work together so takes at most about a seventh of the
 * writer, and its commits never crowd out the durable commits of clients.
 */
export function paced(fn: () => Promise<unknown>): Promise<void> {
  const turn = backgroundTurn.then(async () => {
    const started = performance.now();
    await fn();
    const pause = Math.min(1000, Math.max(10, 6 * (performance.now() - started)));
    await new Promise<void>((resolve) => setTimeout(resolve, pause));
  });
  backgroundTurn = turn.catch(() => undefined);
  return turn;
}

/**
 * Frees the sub-databases of dropped collections in the background, a bounded number of entries
 * per LMDB transaction.
 *
 * Why not `mdb_drop` (lmdb-js `clearAsync`/`drop`) at once: LMDB stores the pages a transaction
 * frees as one free-list record under that transaction's id. Dropping a large collection in one
 * transaction makes one record of tens of thousands of page numbers; once it is reclaimed, every
 * later commit has to write the remaining list back as a single multi-page record, which needs a
 * run of contiguous free pages. The freed pages are interleaved with live operation-log pages, so
 * no such run exists and every commit scans the whole free list (measured: 692 → 13 commits/s
 * after dropping 500k documents, and it stays there). Freeing in small transactions leaves many
 * small records that LMDB reuses page by page, so commit cost does not change and the space is
 * reused by later writes.
 *
 * Pending work is recorded in `meta` (`free:<sub-database>`) and resumed after a restart.
 */
export class SpaceReclaimer {
  readonly #env: RootDatabase;
  readonly #meta: Database<unknown, string>;
  readonly #log: Logger;
  readonly #pending: string[] = [];
  #running: Promise<void> | undefined;
  #closed = false;
  #freedEntries = 0;

  constructor(env: RootDatabase, meta: Database<unknown, string>, log: Logger) {
    this.#env = env;
    this.#meta = meta;
    this.#log = log;
    for (const key of meta.getKeys({ start: PENDING_PREFIX, end: 'free;' })) this.#pending.push(key.slice(PENDING_PREFIX.length));
    if (this.#pending.length > 0) this.#start();
  }

  /** Marks sub-databases as no longer referenced; call inside (or right after) the dropping transaction. */
  markPending(names: readonly string[]): void {
    for (const n of names) void this.#meta.put(PENDING_PREFIX + n, 1);
  }

  /** Starts freeing sub-databases that `markPending` recorded. */
  enqueue(names: readonly string[]): void {
    for (const n of names) if (!this.#pending.includes(n)) this.#pending.push(n);
    this.#start();
  }

  /** What is left to free (for status and tests). */
  get status(): { pendingDatabases: number; freedEntries: number } {
    return { pendingDatabases: this.#pending.length, freedEntries: this.#freedEntries };
  }

  /** Resolves when nothing is left to free. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #start(): void {
    if (this.#running || this.#closed) return;
    this.#running = this.#run()
      .catch((err: unknown) => this.#log.warn({ err }, 'freeing dropped data failed; retried on next start'))
      .finally(() => {
        this.#running = undefined;
      });
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      const name = this.#pending[0];
      if (name === undefined) return;
      const db = this.#env.openDB<Buffer, Key>(name, { encoding: 'binary' });
      for (;;) {
        if (this.#closed) return;
        const batch: Key[] = [];
        let bytes = 0;
        for (const { key, value } of db.getRange({ limit: ENTRIES_PER_TRANSACTION })) {
          batch.push(key);
          bytes += value.length;
          if (bytes >= BYTES_PER_TRANSACTION) break;
        }
        if (batch.length === 0) break;
        // one transaction per batch (awaited), so each frees at most a few hundred pages
        await paced(() =>
          this.#env.transaction(() => {
            for (const k of batch) void db.remove(k);
          }),
        );
        this.#freedEntries += batch.length;
      }
      await this.#env.transaction(() => {
        void db.drop();
        void this.#meta.remove(PENDING_PREFIX + name);
      });
      this.#pending.shift();
      this.#log.info({ subDatabase: name }, 'space of dropped data freed');
    }
  }

  /** Stops after the current batch (the rest resumes on the next start). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }
}
