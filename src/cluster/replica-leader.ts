import type { Logger } from 'pino';
import { ArangoError } from '../errors/index.ts';
import type { FollowerTracker } from '../replication/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { termOf, type ClusterRegistry, type DatabasePlan } from './cluster-registry.ts';

/** What a {@link ReplicaLeader} needs. */
export interface ReplicaLeaderDeps {
  readonly engine: StorageEngine;
  readonly registry: ClusterRegistry;
  readonly tracker: FollowerTracker;
  readonly serverId: string;
  readonly syncTimeoutMs: number;
  /** Whether a DB-server has a live registry record (its lease holds). */
  readonly isLive: (serverId: string) => boolean;
  readonly log: Logger;
}

/** A follower's report counts as live for joining only when this recent. */
const REPORT_FRESH_MS = 2500;

/**
 * This DB-server's leadership of one database in one term: the in-sync set (kept in the plan
 * entry in etcd, changed only by compare-and-swap) and synchronous acknowledgement.
 *
 * * A write is acknowledged after every in-sync follower (and every joining one) reported the
 *   leader's newest tick as durably applied. A follower that does not within `--cluster.sync-timeout`
 *   is removed from the in-sync set in etcd **before** the write is acknowledged, so the set in
 *   etcd always names followers holding every acknowledged write: failover promotes only them.
 * * Joining: a tailing follower first counts as `joining` (writes wait for it from then on), with the
 *   leader's newest tick as its target; once it reports the target it is added to the set in etcd.
 * * Fewer in-sync replicas (leader included) than `writeConcern`: writes fail with 1429.
 */
export class ReplicaLeader {
  readonly database: string;
  readonly term: number;
  readonly #d: ReplicaLeaderDeps;
  #plan: DatabasePlan;
  readonly #inSync: Set<string>;
  readonly #joining = new Map<string, number>();
  readonly #dropping = new Map<string, Promise<void>>();
  #busy = false;
  #lost = false;

  constructor(deps: ReplicaLeaderDeps, plan: DatabasePlan) {
    this.#d = deps;
    this.database = plan.name;
    this.term = termOf(plan);
    this.#plan = plan;
    this.#inSync = new Set(plan.inSync ?? []);
  }

  get plan(): DatabasePlan {
    return this.#plan;
  }

  /** In-sync followers as this leader knows them. */
  inSync(): string[] {
    return [...this.#inSync];
  }

  /** The plan entry as read from etcd (same term); its in-sync set is authoritative. */
  update(plan: DatabasePlan): void {
    this.#plan = plan;
    this.#inSync.clear();
    for (const f of plan.inSync ?? []) this.#inSync.add(f);
    for (const f of this.#joining.keys()) if (!plan.followers.includes(f)) this.#joining.delete(f);
    this.#d.tracker.recheck();
  }

  /** Leadership lost (plan changed): waiting writes fail. */
  lose(): void {
    this.#lost = true;
    this.#d.tracker.recheck();
  }

  /** Throws 1429 when fewer replicas than `writeConcern` are in sync (checked before and after a write). */
  checkWriteConcern(): void {
    if (this.#lost) throw new ArangoError('ERROR_CLUSTER_NOT_LEADER', `this server no longer leads database '${this.database}'`);
    const have = 1 + this.#inSync.size;
    if (have < this.#plan.writeConcern) {
      throw new ArangoError('ERROR_REPLICATION_WRITE_CONCERN_NOT_FULFILLED', `not enough in-sync replicas of database '${this.database}': ${have} of writeConcern ${this.#plan.writeConcern}`);
    }
  }

  /**
   * Before a write: fails at once with 1429 when the in-sync replicas are too few and not enough
   * live followers could join either (a database just created, whose followers are still copying
   * it, accepts the write; {@link acknowledge} then waits for them to join).
   */
  admitWrite(): void {
    const live = this.#plan.followers.filter((f) => !this.#inSync.has(f) && this.#d.isLive(f)).length;
    if (1 + this.#inSync.size + live < this.#plan.writeConcern) this.checkWriteConcern();
    if (this.#lost) this.checkWriteConcern();
  }

  /** Waits until every in-sync and joining follower applied `tick`, dropping those that do not in time. */
  async acknowledge(tick: number): Promise<void> {
    const tracked = (): string[] => (this.#lost ? [] : [...this.#inSync, ...this.#joining.keys()].map((f) => `${f}~${this.database}`));
    const deadline = Date.now() + 2 * this.#d.syncTimeoutMs;
    for (;;) {
      const missing = await this.#d.tracker.waitForAll(tracked, tick, this.term, this.#d.syncTimeoutMs);
      for (const key of missing) {
        const follower = key.slice(0, key.lastIndexOf('~'));
        this.#joining.delete(follower);
        if (this.#inSync.has(follower)) await this.#drop(follower);
      }
      // enough in sync (each of them has this write), or give up; followers catching up may still join
      if (this.#lost || 1 + this.#inSync.size >= this.#plan.writeConcern || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    this.checkWriteConcern();
  }

  /** Removes a silent follower from the in-sync set in etcd (one attempt per follower at a time). */
  #drop(follower: string): Promise<void> {
    let p = this.#dropping.get(follower);
    if (p === undefined) {
      p = this.#change((plan) => ({ ...plan, inSync: (plan.inSync ?? []).filter((f) => f !== follower) }))
        .then((ok) => {
          if (!ok) throw new ArangoError('ERROR_CLUSTER_NOT_LEADER', `this server no longer leads database '${this.database}'`);
          this.#d.log.warn({ database: this.database, follower }, 'follower left the in-sync set (no answer within the sync timeout)');
        })
        .finally(() => this.#dropping.delete(follower));
      this.#dropping.set(follower, p);
    }
    return p;
  }

  /** Periodic work: followers that caught up join the in-sync set. */
  async maintain(): Promise<void> {
    if (this.#busy || this.#lost) return;
    this.#busy = true;
    try {
      const now = Date.now();
      const last = this.#d.engine.oplog.lastTick();
      for (const f of this.#plan.followers) {
        if (this.#inSync.has(f)) continue;
        const r = this.#d.tracker.reportOf(`${f}~${this.database}`);
        if (r === undefined || r.term !== this.term || now - r.at > REPORT_FRESH_MS) {
          this.#joining.delete(f);
          continue;
        }
        const target = this.#joining.get(f);
        if (target === undefined) {
          this.#joining.set(f, last);
          continue;
        }
        if (r.tick < target) continue;
        const ok = await this.#change((plan) => (plan.followers.includes(f) && !(plan.inSync ?? []).includes(f) ? { ...plan, inSync: [...(plan.inSync ?? []), f] } : null));
        this.#joining.delete(f);
        if (ok) this.#d.log.info({ database: this.database, follower: f }, 'follower is in sync');
      }
    } catch (err) {
      this.#d.log.debug({ err, database: this.database }, 'in-sync maintenance failed');
    } finally {
      this.#busy = false;
    }
  }

  /** Compare-and-swap of this database's plan entry while this server leads it in this term. */
  async #change(fn: (plan: DatabasePlan) => DatabasePlan | null): Promise<boolean> {
    const written = await this.#d.registry.updateDatabase(this.database, (plan) =>
      plan.leader === this.#d.serverId && termOf(plan) === this.term ? fn(plan) : null,
    );
    if (written === null) {
      const now = await this.#d.registry.versionedDatabases().then((m) => m.get(this.database)?.plan);
      if (now === undefined || now.leader !== this.#d.serverId || termOf(now) !== this.term) {
        this.lose();
        return false;
      }
      this.update(now);
      return true;
    }
    this.update(written);
    return true;
  }
}
