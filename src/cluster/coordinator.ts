import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ArangoError } from '../errors/index.ts';
import { placeDatabase, type ClusterRegistry, type DatabasePlan, type ServerRecord } from './cluster-registry.ts';
import { withBody } from '../http/body.ts';
import { callServer, relayError, type BodyLimits } from './forward.ts';
import { collectionRequest } from './coordinator-collections.ts';
import { forwardWithFailover, retryOnFailover, type FailoverDeps } from './failover-retry.ts';
import { CoordinatorUsers } from './coordinator-users.ts';
import { toTcp } from './cluster-api.ts';
import { shardDistribution } from './shard-distribution.ts';

/** What a {@link Coordinator} needs. */
export interface CoordinatorDeps {
  readonly registry: ClusterRegistry;
  readonly serverId: string;
  readonly deployment: string;
  readonly version: string;
  readonly endpoint: () => string;
  /** `bearer <superuser JWT>` for coordinator → DB-server calls. */
  readonly superuser: () => string;
  readonly defaultReplicationFactor: number;
  /** How long a request may wait for the failover of its database's leader. */
  readonly failoverRetryTimeoutMs: number;
  /**
   * Size cap (413) and this process's budget (503) of the request bodies it buffers: one budget for
   * every body read on the coordinator (also Foxx), which reads them before the leader authenticates.
   */
  readonly bodies: BodyLimits;
  readonly log: Logger;
}

type Reply = { status: number; body: unknown };

/** Foxx on this coordinator (`foxx-coordinator.ts`): takes the requests it serves, reports the Foxxmaster. */
export interface CoordinatorFoxxHook {
  /** True when it answered the request (Foxx API, service routes, `/_admin/cluster/foxx`). */
  handle(req: IncomingMessage, res: ServerResponse, database: string, path: string): Promise<boolean>;
  foxxmaster(): { foxxmaster: string | null; isFoxxmaster: boolean };
}

/** Fallback poll of plan and servers; changes normally arrive at once through the etcd watch. */
const REFRESH_MS = 5000;

/**
 * A coordinator: stateless for data. It keeps the plan (`plan/databases/*`) and the live servers
 * (`servers/*`) from the agency in memory (refreshed every 500 ms and on a miss; the last good copy
 * is kept while etcd is unreachable, so reads keep working), answers the cluster APIs itself, places
 * new databases (OneShard: fewest databases first), and forwards every other request of a database
 * to that database's leader DB-server with the client's own credentials. Users live in `_system`:
 * user requests go to the `_system` leader, and after a change every other DB-server copies `_users`
 * before the client gets its answer.
 */
export class Coordinator {
  readonly #d: CoordinatorDeps;
  #plans = new Map<string, DatabasePlan>();
  #servers: ServerRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #watch: { cancel(): void } | null = null;
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  readonly #users: CoordinatorUsers;
  #foxx: CoordinatorFoxxHook | undefined;
  #refreshWaiters: Array<() => void> = [];
  readonly #failover: FailoverDeps;

  constructor(deps: CoordinatorDeps) {
    this.#d = deps;
    this.#failover = {
      leaderEndpoint: (database) => this.leaderEndpoint(database),
      planRefresh: (ms) => this.#planRefresh(ms),
      timeoutMs: deps.failoverRetryTimeoutMs,
      bodies: deps.bodies,
      log: deps.log,
    };
    this.#users = new CoordinatorUsers({
      leaderOf: (database) => this.#leaderOf(database),
      dbServers: () => this.#servers.filter((s) => s.role === 'PRIMARY'),
      superuser: deps.superuser,
      bodies: deps.bodies,
      log: deps.log,
    });
  }

  /** Waits for a DB-server, plans `_system` if nobody did, then refreshes in the background. */
  async start(signal: AbortSignal): Promise<void> {
    this.#watch = this.#d.registry.watch(() => this.#scheduleRefresh());
    for (;;) {
      signal.throwIfAborted();
      try {
        await this.refresh();
        const dbServers = this.#dbServerIds();
        if (dbServers.length > 0) {
          if (!this.#plans.has('_system')) {
            const rf = Math.min(this.#d.defaultReplicationFactor, dbServers.length);
            await this.#d.registry.ensureDatabase(placeDatabase('_system', dbServers, [], rf, 1));
            await this.refresh();
          }
          if (this.#plans.has('_system')) break;
        }
      } catch (err) {
        this.#d.log.warn({ err }, 'coordinator cannot read the agency yet, retrying');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    this.#timer = setInterval(() => this.#scheduleRefresh(), REFRESH_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#watch?.cancel();
  }

  /** One refresh at a time; a change seen meanwhile causes exactly one more. */
  #scheduleRefresh(): void {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return;
    }
    this.#refreshing = this.refresh()
      .catch((err: unknown) => this.#d.log.debug({ err }, 'plan refresh failed'))
      .finally(() => {
        this.#refreshing = null;
        if (this.#refreshAgain) {
          this.#refreshAgain = false;
          this.#scheduleRefresh();
        } else {
          const waiters = this.#refreshWaiters;
          this.#refreshWaiters = [];
          for (const w of waiters) w();
        }
      });
  }

  /** Schedules a refresh; resolves after the next completed one, or after `timeoutMs`. */
  #planRefresh(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#refreshWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.#scheduleRefresh();
    });
  }

  /** Serves Foxx on this coordinator (before, `/_api/foxx` answers 501). */
  attachFoxx(foxx: CoordinatorFoxxHook): void {
    this.#foxx = foxx;
  }

  /** The endpoint of a database's leader DB-server (1228 unknown database, 1478 leader down). */
  async leaderEndpoint(database: string): Promise<string> {
    return (await this.#leaderOf(database)).endpoint;
  }

  /** The planned databases (as last read from the agency). */
  databaseNames(): string[] {
    return [...this.#plans.keys()].sort();
  }

  hasDatabase(name: string): boolean {
    return this.#plans.has(name);
  }

  /** Reloads plan and servers from the agency. */
  async refresh(): Promise<void> {
    const [plans, servers] = await Promise.all([this.#d.registry.databases(), this.#d.registry.servers()]);
    this.#plans = plans;
    this.#servers = servers;
  }

  /** Handles one client request (answers it locally or forwards it). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let path = q === -1 ? url : url.slice(0, q);
    let database = '_system';
    if (path.startsWith('/_db/')) {
      const end = path.indexOf('/', 5);
      try {
        database = decodeURIComponent(end === -1 ? path.slice(5) : path.slice(5, end));
      } catch {
        throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'invalid database name encoding');
      }
      path = end === -1 ? '/' : path.slice(end);
    }
    const method = req.method ?? 'GET';
    const local = await this.#local(req, method, path, database);
    if (local !== null) {
      const body = Buffer.from(JSON.stringify(local.body));
      res.writeHead(local.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) });
      res.end(body);
      return;
    }
    if (this.#foxx !== undefined && (await this.#foxx.handle(req, res, database, path))) return;
    if (path.startsWith('/_api/foxx')) {
      // a coordinator composed without the Foxx hook (none of the shipped roles)
      throw new ArangoError('ERROR_NOT_IMPLEMENTED', 'Foxx services are not available on this coordinator');
    }
    const search = q === -1 ? '' : url.slice(q);
    if (path.startsWith('/_api/user') || path === '/_open/auth') {
      const isChange = method !== 'GET' && method !== 'HEAD' && path.startsWith('/_api/user');
      const grant = /^\/_api\/user\/[^/]+\/database\/([^/]+)/.exec(path);
      if (isChange && grant?.[1] !== undefined && grant[1] !== '*') {
        const db = decodeURIComponent(grant[1]);
        if (!this.#plans.has(db)) await this.refresh().catch(() => undefined);
        if (!this.#plans.has(db)) throw new ArangoError('ERROR_ARANGO_DATABASE_NOT_FOUND');
      }
      if (!isChange) return forwardWithFailover(this.#failover, req, res, '_system', `/_db/_system${path}${search}`);
      return this.#users.change(req, res, `/_db/_system${path}${search}`, (attempt) => retryOnFailover(this.#failover, '_system', method, true, attempt));
    }
    if (path === '/_api/collection' || path.startsWith('/_api/collection/')) {
      // through the current leader, again after a failover (as every other forwarded request)
      return collectionRequest(req, res, () => this.#plans.get(database), path, url, this.#d.bodies, (attempt) => retryOnFailover(this.#failover, database, method, true, attempt));
    }
    await forwardWithFailover(this.#failover, req, res, database, url);
  }

  /** The `tcp://` endpoints of the live coordinators (`/_api/cluster/endpoints`). */
  coordinators(): ServerRecord[] {
    return this.#servers.filter((s) => s.role === 'COORDINATOR');
  }

  async #local(req: IncomingMessage, method: string, path: string, database: string): Promise<Reply | null> {
    const ok = (body: Record<string, unknown>): Reply => ({ status: 200, body: { error: false, code: 200, ...body } });
    if (method === 'GET') {
      // the cluster views read through to the agency (the cached copy serves while etcd is down)
      if (path.startsWith('/_admin/cluster/') || path === '/_api/cluster/endpoints') await this.refresh().catch(() => undefined);
      switch (path) {
        case '/_admin/server/role':
          return ok({ role: 'COORDINATOR', mode: 'default' });
        case '/_admin/server/id':
          await this.#users.authorize(req, 'user');
          return ok({ id: this.#d.serverId });
        case '/_api/cluster/endpoints':
          await this.#users.authorize(req, 'user');
          return ok({ endpoints: this.coordinators().map((s) => ({ endpoint: toTcp(s.endpoint) })) });
        case '/_admin/cluster/health':
          await this.#users.authorize(req, 'user');
          return ok({ ClusterId: this.#d.deployment, Health: this.#health() });
        case '/_admin/cluster/numberOfServers':
          await this.#users.authorize(req, 'user');
          return ok({ numberOfCoordinators: this.coordinators().length, numberOfDBServers: this.#dbServerIds().length, cleanedServers: [] });
        case '/_admin/cluster/shardDistribution':
          await this.#users.authorize(req, 'user');
          {
          const plan = this.#plans.get(database);
          const leader = plan === undefined ? null : this.#maybeServer(plan.leader);
          return ok({ results: plan === undefined || leader === null ? {} : await shardDistribution(plan, leader, req.headers.authorization) });
        }
        case '/_admin/status':
          await this.#users.authorize(req, 'user');
          return { status: 200, body: this.#status() };
        case '/_api/database':
          if (database !== '_system') throw new ArangoError('ERROR_ARANGO_USE_SYSTEM_DATABASE');
          await this.#users.authorize(req, 'system-rw');
          // read through: another coordinator may have just created or dropped one (cache kept if etcd is down)
          await this.refresh().catch(() => undefined);
          return ok({ result: [...this.#plans.keys()].sort() });
        case '/_api/database/user':
          await this.#users.authorize(req, 'user');
          await this.refresh().catch(() => undefined);
          return ok({ result: await this.#users.accessibleDatabases(req, [...this.#plans.keys()].sort()) });
        default:
          return null;
      }
    }
    if (method === 'POST' && path === '/_api/database') return this.#createDatabase(req, database);
    if (method === 'DELETE' && path.startsWith('/_api/database/')) return this.#dropDatabase(req, database, decodeURIComponent(path.slice('/_api/database/'.length)));
    return null;
  }

  async #createDatabase(req: IncomingMessage, database: string): Promise<Reply> {
    if (database !== '_system') throw new ArangoError('ERROR_ARANGO_USE_SYSTEM_DATABASE');
    await this.#users.authorize(req, 'system-rw');
    const body = await withBody(req, this.#d.bodies.maxBodyBytes, this.#d.bodies.budget, async (raw) => parseObject(raw));
    const name = body['name'];
    if (typeof name !== 'string') throw new ArangoError('ERROR_ARANGO_DATABASE_NAME_INVALID');
    const options = (typeof body['options'] === 'object' && body['options'] !== null ? body['options'] : {}) as Record<string, unknown>;
    const rf = typeof options['replicationFactor'] === 'number' ? options['replicationFactor'] : this.#d.defaultReplicationFactor;
    const wc = typeof options['writeConcern'] === 'number' ? options['writeConcern'] : 1;
    if (!Number.isInteger(rf) || rf < 1 || !Number.isInteger(wc) || wc < 1 || wc > rf) throw new ArangoError('ERROR_BAD_PARAMETER', 'invalid replicationFactor or writeConcern');
    if (this.#plans.has(name)) throw new ArangoError('ERROR_ARANGO_DUPLICATE_NAME', `duplicate database name '${name}'`);
    const plan = placeDatabase(name, this.#dbServerIds(), this.#plans.values(), rf, wc);
    const leader = this.#server(plan.leader);
    await this.#d.registry.createDatabase(plan);
    const created = await callServer(leader.endpoint, 'POST', '/_db/_system/_api/database', req.headers.authorization, body, req).catch((e: unknown) => ({ status: 503, body: e }));
    if (created.status >= 300) {
      await this.#d.registry.dropDatabase(name).catch(() => undefined);
      await this.refresh().catch(() => undefined);
      if (created.body instanceof Error) throw created.body;
      relayError(created.status, created.body);
    }
    // the followers copy the database from the leader by themselves (they watch the plan)
    await this.refresh().catch(() => undefined);
    return { status: 201, body: { error: false, code: 201, result: true } };
  }

  async #dropDatabase(req: IncomingMessage, database: string, name: string): Promise<Reply> {
    if (database !== '_system') throw new ArangoError('ERROR_ARANGO_USE_SYSTEM_DATABASE');
    await this.#users.authorize(req, 'system-rw');
    const plan = this.#plans.get(name);
    if (plan === undefined || name === '_system') throw new ArangoError(name === '_system' ? 'ERROR_FORBIDDEN' : 'ERROR_ARANGO_DATABASE_NOT_FOUND');
    await this.#d.registry.dropDatabase(name);
    for (const id of [plan.leader, ...plan.followers]) {
      const s = this.#maybeServer(id);
      if (s) await callServer(s.endpoint, 'DELETE', `/_db/_system/_api/database/${encodeURIComponent(name)}`, this.#d.superuser()).catch(() => undefined);
    }
    await this.refresh().catch(() => undefined);
    return { status: 200, body: { error: false, code: 200, result: true } };
  }

  async #leaderOf(database: string): Promise<ServerRecord> {
    let plan = this.#plans.get(database);
    if (plan === undefined) {
      await this.refresh().catch(() => undefined);
      plan = this.#plans.get(database);
    }
    if (plan === undefined) throw new ArangoError('ERROR_ARANGO_DATABASE_NOT_FOUND');
    const leader = this.#maybeServer(plan.leader);
    if (leader === null) throw new ArangoError('ERROR_CLUSTER_BACKEND_UNAVAILABLE', `the leader of database '${database}' is not available`);
    return leader;
  }

  #server(id: string): ServerRecord {
    const s = this.#maybeServer(id);
    if (s === null) throw new ArangoError('ERROR_CLUSTER_BACKEND_UNAVAILABLE', `DB-server ${id} is not available`);
    return s;
  }

  #maybeServer(id: string): ServerRecord | null {
    return this.#servers.find((s) => s.id === id) ?? null;
  }

  #dbServerIds(): string[] {
    return this.#servers.filter((s) => s.role === 'PRIMARY').map((s) => s.id);
  }

  #health(): Record<string, unknown> {
    const health: Record<string, unknown> = {};
    for (const s of this.#servers) {
      health[s.id] = {
        Role: s.role === 'PRIMARY' ? 'DBServer' : 'Coordinator',
        Endpoint: toTcp(s.endpoint),
        Status: 'GOOD',
        ShortName: s.shortName,
        Version: s.version,
        Engine: s.engine,
        LastAckedTime: s.lastAckedTime,
        CanBeDeleted: false,
        SyncStatus: 'SERVING',
      };
    }
    return health;
  }

  #status(): Record<string, unknown> {
    return {
      server: 'arango',
      version: this.#d.version,
      pid: process.pid,
      license: 'community',
      mode: 'server',
      operationMode: 'server',
      foxxApi: this.#foxx !== undefined,
      host: this.#d.endpoint(),
      serverInfo: { role: 'COORDINATOR', mode: 'default', writeOpsEnabled: true, readOnly: false, maintenance: false, serverId: this.#d.serverId, address: toTcp(this.#d.endpoint()), state: 'SERVING' },
      coordinator: this.#foxx?.foxxmaster() ?? { foxxmaster: null, isFoxxmaster: false },
    };
  }
}

/** A JSON object body (600 otherwise). */
function parseObject(raw: Buffer): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ArangoError('ERROR_HTTP_CORRUPTED_JSON');
}
