import { prepareQuery, QueryCache, type DataSource, type PreparedQuery, type QueryCursor, type QueryOptions, type QueryStats, type QueryWarning } from '../aql/index.ts';
import { ArangoError } from '../errors/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { LmdbDataSource } from './lmdb-data-source.ts';

/** Who runs a query and what they may touch (checked before execution). */
export interface QueryCaller {
  readonly user: string | null;
  /** Throws when the caller may not read (`ro`) or write (`rw`) a collection. */
  readonly requireCollection: (collection: string, need: 'ro' | 'rw') => void;
  /** The server does not accept writes (an active-failover follower serving dirty reads). */
  readonly readOnly?: boolean;
}

/** Query options as `/_api/cursor` and `db._query` accept them. */
export interface RunOptions {
  readonly fullCount?: boolean;
  readonly maxRuntime?: number;
  readonly memoryLimit?: number;
  readonly failOnWarning?: boolean;
  readonly maxWarningCount?: number;
  /** Stream results batch by batch instead of computing them all up front. */
  readonly stream?: boolean;
}

/**
 * A query that runs inside a stream transaction: the transaction's data source, and how to
 * make the query's writes all-or-nothing within it.
 */
export interface QueryTransaction {
  readonly source: DataSource;
  atomically<T>(fn: () => T): T;
}

/** A query that has started: its rows so far, and the cursor for streamed ones. */
export interface RunningQuery {
  readonly id: string;
  readonly database: string;
  readonly query: string;
  readonly bindVars: Readonly<Record<string, unknown>>;
  readonly user: string | null;
  readonly started: number;
  readonly stream: boolean;
  readonly cursor: QueryCursor;
}

/** The final figures of a query, in ArangoDB's `extra` shape. */
export interface QueryExtra {
  readonly stats: QueryStats & { httpRequests: number };
  readonly warnings: readonly QueryWarning[];
}

/** Rows per slice before a long query yields to the event loop (so it can be killed, and others served). */
const SLICE_ROWS = 2000;
/** Prepared read queries kept for reuse (oldest evicted first). */
const PLAN_CACHE_ENTRIES = 512;

/**
 * Runs AQL against the storage: read queries execute in slices between which the event loop
 * runs (so `DELETE /_api/query/{id}` and `maxRuntime` stop them), modification queries execute
 * inside one atomic write transaction (all or nothing). Keeps the list of running queries.
 */
export class QueryService {
  readonly #engine: StorageEngine;
  readonly #cache = new QueryCache(512);
  readonly #running = new Map<string, RunningQuery>();
  #lastId = 0;
  readonly #sources = new Map<string, LmdbDataSource>();
  readonly #plans = new Map<string, { prepared: PreparedQuery; definitions: Array<[string, unknown]> }>();

  constructor(engine: StorageEngine) {
    this.#engine = engine;
  }

  /**
   * Prepares (parses, plans) a query, reusing the plan of an identical earlier query (same
   * database, user, text, bind values and options) while every collection it uses still has the
   * same definition: any DDL change replaces a collection's definition object, so a stale plan
   * is never reused. Queries over named graphs are always planned afresh.
   */
  #prepare(
    database: string,
    query: string,
    bindVars: Readonly<Record<string, unknown>>,
    aqlOptions: QueryOptions,
    context: { user: string | null; database: string },
  ): PreparedQuery {
    const key = `${database}\u0000${context.user ?? ''}\u0000${query}\u0000${JSON.stringify(bindVars)}\u0000${JSON.stringify({ ...aqlOptions, cache: undefined })}`;
    const hit = this.#plans.get(key);
    if (hit && hit.definitions.every(([name, def]) => this.#engine.findCollection(database, name)?.definition === def)) return hit.prepared;
    const prepared = prepareQuery(query, bindVars, this.#readSource(database), aqlOptions, context);
    if (!prepared.isModification && !/\bGRAPH\b/i.test(query) && !query.includes('::')) {
      const names = [...new Set([...prepared.collections.read, ...prepared.collections.write])];
      const definitions: Array<[string, unknown]> = names.map((n) => [n, this.#engine.findCollection(database, n)?.definition]);
      if (this.#plans.size >= PLAN_CACHE_ENTRIES) {
        const oldest = this.#plans.keys().next().value;
        if (oldest !== undefined) this.#plans.delete(oldest);
      }
      this.#plans.set(key, { prepared, definitions });
    }
    return prepared;
  }

  /** The read-only data source of a database (stateless, so one per database is enough). */
  #readSource(database: string): LmdbDataSource {
    let ds = this.#sources.get(database);
    if (!ds) {
      ds = new LmdbDataSource(this.#engine, database);
      this.#sources.set(database, ds);
    }
    return ds;
  }

  /** Queries currently executing (for `/_api/query/current`). */
  current(database: string): RunningQuery[] {
    return [...this.#running.values()].filter((q) => q.database === database);
  }

  /** Kills a running query; throws 1591 when unknown. */
  kill(database: string, id: string): void {
    const q = this.#running.get(id);
    if (!q || q.database !== database) throw new ArangoError('ERROR_QUERY_NOT_FOUND');
    q.cursor.kill();
  }

  /** Marks a query finished (a streamed cursor that was exhausted or deleted). */
  finish(id: string): void {
    this.#running.delete(id);
  }

  /**
   * Starts a query. Non-streamed queries are fully computed before this resolves (`rows`);
   * streamed ones return the cursor with the rows of the first `firstBatch`.
   */
  async start(
    database: string,
    query: string,
    bindVars: Readonly<Record<string, unknown>>,
    options: RunOptions,
    caller: QueryCaller,
    firstBatch = Number.POSITIVE_INFINITY,
    transaction?: QueryTransaction,
  ): Promise<{ running: RunningQuery; rows: unknown[]; done: boolean }> {
    if (typeof query !== 'string' || query.trim() === '') throw new ArangoError('ERROR_QUERY_EMPTY');
    // killing goes through cursor.kill() (checked between rows), so no AbortSignal is needed
    const aqlOptions: QueryOptions = { ...toAqlOptions(options), cache: this.#cache };
    const context = { user: caller.user, database };
    if (transaction) return this.#startInTransaction(database, query, bindVars, aqlOptions, caller, transaction);
    const prepared = this.#prepare(database, query, bindVars, aqlOptions, context);
    if (prepared.isModification && caller.readOnly === true) throw new ArangoError('ERROR_ARANGO_READ_ONLY', 'modification queries are refused by a follower');
    for (const c of prepared.collections.read) caller.requireCollection(c, 'ro');
    for (const c of prepared.collections.write) caller.requireCollection(c, 'rw');
    const id = String(++this.#lastId);
    const base = { id, database, query, bindVars, user: caller.user, started: Date.now(), stream: options.stream === true };
    if (prepared.isModification) {
      // all or nothing: drained inside one child transaction; a throw aborts every write
      const { cursor, rows } = await this.#engine.writeAtomic((tx) => {
        const cur = prepareQuery(query, bindVars, new LmdbDataSource(this.#engine, database, tx), aqlOptions, context).execute();
        return { cursor: cur, rows: cur.all() };
      });
      return { running: { ...base, cursor }, rows, done: true };
    }
    const cursor = prepared.execute();
    const running: RunningQuery = { ...base, cursor };
    this.#running.set(id, running);
    try {
      const rows = await this.pull(running, firstBatch);
      if (cursor.done) this.#running.delete(id);
      return { running, rows, done: cursor.done };
    } catch (err) {
      this.#running.delete(id);
      throw err;
    }
  }

  /** Runs a query to the end inside a stream transaction (its writes stand or fall together). */
  #startInTransaction(
    database: string,
    query: string,
    bindVars: Readonly<Record<string, unknown>>,
    aqlOptions: QueryOptions,
    caller: QueryCaller,
    transaction: QueryTransaction,
  ): { running: RunningQuery; rows: unknown[]; done: boolean } {
    const prepared = prepareQuery(query, bindVars, transaction.source, aqlOptions, { user: caller.user, database });
    if (prepared.isModification && caller.readOnly === true) throw new ArangoError('ERROR_ARANGO_READ_ONLY', 'modification queries are refused by a follower');
    for (const c of prepared.collections.read) caller.requireCollection(c, 'ro');
    for (const c of prepared.collections.write) caller.requireCollection(c, 'rw');
    const id = String(++this.#lastId);
    const { cursor, rows } = transaction.atomically(() => {
      const cur = prepared.execute();
      return { cursor: cur, rows: cur.all() };
    });
    const running: RunningQuery = { id, database, query, bindVars, user: caller.user, started: Date.now(), stream: false, cursor };
    return { running, rows, done: true };
  }

  /** Pulls up to `n` rows in slices, yielding to the event loop between slices. */
  async pull(q: RunningQuery, n: number): Promise<unknown[]> {
    const out: unknown[] = [];
    while (!q.cursor.done && out.length < n) {
      const want = Math.min(SLICE_ROWS, n - out.length);
      const batch = q.cursor.nextBatch(want);
      for (const row of batch) out.push(row);
      // fewer rows than asked for means the end: no need to yield for another pull
      if (batch.length < want) break;
      if (!q.cursor.done && out.length < n) await new Promise((r) => setImmediate(r));
    }
    return out;
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
    return { result: rows, extra: extraOf(running.cursor) };
  }
}

/** ArangoDB's `extra` of a cursor: statistics and warnings. */
export function extraOf(cursor: QueryCursor): QueryExtra {
  return { stats: { ...cursor.stats, httpRequests: 0 }, warnings: cursor.warnings };
}

function toAqlOptions(o: RunOptions): QueryOptions {
  const out: { -readonly [K in keyof QueryOptions]: QueryOptions[K] } = {};
  if (o.fullCount !== undefined) out.fullCount = o.fullCount;
  if (o.maxRuntime !== undefined) out.maxRuntime = o.maxRuntime;
  if (o.memoryLimit !== undefined) out.memoryLimit = o.memoryLimit;
  if (o.failOnWarning !== undefined) out.failOnWarning = o.failOnWarning;
  if (o.maxWarningCount !== undefined) out.maxWarningCount = o.maxWarningCount;
  return out;
}
