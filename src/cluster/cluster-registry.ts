import type { Logger } from 'pino';
import type { AgencyClient, AgencyKv } from '../agency/index.ts';
import { ArangoError } from '../errors/index.ts';

/** A cluster server's role as `/_admin/cluster/health` names it. */
export type ClusterRole = 'PRIMARY' | 'COORDINATOR';

/** `servers/<id>`: a live server of the cluster, bound to its lease (gone ≤ TTL after it dies). */
export interface ServerRecord {
  readonly id: string;
  readonly role: ClusterRole;
  readonly endpoint: string;
  readonly shortName: string;
  readonly version: string;
  readonly engine: string;
  readonly lastAckedTime: string;
}

/** `plan/databases/<name>`: where a OneShard database lives (leader first, then followers). */
export interface DatabasePlan {
  readonly name: string;
  readonly leader: string;
  readonly followers: readonly string[];
  readonly replicationFactor: number;
  readonly writeConcern: number;
  /** Leadership epoch: raised by every leader change (absent in old entries: 1). */
  readonly term?: number;
  /** Followers that have every acknowledged write (synchronous replication; maintained by the leader). */
  readonly inSync?: readonly string[];
}

/** A plan entry with the etcd revision it was read at (for compare-and-swap updates). */
export interface VersionedPlan {
  readonly plan: DatabasePlan;
  readonly modRevision: string;
}

/**
 * The cluster's registry and plan in the agency (etcd), under `/kitsune/<deployment>/`:
 * `servers/<id>` (lease-bound, re-written every second) and `plan/databases/<name>` (permanent).
 * Placement decisions are made by coordinators; creating a plan entry is one etcd transaction, so
 * two coordinators creating the same database cannot both succeed.
 */
export class ClusterRegistry {
  readonly #kv: AgencyKv;
  readonly #root: string;
  readonly #log: Logger;
  #beat: NodeJS.Timeout | undefined;

  constructor(agency: AgencyClient, log: Logger) {
    this.#kv = agency.kv();
    this.#root = agency.keys.root;
    this.#log = log;
  }

  /** Publishes `record()` now and every second (its lastAckedTime refreshed) until {@link stop}. */
  async register(record: () => Omit<ServerRecord, 'lastAckedTime'>): Promise<void> {
    const put = (): Promise<void> => this.#kv.put(`${this.#root}servers/${record().id}`, { ...record(), lastAckedTime: new Date().toISOString() }, true);
    await put();
    let busy = false;
    this.#beat = setInterval(() => {
      if (busy) return;
      busy = true;
      put().catch((err: unknown) => this.#log.debug({ err }, 'server heartbeat failed')).finally(() => (busy = false));
    }, 1000);
  }

  stop(): void {
    clearInterval(this.#beat);
  }

  /** The live servers, sorted by id. */
  async servers(): Promise<ServerRecord[]> {
    const all = await this.#kv.list(`${this.#root}servers/`);
    return [...all.values()].filter(isServerRecord).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Every planned database by name. */
  async databases(): Promise<Map<string, DatabasePlan>> {
    const all = await this.#kv.list(`${this.#root}plan/databases/`);
    const out = new Map<string, DatabasePlan>();
    for (const [name, value] of all) if (isDatabasePlan(value)) out.set(name, value);
    return out;
  }

  /** Every planned database with its revision. */
  async versionedDatabases(): Promise<Map<string, VersionedPlan>> {
    const all = await this.#kv.listWithRevisions(`${this.#root}plan/databases/`);
    const out = new Map<string, VersionedPlan>();
    for (const [name, { value, modRevision }] of all) if (isDatabasePlan(value)) out.set(name, { plan: value, modRevision });
    return out;
  }

  /**
   * Read-modify-write of one plan entry as an etcd compare-and-swap: `change` gets the current
   * entry and returns the new one (or null: nothing to do, precondition failed). Retried on a
   * concurrent change; resolves with the entry written, or null. etcd failures throw 1492.
   */
  async updateDatabase(name: string, change: (plan: DatabasePlan) => DatabasePlan | null): Promise<DatabasePlan | null> {
    const key = `${this.#root}plan/databases/${name}`;
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.#kv.getWithRevision(key);
      if (current === null || !isDatabasePlan(current.value)) return null;
      const next = change(current.value);
      if (next === null) return null;
      if (await this.#kv.putIfRevision(key, current.modRevision, next)) return next;
    }
    return null;
  }

  /** Calls `listener` on every change of the plan or the server registry (and after each watch (re)connect). */
  watch(listener: (what: 'plan' | 'servers', key: string, event: 'put' | 'delete' | 'connected') => void): { cancel(): void } {
    const plan = this.#kv.watchPrefix(`${this.#root}plan/`, (key, event) => listener('plan', key, event));
    const servers = this.#kv.watchPrefix(`${this.#root}servers/`, (key, event) => listener('servers', key, event));
    return {
      cancel: () => {
        plan.cancel();
        servers.cancel();
      },
    };
  }

  /**
   * Creates the plan entry; throws `ERROR_ARANGO_DUPLICATE_NAME` (1207) when the database exists.
   * When etcd fails the outcome is unknown (a frozen etcd may still apply the transaction later), so
   * the entry is withdrawn in the background, but only while it is still exactly this plan.
   */
  async createDatabase(plan: DatabasePlan): Promise<void> {
    const key = `${this.#root}plan/databases/${plan.name}`;
    let created: boolean;
    try {
      created = await this.#kv.create(key, plan);
    } catch (err) {
      this.#withdraw(key, plan);
      throw err;
    }
    if (!created) throw new ArangoError('ERROR_ARANGO_DUPLICATE_NAME', `duplicate database name '${plan.name}'`);
  }

  #withdraw(key: string, plan: DatabasePlan): void {
    const deadline = Date.now() + 60_000;
    const attempt = (): void => {
      this.#kv.deleteIf(key, plan).then(
        () => undefined,
        () => {
          if (Date.now() < deadline) setTimeout(attempt, 500).unref();
          else this.#log.warn({ key }, 'could not withdraw an unconfirmed plan entry');
        },
      );
    };
    attempt();
  }

  /** Creates the plan entry unless it exists (used for `_system` at the first coordinator start). */
  async ensureDatabase(plan: DatabasePlan): Promise<void> {
    await this.#kv.create(`${this.#root}plan/databases/${plan.name}`, plan);
  }

  async dropDatabase(name: string): Promise<void> {
    await this.#kv.delete(`${this.#root}plan/databases/${name}`);
  }
}

/**
 * OneShard placement: the `replicationFactor` DB-servers holding the fewest databases (as leader
 * or follower), ties broken by id; the first is the leader. Throws `ERROR_CLUSTER_INSUFFICIENT_DBSERVERS`
 * (1477) when fewer DB-servers are alive than asked for.
 */
export function placeDatabase(name: string, dbServers: readonly string[], plans: Iterable<DatabasePlan>, replicationFactor: number, writeConcern: number): DatabasePlan {
  if (dbServers.length < replicationFactor) {
    throw new ArangoError('ERROR_CLUSTER_INSUFFICIENT_DBSERVERS', `replicationFactor ${replicationFactor} needs that many DB-servers, ${dbServers.length} available`);
  }
  const load = new Map(dbServers.map((id) => [id, 0]));
  for (const p of plans) for (const id of [p.leader, ...p.followers]) if (load.has(id)) load.set(id, (load.get(id) ?? 0) + 1);
  const chosen = [...dbServers].sort((a, b) => (load.get(a) ?? 0) - (load.get(b) ?? 0) || (a < b ? -1 : 1)).slice(0, replicationFactor);
  const [leader, ...followers] = chosen;
  if (leader === undefined) throw new ArangoError('ERROR_CLUSTER_INSUFFICIENT_DBSERVERS');
  return { name, leader, followers, replicationFactor, writeConcern, term: 1, inSync: [] };
}

/** The term of a plan entry (old entries without one: 1). */
export function termOf(plan: DatabasePlan): number {
  return plan.term ?? 1;
}

function isServerRecord(v: unknown): v is ServerRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r['id'] === 'string' && (r['role'] === 'PRIMARY' || r['role'] === 'COORDINATOR') && typeof r['endpoint'] === 'string';
}

function isDatabasePlan(v: unknown): v is DatabasePlan {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r['name'] === 'string' && typeof r['leader'] === 'string' && Array.isArray(r['followers']) && typeof r['replicationFactor'] === 'number';
}
