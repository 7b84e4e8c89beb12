import type { Database } from 'lmdb';
import type { StorageEngine } from '../storage/index.ts';

/**
 * How this server's data relates to the deployment's history:
 * `fresh` (never synced, never led), `follower` (synced from a leader), `leader` (has led and
 * may hold writes no follower received: rolled back on rejoin).
 */
export type Lineage = 'fresh' | 'follower' | 'leader';

/**
 * The replication state a server keeps durably in its own LMDB environment (sub-database
 * `replication`), written in the same transaction as the changes it describes:
 * - `appliedTick`: the last leader tick applied (a follower resumes tailing after it);
 * - `completeFrom`: the operation log holds every change after this tick (entries at or below
 *   it may be local or missing: an initial sync copies data without logging it). A tail request
 *   from below it must resync;
 * - `lineage`: see {@link Lineage};
 * - `consistentAt`: the data is a state of the leader's history (every write transaction whole
 *   or absent) only once applied up to this tick. An initial sync copies while the leader writes,
 *   so its copy may hold part of a transaction committed meanwhile; replaying the log up to the
 *   leader's tick at the end of the copy completes it. {@link COPY_IN_PROGRESS} while copying.
 */
/** `consistentAt` while an initial sync is copying (a restart in the middle must sync again). */
export const COPY_IN_PROGRESS = Number.MAX_SAFE_INTEGER;

export class ReplicationState {
  readonly #db: Database<number | string, string>;
  readonly #engine: StorageEngine;
  readonly #prefix: string;

  /** `prefix` keeps separate states in one environment (cluster mode: one per followed database). */
  constructor(engine: StorageEngine, prefix = '') {
    this.#engine = engine;
    this.#prefix = prefix;
    this.#db = engine.env.openDB<number | string, string>('replication', {});
  }

  get appliedTick(): number {
    const v = this.#db.get(`${this.#prefix}appliedTick`);
    return typeof v === 'number' ? v : 0;
  }

  get completeFrom(): number {
    const v = this.#db.get(`${this.#prefix}completeFrom`);
    return typeof v === 'number' ? v : 0;
  }

  get lineage(): Lineage {
    const v = this.#db.get(`${this.#prefix}lineage`);
    return v === 'follower' || v === 'leader' ? v : 'fresh';
  }

  /** Must run inside a write transaction (a `writeAtomic` callback). */
  putApplied(tick: number): void {
    void this.#db.put(`${this.#prefix}appliedTick`, tick);
  }

  get consistentAt(): number {
    const v = this.#db.get(`${this.#prefix}consistentAt`);
    return typeof v === 'number' ? v : 0;
  }

  /** Must run inside a write transaction. */
  putConsistentAt(tick: number): void {
    void this.#db.put(`${this.#prefix}consistentAt`, tick);
  }

  /** Must run inside a write transaction. */
  putCompleteFrom(tick: number): void {
    void this.#db.put(`${this.#prefix}completeFrom`, tick);
  }

  /** The leader whose ticks `appliedTick` counts (cluster mode's database followers; '' unknown). */
  get appliedFrom(): string {
    const v = this.#db.get(`${this.#prefix}appliedFrom`);
    return typeof v === 'string' ? v : '';
  }

  /** Must run inside a write transaction. */
  putAppliedFrom(leaderId: string): void {
    void this.#db.put(`${this.#prefix}appliedFrom`, leaderId);
  }

  /** This server's own log entries up to this tick were already compared against a leader (cluster-mode rollback). */
  get rolledBackTo(): number {
    const v = this.#db.get(`${this.#prefix}rolledBackTo`);
    return typeof v === 'number' ? v : 0;
  }

  /** Must run inside a write transaction. */
  putRolledBackTo(tick: number): void {
    void this.#db.put(`${this.#prefix}rolledBackTo`, tick);
  }

  async setLineage(lineage: Lineage): Promise<void> {
    if (this.lineage !== lineage) await this.#db.put(`${this.#prefix}lineage`, lineage);
  }

  /**
   * Where this server's history ends: the applied leader tick, or its own newest log entry
   * (a former leader's writes are in its log, not in `appliedTick`).
   */
  resumeTick(): number {
    return Math.max(this.appliedTick, this.#engine.oplog.lastTick());
  }
}
