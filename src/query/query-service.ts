import { prepareQuery, QueryCache, type DataSource, type QueryCursor, type QueryOptions, type QueryStats, type QueryWarning } from '../aql/index.ts';
import { ArangoError } from '../errors/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { InlineLane, smallEnoughInline } from './inline-lane.ts';
import { newId, toAqlOptions, type RunOptions } from './run-options.ts';
import { accessSnapshot } from './access-snapshot.ts';
import { GuardedDataSource, requireAccess, type AccessLevel, type AccessSnapshot } from './guarded-data-source.ts';
import { LmdbDataSource } from './lmdb-data-source.ts';
import { QueryRegistry, type QueryListing } from './query-registry.ts';
import { runModificationInWorker } from './worker-modification.ts';
import type { QueryPool, WorkerRows } from './worker/query-pool.ts';
import type { WireExtra } from './worker/protocol.ts';

/** Who runs a query and what they may touch (checked before and during execution). */
export interface QueryCaller {
  readonly user: string | null;
  /** Superusers see and kill every query and touch every collection. */
  readonly isAdmin: boolean;
  /** The caller's level on a collection of the query's database. */
  readonly level: (collection: string) => AccessLevel;
  /** The server does not accept writes (an active-failover follower serving dirty reads). */
  readonly readOnly?: boolean;
  /** The server itself (superuser JWT, or authentication off): the only caller that reaches secret collections. */
  readonly isServer?: boolean;
}

/** The final figures of a query, in ArangoDB's `extra` shape. */
export interface QueryExtra {
  readonly stats: QueryStats & { httpRequests: number };
  readonly warnings: readonly QueryWarning[];
}

/**
 * A query that runs inside a stream transaction: the transaction's data source, and how to
 * make the query's writes all-or-nothing within it.
 */
export interface QueryTransaction {
  readonly source: DataSource;
  atomically<T>(fn: () => T): T;
}

/** A query that has started (the cursor API pages through it with `pull`). */
export interface RunningQuery {
  readonly id: string;
  readonly database: string;
  readonly query: string;
  readonly bindVars: Readonly<Record<string, unknown>>;
  readonly user: string | null;
  readonly started: number;
  readonly stream: boolean;
  state: 'queued' | 'executing';
  /** Whether the query writes (known once it is planned; a guess from its text before). */
  modification: boolean;
  done: boolean;
  extra: QueryExtra;
}

interface Tracked {
  readonly q: RunningQuery;
  readonly kill: Int32Array;
  /** Main-thread execution (modification queries, or no pool). */
  readonly cursor?: QueryCursor;
  timer?: NodeJS.Timeout;
}

function extraOfCursor(cursor: QueryCursor): QueryExtra {
  return { stats: { ...cursor.stats, httpRequests: 0 }, warnings: cursor.warnings };
}

function extraOfWire(extra: WireExtra): QueryExtra {
  return { stats: { ...(extra.stats as unknown as QueryStats), httpRequests: 0 }, warnings: extra.warnings };
}

/** Cheap first look at a query's text: only queries that match can write. */
const MODIFYING = /\b(INSERT|UPDATE|REPLACE|REMOVE|UPSERT)\b/i;

/** The errorNum a query failed with, as the slow-query log reports it. */
function exitCodeOf(err: unknown): number {
  return err instanceof ArangoError ? err.errorNum : 1;
}

const EMPTY_EXTRA: QueryExtra = { stats: { writesExecuted: 0, writesIgnored: 0, scannedFull: 0, scannedIndex: 0, filtered: 0, executionTime: 0, peakMemoryUsage: 0, httpRequests: 0 }, warnings: [] };

/**
 * Runs AQL against the storage. Read queries are parsed, planned and executed in the query worker
 * pool (off the main thread), so kill and `maxRuntime` stop them wherever they are and the main
 * thread keeps serving; a small index lookup may run inline instead, under a 2 ms budget
 * ({@link InlineLane}). Modification queries run in a worker too and are applied by the main
 * thread in one atomic write (all or nothing). Keeps the running queries and the slow-query log.
 */
export class QueryService {
  readonly #engine: StorageEngine;
  readonly #pool: QueryPool | undefined;
  readonly #cache = new QueryCache(512);
  readonly #running = new Map<string, Tracked>();
  readonly #lane = new InlineLane();
  readonly registry = new QueryRegistry();
  /** Read queries answered inline on the main thread, and handed to the worker pool. */
  readonly lanes = { inline: 0, pool: 0 };

  readonly #defaultMaxRuntime: number;
  /** Seconds a query on the main thread (inside a stream transaction) may run; 0: unbounded. */
  readonly #mainThreadMaxRuntime: number;

  /** `defaults.maxRuntime` (seconds, `--query.max-runtime`) applies to queries that set none. */
  constructor(engine: StorageEngine, pool?: QueryPool, defaults: { maxRuntime?: number; mainThreadMaxRuntime?: number } = {}) {
    this.#engine = engine;
    this.#pool = pool;
    this.#defaultMaxRuntime = defaults.maxRuntime ?? 0;
    this.#mainThreadMaxRuntime = defaults.mainThreadMaxRuntime ?? 0;
  }

  #access(database: string, caller: QueryCaller): AccessSnapshot {
    return accessSnapshot(this.#engine, database, caller);
  }

  #visible(t: Tracked, database: string, caller: QueryCaller): boolean {
    return t.q.database === database && (caller.isAdmin || t.q.user === caller.user);
  }

  /** Queries running in a database that the caller may see (admins: all, others: their own). */
  current(database: string, caller: QueryCaller): QueryListing[] {
    const now = Date.now();
    const out: QueryListing[] = [];
    for (const t of this.#running.values()) {
      if (!this.#visible(t, database, caller)) continue;
      const q = t.q;
      out.push({
        id: q.id, database: q.database, user: q.user, query: q.query, bindVars: q.bindVars, started: new Date(q.started).toISOString(),
        runTime: (now - q.started) / 1000, peakMemoryUsage: q.extra.stats.peakMemoryUsage, state: q.state, stream: q.stream, modificationQuery: q.modification,
      });
    }
    return out;
  }

  /** The slow-query log of a database, filtered like `current`. */
  slow(database: string, caller: QueryCaller): QueryListing[] {
    return this.registry.slow(database).filter((q) => caller.isAdmin || q.user === caller.user);
  }

  /** Kills a running query of the caller (admins: any); throws 1591 when unknown or not theirs. */
  kill(database: string, id: string, caller: QueryCaller): void {
    const t = this.#running.get(id);
    if (!t || !this.#visible(t, database, caller)) throw new ArangoError('ERROR_QUERY_NOT_FOUND');
    this.#kill(t, 1);
  }

  #kill(t: Tracked, reason: 1 | 2): void {
    if (this.#pool && t.cursor === undefined) this.#pool.kill(t.kill, reason);
    else Atomics.store(t.kill, 0, reason);
  }

  /**
   * Marks a query finished (exhausted, failed or its cursor deleted); frees its worker state.
   * `exitCode` is the errorNum it failed with (0: success), as the slow-query log shows it.
   */
  finish(id: string, exitCode = 0): void {
    const t = this.#running.get(id);
    if (!t) return;
    this.#running.delete(id);
    if (t.timer) clearTimeout(t.timer);
    if (!t.q.done) {
      Atomics.store(t.kill, 0, 1);
      this.#pool?.closeCursor(id);
    }
    this.registry.finished(t.q, t.q.started, exitCode);
  }

  /**
   * Starts a query and returns its first `firstBatch` rows (all rows when not streamed).
   * Throws the query's ArangoError (1500 killed, 32 resource limit, 11 forbidden, 15xx query errors).
   */
  async start(
    database: string,
    query: string,
    bindVars: Readonly<Record<string, unknown>>,
    options: RunOptions,
    caller: QueryCaller,
    firstBatch = Number.POSITIVE_INFINITY,
    transaction?: QueryTransaction,
  ): Promise<{ running: RunningQuery; rows: unknown[] }> {
    if (typeof query !== 'string' || query.trim() === '') throw new ArangoError('ERROR_QUERY_EMPTY');
    this.#engine.database(database);
    if ((options.maxRuntime ?? 0) === 0 && this.#defaultMaxRuntime > 0) options = { ...options, maxRuntime: this.#defaultMaxRuntime };
    const access = this.#access(database, caller);
    // a query answered inline needs no shared kill cell: it is made for the other paths only
    let cell: Int32Array | undefined;
    const killCell = (): Int32Array => (cell ??= new Int32Array(new SharedArrayBuffer(4)));
    const q: RunningQuery = {
      id: newId(), database, query, bindVars, user: caller.user, started: Date.now(), stream: options.stream === true,
      state: 'queued', done: false, extra: EMPTY_EXTRA, modification: MODIFYING.test(query),
    };
    if (transaction) return this.#inTransaction(q, transaction, access, { ...toAqlOptions(options), cache: this.#cache, killCell: killCell() }, caller);
    // modification queries are recognised by their text first (cheap); the worker refuses any it misses
    if (this.#pool === undefined || q.modification) {
      const kill = killCell();
      const aqlOptions: QueryOptions = { ...toAqlOptions(options), cache: this.#cache, killCell: kill };
      const context = { user: caller.user, database };
      const prepared = prepareQuery(query, bindVars, new LmdbDataSource(this.#engine, database), aqlOptions, context);
      q.modification = prepared.isModification;
      if (prepared.isModification && this.#pool !== undefined) return this.#modifyInWorker(q, prepared.collections, access, options, caller, kill);
      if (prepared.isModification) return this.#modify(q, prepared.collections, access, aqlOptions, caller);
      if (this.#pool === undefined) return this.#mainThread(q, prepared.rebind(new GuardedDataSource(new LmdbDataSource(this.#engine, database), access), aqlOptions, context), access, kill, firstBatch);
    }
    if (options.stream !== true && !(options.memoryLimit !== undefined && options.memoryLimit > 0) && this.#lane.mayTry(query) && smallEnoughInline(query, bindVars)) {
      const inline = await this.#tryInline(q, access, options, caller);
      if (inline !== undefined) return inline;
    }
    this.lanes.pool++;
    const kill = killCell();
    const t: Tracked = { q, kill };
    this.#running.set(q.id, t);
    if (options.maxRuntime !== undefined && options.maxRuntime > 0) {
      t.timer = setTimeout(() => this.#kill(t, 2), options.maxRuntime * 1000);
      t.timer.unref();
    }
    const definitions = this.#engine.collections(database).map((c) => c.definition);
    const job = this.#pool.nextJob();
    try {
      const r = await this.#pool.submit(
        {
          database,
          definitions,
          message: { type: 'run', job, queryId: q.id, database, query, bindVars, options: toAqlOptions(options), user: caller.user, access, batch: firstBatch, kill: kill.buffer as SharedArrayBuffer },
        },
        kill,
        () => (q.state = 'executing'),
      );
      return { running: this.#after(t, r), rows: r.rows };
    } catch (err) {
      q.done = true;
      this.finish(q.id, exitCodeOf(err));
      throw err;
    }
  }

  /**
   * Runs a small read query on the main thread when the lane lets it ({@link InlineLane}); answers
   * undefined when nothing happened and the query goes to the pool.
   */
  async #tryInline(q: RunningQuery, access: AccessSnapshot, options: RunOptions, caller: QueryCaller): Promise<{ running: RunningQuery; rows: unknown[] } | undefined> {
    if (!(await this.#lane.slot())) return undefined;
    // with queries running in the pool, the main thread helps only while jobs wait for a worker:
    // taking work that a worker would start at once leaves that worker idle
    const pool = this.#pool;
    if (pool !== undefined && !pool.idle && pool.queued === 0) return undefined;
    try {
      const r = this.#lane.run(this.#engine, q, access, { ...toAqlOptions(options), cache: this.#cache }, caller.user);
      if (r === undefined) return undefined;
      q.state = 'executing';
      q.done = true;
      q.extra = extraOfCursor(r.cursor);
      this.lanes.inline++;
      this.registry.finished(q, q.started, 0);
      return { running: q, rows: r.rows };
    } catch (err) {
      q.done = true;
      this.registry.finished(q, q.started, exitCodeOf(err));
      throw err;
    }
  }

  #after(t: Tracked, r: WorkerRows): RunningQuery {
    t.q.extra = extraOfWire(r.extra);
    t.q.done = r.done;
    if (r.done) this.finish(t.q.id);
    return t.q;
  }

  async #modifyInWorker(q: RunningQuery, collections: { read: readonly string[]; write: readonly string[] }, access: AccessSnapshot, options: RunOptions, caller: QueryCaller, kill: Int32Array): Promise<{ running: RunningQuery; rows: unknown[] }> {
    const pool = this.#pool;
    if (pool === undefined) throw new ArangoError('ERROR_INTERNAL', 'no query pool');
    if (caller.readOnly === true) throw new ArangoError('ERROR_ARANGO_READ_ONLY', 'modification queries are refused by a follower');
    for (const c of collections.read) requireAccess(access, c, 'ro');
    for (const c of collections.write) requireAccess(access, c, 'rw');
    const t: Tracked = { q, kill };
    this.#running.set(q.id, t);
    if (options.maxRuntime !== undefined && options.maxRuntime > 0) {
      t.timer = setTimeout(() => this.#kill(t, 2), options.maxRuntime * 1000);
      t.timer.unref();
    }
    try {
      const r = await runModificationInWorker(this.#engine, pool, {
        queryId: q.id, database: q.database, query: q.query, bindVars: q.bindVars, options: toAqlOptions(options), user: q.user, access, kill,
        onStart: () => (q.state = 'executing'),
      });
      q.extra = extraOfWire(r.extra);
      q.done = true;
      this.finish(q.id);
      return { running: q, rows: r.rows };
    } catch (err) {
      q.done = true;
      this.finish(q.id, exitCodeOf(err));
      throw err;
    }
  }

  async #modify(q: RunningQuery, collections: { read: readonly string[]; write: readonly string[] }, access: AccessSnapshot, aqlOptions: QueryOptions, caller: QueryCaller): Promise<{ running: RunningQuery; rows: unknown[] }> {
    if (caller.readOnly === true) throw new ArangoError('ERROR_ARANGO_READ_ONLY', 'modification queries are refused by a follower');
    for (const c of collections.read) requireAccess(access, c, 'ro');
    for (const c of collections.write) requireAccess(access, c, 'rw');
    q.state = 'executing';
    // all or nothing: drained inside one child transaction; a throw aborts every write
    const { cursor, rows } = await this.#engine.writeAtomic((tx) => {
      const source = new GuardedDataSource(new LmdbDataSource(this.#engine, q.database, tx), access);
      const cur = prepareQuery(q.query, q.bindVars, source, aqlOptions, { user: q.user, database: q.database }).execute();
      return { cursor: cur, rows: cur.all() };
    });
    q.done = true;
    q.extra = extraOfCursor(cursor);
    return { running: q, rows };
  }

  /**
   * Runs a query to the end on the main thread inside a stream transaction (its snapshot plus its
   * own writes); its writes stand or fall together within the transaction.
   */
  #inTransaction(q: RunningQuery, transaction: QueryTransaction, access: AccessSnapshot, aqlOptions: QueryOptions, caller: QueryCaller): { running: RunningQuery; rows: unknown[] } {
    const source = new GuardedDataSource(transaction.source, access);
    // every other request waits while this runs: it may take --query.main-thread-max-runtime at most
    const limit = this.#mainThreadMaxRuntime;
    const own = aqlOptions.maxRuntime ?? 0;
    const limited = limit > 0 && (own <= 0 || own > limit);
    const options = limited ? { ...aqlOptions, maxRuntime: limit } : aqlOptions;
    const prepared = prepareQuery(q.query, q.bindVars, source, options, { user: q.user, database: q.database });
    q.modification = prepared.isModification;
    if (prepared.isModification && caller.readOnly === true) throw new ArangoError('ERROR_ARANGO_READ_ONLY', 'modification queries are refused by a follower');
    for (const c of prepared.collections.read) requireAccess(access, c, 'ro');
    for (const c of prepared.collections.write) requireAccess(access, c, 'rw');
    q.state = 'executing';
    const started = Date.now();
    let out: { cursor: QueryCursor; rows: unknown[] };
    try {
      out = transaction.atomically(() => {
        const cur = prepared.execute();
        return { cursor: cur, rows: cur.all() };
      });
    } catch (err) {
      if (limited && err instanceof ArangoError && err.errorNum === 1500 && Date.now() - started >= limit * 1000) {
        throw new ArangoError('ERROR_QUERY_KILLED', `query killed: a query inside a stream transaction runs on the server's main thread and may take at most ${limit} s (--query.main-thread-max-runtime); its writes were rolled back`);
      }
      throw err;
    }
    q.done = true;
    q.extra = extraOfCursor(out.cursor);
    return { running: q, rows: out.rows };
  }

  async #mainThread(q: RunningQuery, prepared: { collections: { read: readonly string[]; write: readonly string[] }; execute(): QueryCursor }, access: AccessSnapshot, kill: Int32Array, firstBatch: number): Promise<{ running: RunningQuery; rows: unknown[] }> {
    for (const c of prepared.collections.read) requireAccess(access, c, 'ro');
    q.state = 'executing';
    const cursor = prepared.execute();
    const t: Tracked = { q, kill, cursor };
    this.#running.set(q.id, t);
    try {
      const rows = await this.pull(q, firstBatch);
      return { running: q, rows };
    } catch (err) {
      this.finish(q.id, exitCodeOf(err));
      throw err;
    }
  }

  /** The next `n` rows of a streamed query; the query is finished when `done` turns true. */
  async pull(q: RunningQuery, n: number): Promise<unknown[]> {
    const t = this.#running.get(q.id);
    if (!t || q.done) return [];
    if (t.cursor) {
      const out = t.cursor.nextBatch(n);
      q.done = t.cursor.done || out.length < n;
      q.extra = extraOfCursor(t.cursor);
      if (q.done) this.finish(q.id);
      return out;
    }
    if (!this.#pool) return [];
    try {
      const r = await this.#pool.submit({ message: { type: 'more', job: this.#pool.nextJob(), queryId: q.id, batch: n } }, t.kill);
      this.#after(t, r);
      return r.rows;
    } catch (err) {
      q.done = true;
      this.finish(q.id, exitCodeOf(err));
      throw err;
    }
  }

  /** Runs a query to the end and returns all rows (for `db._query` in services). */
  async run(
    database: string,
    query: string,
    bindVars: Readonly<Record<string, unknown>>,
    options: RunOptions,
    caller: QueryCaller,
  ): Promise<{ result: unknown[]; extra: QueryExtra }> {
    const { running, rows } = await this.start(database, query, bindVars, { ...options, stream: false }, caller);
    return { result: rows, extra: running.extra };
  }
}
