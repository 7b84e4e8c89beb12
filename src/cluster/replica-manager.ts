import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ArangoError } from '../errors/index.ts';
import { DatabaseFollower, type LeaderFeed } from '../replication/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { termOf, type ClusterRegistry, type DatabasePlan, type ServerRecord } from './cluster-registry.ts';
import { ReplicaLeader } from './replica-leader.ts';

/** What a {@link ReplicaManager} needs. */
export interface ReplicaManagerDeps {
  readonly engine: StorageEngine;
  readonly registry: ClusterRegistry;
  readonly feed: LeaderFeed;
  readonly serverId: string;
  readonly token: () => string;
  readonly onUsersChanged: () => void;
  /** `--cluster.sync-timeout`, ms. */
  readonly syncTimeoutMs: number;
  /** `--cluster.failed-server-timeout`, ms. */
  readonly failedServerTimeoutMs: number;
  readonly log: Logger;
}

const POLL_MS = 2000;
const MAINTAIN_MS = 200;
/** Paths a DB-server serves whatever it leads: catalog calls of coordinators, replication, admin. */
const EXEMPT = ['/_api/database', '/_api/kitsune/', '/_api/replication', '/_api/wal', '/_admin/', '/_api/version'];

/**
 * A DB-server's part of the OneShard model: for every planned database it is the leader of, a
 * {@link ReplicaLeader}; for every one it follows, a {@link DatabaseFollower} against the leader
 * and term of the plan. Driven by an etcd watch on the plan and the server registry (and a slow
 * poll as fallback). Failover: when the leader of a database this server is an in-sync follower
 * of has no live registry record (its lease expired), this server makes itself leader in one
 * compare-and-swap on the plan entry (`term + 1`; the old leader becomes a follower; nobody is in
 * sync until they rejoin). The leader also replaces a follower gone for `--cluster.failed-server-timeout`
 * by a DB-server holding no copy of the database, if one is alive.
 */
export class ReplicaManager {
  readonly #d: ReplicaManagerDeps;
  #plans = new Map<string, DatabasePlan>();
  #servers: ServerRecord[] = [];
  readonly #leaders = new Map<string, ReplicaLeader>();
  readonly #followers = new Map<string, DatabaseFollower>();
  readonly #goneSince = new Map<string, number>();
  readonly #startTicks = new WeakMap<IncomingMessage, number>();
  #ready = false;
  #stopped = false;
  #pending: Promise<void> | null = null;
  #again = false;
  #watch: { cancel(): void } | null = null;
  #poll: NodeJS.Timeout | undefined;
  #maintain: NodeJS.Timeout | undefined;

  constructor(deps: ReplicaManagerDeps) {
    this.#d = deps;
  }

  /** First reconcile (retried until etcd answers), then watch + poll. */
  async start(): Promise<void> {
    this.#watch = this.#d.registry.watch((what, key, event) => {
      if (what === 'plan' || event !== 'put' || !this.#servers.some((s) => s.id === key)) this.reconcile();
    });
    for (;;) {
      try {
        await this.#reconcileOnce();
        break;
      } catch (err) {
        if (this.#stopped) return;
        this.#d.log.warn({ err }, 'cannot read the cluster plan yet, retrying');
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    this.#ready = true;
    this.#poll = setInterval(() => this.reconcile(), POLL_MS);
    this.#maintain = setInterval(() => {
      for (const l of this.#leaders.values()) void l.maintain();
      this.#replaceFailed();
    }, MAINTAIN_MS);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watch?.cancel();
    clearInterval(this.#poll);
    clearInterval(this.#maintain);
    await this.#pending?.catch(() => undefined);
    for (const l of this.#leaders.values()) l.lose();
    await Promise.all([...this.#followers.values()].map((f) => f.stop()));
  }

  /** The term this server leads `database` in (0: it does not lead it). */
  term(database: string): number {
    return this.#leaders.get(database)?.term ?? 0;
  }

  /** Roles for status output: database → `leader` | follower phase. */
  roles(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [db, l] of this.#leaders) out[db] = `leader (term ${l.term}, in sync: ${l.inSync().length})`;
    for (const [db, f] of this.#followers) out[db] = `follower (${f.phase})`;
    return out;
  }

  /** Schedules a reconcile (coalesced: one runs at a time, one more after it if asked meanwhile). */
  reconcile(): void {
    if (this.#stopped) return;
    if (this.#pending) {
      this.#again = true;
      return;
    }
    this.#pending = this.#reconcileOnce()
      .catch((err: unknown) => this.#d.log.debug({ err }, 'reconcile failed (agency unreachable?)'))
      .finally(() => {
        this.#pending = null;
        if (this.#again) {
          this.#again = false;
          this.reconcile();
        }
      });
  }

  /**
   * Request gate: requests of a planned database this server does not lead are refused with
   * 503 1496 (a coordinator with an old plan; the old leader after a restart); writes need a
   * certainly valid lease and enough in-sync replicas (1429).
   */
  gate(req: IncomingMessage, _res: ServerResponse, path: string): void {
    if (EXEMPT.some((p) => path.startsWith(p))) return;
    if (!this.#ready) throw new ArangoError('ERROR_CLUSTER_LEADERSHIP_CHALLENGE_ONGOING', 'this DB-server has not read the cluster plan yet', { headers: { 'x-arango-endpoint': '' } });
    const database = databaseOf(req.url ?? '/');
    const plan = this.#plans.get(database);
    if (plan === undefined) return;
    const leader = this.#leaders.get(database);
    if (leader === undefined) {
      throw new ArangoError('ERROR_CLUSTER_NOT_LEADER', `this DB-server does not lead database '${database}'`, {
        headers: { 'x-arango-endpoint': this.#servers.find((s) => s.id === plan.leader)?.endpoint ?? '' },
      });
    }
    if (req.method === 'GET' || req.method === 'HEAD') return;
    // no lease check: acknowledgement itself fences (see README): etcd down, in-sync followers answering → writes go on
    leader.admitWrite();
    this.#startTicks.set(req, this.#d.engine.oplog.lastTick());
  }

  /** Before a write is acknowledged: every in-sync follower has it durably (or was dropped in etcd). */
  async afterWrite(req: IncomingMessage, method: string, path: string): Promise<void> {
    if (method === 'GET' || method === 'HEAD' || EXEMPT.some((p) => path.startsWith(p))) return;
    const leader = this.#leaders.get(databaseOf(req.url ?? '/'));
    const start = this.#startTicks.get(req);
    if (leader === undefined || start === undefined) return;
    const last = this.#d.engine.oplog.lastTick();
    if (last <= start) return;
    await leader.acknowledge(last);
  }

  async #reconcileOnce(): Promise<void> {
    const [versioned, servers] = await Promise.all([this.#d.registry.versionedDatabases(), this.#d.registry.servers()]);
    if (this.#stopped) return;
    this.#servers = servers;
    const live = new Set(servers.filter((s) => s.role === 'PRIMARY').map((s) => s.id));
    const me = this.#d.serverId;
    const plans = new Map<string, DatabasePlan>();
    for (const [name, v] of versioned) plans.set(name, v.plan);
    this.#plans = plans;
    for (const [name, plan] of plans) {
      if (plan.leader === me) {
        await this.#lead(plan);
        continue;
      }
      this.#unlead(name);
      if (!plan.followers.includes(me)) {
        await this.#unfollow(name);
        continue;
      }
      if (!live.has(plan.leader) && (plan.inSync ?? []).includes(me)) {
        const promoted = await this.#promote(plan);
        if (promoted) continue;
      }
      const leader = servers.find((s) => s.id === plan.leader);
      if (leader === undefined) continue;
      await this.#follow(plan, leader);
    }
    for (const name of [...this.#leaders.keys()]) if (!plans.has(name)) this.#unlead(name);
    for (const name of [...this.#followers.keys()]) if (!plans.has(name)) await this.#unfollow(name);
    for (const id of [...this.#goneSince.keys()]) if (live.has(id)) this.#goneSince.delete(id);
    for (const plan of plans.values()) for (const id of plan.followers) if (!live.has(id) && !this.#goneSince.has(id)) this.#goneSince.set(id, Date.now());
  }

  async #lead(plan: DatabasePlan): Promise<void> {
    await this.#unfollow(plan.name);
    const current = this.#leaders.get(plan.name);
    if (current !== undefined && current.term === termOf(plan)) {
      current.update(plan);
      return;
    }
    current?.lose();
    const { engine, registry, feed, serverId, syncTimeoutMs, log } = this.#d;
    this.#leaders.set(plan.name, new ReplicaLeader({ engine, registry, tracker: feed.followers, serverId, syncTimeoutMs, isLive: (id) => this.#servers.some((s) => s.id === id), log }, plan));
    log.info({ database: plan.name, term: termOf(plan) }, 'leading database');
  }

  #unlead(name: string): void {
    const l = this.#leaders.get(name);
    if (l === undefined) return;
    l.lose();
    this.#leaders.delete(name);
    this.#d.log.info({ database: name }, 'no longer leading database');
  }

  async #follow(plan: DatabasePlan, leader: ServerRecord): Promise<void> {
    let f = this.#followers.get(plan.name);
    const term = termOf(plan);
    if (f?.target?.id === leader.id && f.target.term === term && f.target.endpoint === leader.endpoint) return;
    if (f === undefined) {
      f = new DatabaseFollower({
        engine: this.#d.engine,
        serverId: this.#d.serverId,
        database: plan.name,
        token: this.#d.token,
        onUsersChanged: this.#d.onUsersChanged,
        log: this.#d.log.child({ component: 'replication' }),
      });
      this.#followers.set(plan.name, f);
    }
    this.#d.log.info({ database: plan.name, leader: leader.id, term }, 'following database');
    await f.start({ id: leader.id, endpoint: leader.endpoint, term });
  }

  async #unfollow(name: string): Promise<void> {
    const f = this.#followers.get(name);
    if (f === undefined) return;
    this.#followers.delete(name);
    await f.stop();
  }

  /** Failover: the leader's lease is gone and this server is in sync, so it takes over (one CAS). */
  async #promote(seen: DatabasePlan): Promise<boolean> {
    const me = this.#d.serverId;
    const written = await this.#d.registry.updateDatabase(seen.name, (plan) => {
      if (plan.leader !== seen.leader || termOf(plan) !== termOf(seen) || !(plan.inSync ?? []).includes(me)) return null;
      return { ...plan, leader: me, followers: [...plan.followers.filter((f) => f !== me), plan.leader], term: termOf(plan) + 1, inSync: [] };
    });
    if (written === null) return false;
    // nothing of the old leader may be applied once this server accepts writes
    await this.#unfollow(seen.name);
    this.#plans.set(seen.name, written);
    await this.#lead(written);
    this.#d.log.warn({ database: seen.name, oldLeader: seen.leader, term: termOf(written) }, 'took over leadership of database (failover)');
    return true;
  }

  /** Leader: a follower gone for the failed-server timeout is replaced by a free live DB-server. */
  #replaceFailed(): void {
    const now = Date.now();
    for (const [id, since] of this.#goneSince) {
      if (now - since < this.#d.failedServerTimeoutMs) continue;
      for (const leader of this.#leaders.values()) {
        const plan = leader.plan;
        if (!plan.followers.includes(id)) continue;
        const holding = new Set([plan.leader, ...plan.followers]);
        const load = (s: string): number => [...this.#plans.values()].filter((p) => p.leader === s || p.followers.includes(s)).length;
        const free = this.#servers.filter((s) => s.role === 'PRIMARY' && !holding.has(s.id)).map((s) => s.id).sort((a, b) => load(a) - load(b) || (a < b ? -1 : 1))[0];
        if (free === undefined) continue;
        void this.#d.registry
          .updateDatabase(plan.name, (p) =>
            p.leader === this.#d.serverId && termOf(p) === leader.term && p.followers.includes(id) && !p.followers.includes(free)
              ? { ...p, followers: p.followers.map((f) => (f === id ? free : f)), inSync: (p.inSync ?? []).filter((f) => f !== id) }
              : null,
          )
          .then((w) => {
            if (w !== null) this.#d.log.warn({ database: plan.name, failed: id, replacement: free }, 'replaced a failed follower');
            this.reconcile();
          }, () => undefined);
      }
    }
  }
}

function databaseOf(url: string): string {
  if (!url.startsWith('/_db/')) return '_system';
  const end = url.slice(5).search(/[/?]/);
  const raw = end === -1 ? url.slice(5) : url.slice(5, 5 + end);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
