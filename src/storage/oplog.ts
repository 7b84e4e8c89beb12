import type { Database, RootDatabase } from 'lmdb';
import type { Logger } from 'pino';
import { entryCount } from './lmdb-stats.ts';
import { decodeLogEntry, encodeLogEntry } from './log-entry-codec.ts';
import { paced } from './space-reclaimer.ts';
import type { LogEntry } from './types.ts';

/** Most entries removed in one transaction while pruning. */
const PRUNE_PER_TRANSACTION = 2000;
/** Most entries one pruning run removes. */
const PRUNE_PER_RUN = 100_000;

/** Retention policy of the operation log. */
export interface LogRetention {
  /** Entries older than this are pruned (ticks are microsecond timestamps, so age is known). */
  readonly maxAgeSeconds: number;
  /** Keep at most this many entries. */
  readonly maxEntries: number;
}

/**
 * The operation log: every change appended with a strictly increasing tick in the same
 * LMDB transaction as the change, so log order is commit order (shared/spec/active-failover.md §3).
 * Readable by tick range from any thread that opens the same environment.
 * Pruning never removes entries above the lowest tick a registered reader still needs.
 */
export class OperationLog {
  readonly #log: Database<Buffer, number>;
  readonly #readers: Database<{ tick: number; updatedAt: number }, string>;

  constructor(env: RootDatabase) {
    this.#log = env.openDB<Buffer, number>('oplog', { keyEncoding: 'ordered-binary', encoding: 'binary' });
    this.#readers = env.openDB<{ tick: number; updatedAt: number }, string>('oplog-readers', {});
  }

  /**
   * Appends an entry; must run inside a write transaction. `more`: another entry of the same
   * write transaction follows (see {@link LogUnitWriter}, which the engine's writes go through).
   */
  append(entry: LogEntry, more = false): void {
    void this.#log.put(entry.tick, encodeLogEntry(entry, more));
  }

  /** Entries with tick > `afterTick`, in tick order, at most `limit`. */
  read(afterTick: number, limit: number): LogEntry[] {
    const out: LogEntry[] = [];
    for (const { key, value } of this.#log.getRange({ start: afterTick + 1, limit })) out.push(decodeLogEntry(key, value));
    return out;
  }

  /** Lazily iterates entries with tick > `afterTick` up to and including `toTick`. */
  *iterate(afterTick: number, toTick = Number.MAX_SAFE_INTEGER): Generator<LogEntry> {
    for (const { key, value } of this.#log.getRange({ start: afterTick + 1, end: toTick + 1 })) yield decodeLogEntry(key, value);
  }

  /** Entries with tick ≤ `atOrBefore`, newest first, at most `limit` (replication fork search). */
  readBackward(atOrBefore: number, limit: number): LogEntry[] {
    const out: LogEntry[] = [];
    for (const { key, value } of this.#log.getRange({ start: atOrBefore, reverse: true, limit })) out.push(decodeLogEntry(key, value));
    return out;
  }

  /**
   * Removes every entry with tick > `tick`; must run inside a write transaction. Used by a
   * replication follower to drop history the leader never had (after recording it for rollback).
   */
  truncateAfter(tick: number): number {
    let n = 0;
    for (const k of this.#log.getKeys({ start: tick + 1 })) {
      void this.#log.remove(k);
      n++;
    }
    // cut inside a transaction (history from before transactions were shipped whole): the part kept ends it
    const [last] = this.readBackward(tick, 1);
    if (n > 0 && last?.more === true) this.append(last, false);
    return n;
  }

  /** The oldest retained tick, or 0 when the log is empty. */
  firstTick(): number {
    for (const k of this.#log.getKeys({ limit: 1 })) return k;
    return 0;
  }

  /** The newest tick in the log, or 0 when empty. */
  lastTick(): number {
    for (const k of this.#log.getKeys({ reverse: true, limit: 1 })) return k;
    return 0;
  }

  /** Number of retained entries. */
  size(): number {
    return entryCount(this.#log);
  }

  /** Registers (or moves) a reader that still needs every entry after `tick`. */
  async setReader(id: string, tick: number): Promise<void> {
    await this.#readers.put(id, { tick, updatedAt: Date.now() });
  }

  async removeReader(id: string): Promise<void> {
    await this.#readers.remove(id);
  }

  /** Registered readers and the tick each has consumed. */
  readers(): Array<{ id: string; tick: number; updatedAt: number }> {
    return [...this.#readers.getRange()].map(({ key, value }) => ({ id: key, ...value }));
  }

  /**
   * Removes entries past retention, never above a registered reader's tick.
   * Returns how many were removed.
   */
  async prune(retention: LogRetention, nowMs = Date.now()): Promise<number> {
    const readerFloor = Math.min(Number.MAX_SAFE_INTEGER, ...this.readers().map((r) => r.tick));
    const ageLimitTick = (nowMs - retention.maxAgeSeconds * 1000) * 1000;
    const excess = Math.max(0, this.size() - retention.maxEntries);
    const doomed: number[] = [];
    let i = 0;
    for (const tick of this.#log.getKeys()) {
      if (tick > readerFloor) break;
      if (i >= excess && tick >= ageLimitTick) break;
      doomed.push(tick);
      i++;
      if (doomed.length >= PRUNE_PER_RUN) break;
    }
    // small transactions, each freeing a few hundred pages: one large delete would leave a huge
    // free-list record that slows every later commit (see SpaceReclaimer)
    for (let from = 0; from < doomed.length; from += PRUNE_PER_TRANSACTION) {
      const chunk = doomed.slice(from, from + PRUNE_PER_TRANSACTION);
      await paced(() =>
        this.#log.transaction(() => {
          for (const t of chunk) void this.#log.remove(t);
        }),
      );
    }
    return doomed.length;
  }

  /** Prunes every 10 s in the background (one run at a time); returns the stop function. */
  schedulePruning(retention: LogRetention, log: Logger): () => void {
    let running = false;
    let stopped = false;
    const run = (): void => {
      if (running || stopped) return; // a paced run can outlast the interval
      running = true;
      this.prune(retention)
        .then(
          (n) => {
            if (n > 0) log.debug({ removed: n }, 'operation log pruned');
            // a full run means more is due (after a large import): go on at once, still paced
            if (n >= PRUNE_PER_RUN) setImmediate(run);
          },
          (err: unknown) => log.warn({ err }, 'operation log pruning failed'),
        )
        .finally(() => {
          running = false;
        });
    };
    const timer = setInterval(run, 10_000);
    timer.unref();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }
}

/**
 * Appends the entries of one write (a `write()` callback, a `writeAtomic` transaction) so that
 * the last of them is marked as its end and every other one as `more`: followers ship and apply
 * the run up to an end as one unit. Each entry is held back until the next one arrives or the
 * write ends (one entry, so nothing is encoded twice); whatever flag an entry carries is ignored.
 */
export class LogUnitWriter {
  readonly #oplog: OperationLog;
  #held: LogEntry | undefined;

  constructor(oplog: OperationLog) {
    this.#oplog = oplog;
  }

  add(entry: LogEntry): void {
    if (this.#held) this.#oplog.append(this.#held, true);
    this.#held = entry;
  }

  /** The write is complete: its last entry goes in as the end. Call inside the write transaction. */
  end(): void {
    const last = this.#held;
    this.#held = undefined;
    if (last) this.#oplog.append(last, false);
  }

  /** The write was rolled back: forget the held entry. */
  discard(): void {
    this.#held = undefined;
  }
}
