import { ArangoError } from '../errors/index.ts';
import { runQuery, type QueryService, type RunOptions } from '../query/index.ts';
import { catalog, DOCUMENT_COLLECTION, EDGE_COLLECTION, isPlainObject, type StorageEngine, type WriteOptions } from '../storage/index.ts';
import { TransactionDataSource, type StreamTransaction, type TransactionManager } from '../transaction/index.ts';
import { handleGraphCall } from './db-host-graph.ts';
import { handleTransactionCall, runInTransaction, TRANSACTIONAL_OPS } from './db-host-trx.ts';
import type { HostCall } from './runtime/protocol.ts';

type Args = Readonly<Record<string, unknown>>;

function str(args: Args, name: string): string {
  const v = args[name];
  if (typeof v !== 'string') throw new ArangoError('ERROR_BAD_PARAMETER', `${name} must be a string`);
  return v;
}

/** A service's write options (`{waitForSync, keepNull, overwrite, rev, …}`) as the storage takes them. */
export function writeOptions(x: unknown): WriteOptions {
  const o = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
  const out: { -readonly [K in keyof WriteOptions]: WriteOptions[K] } = {};
  if (typeof o.waitForSync === 'boolean') out.waitForSync = o.waitForSync;
  if (typeof o.keepNull === 'boolean') out.keepNull = o.keepNull;
  if (typeof o.mergeObjects === 'boolean') out.mergeObjects = o.mergeObjects;
  if (typeof o.returnNew === 'boolean') out.returnNew = o.returnNew;
  if (typeof o.returnOld === 'boolean') out.returnOld = o.returnOld;
  if (o.overwrite === true) out.overwriteMode = 'replace';
  if (o.overwriteMode === 'ignore' || o.overwriteMode === 'replace' || o.overwriteMode === 'update' || o.overwriteMode === 'conflict') out.overwriteMode = o.overwriteMode;
  out.ignoreRevs = o.overwrite === true || o.ignoreRevs !== false;
  if (typeof o.rev === 'string') {
    out.expectedRev = o.rev;
    out.ignoreRevs = false;
  }
  return out;
}

/** `byExample`: every path of `example` has its value in `doc`. */
export function matches(doc: Record<string, unknown>, example: Record<string, unknown>): boolean {
  for (const [path, want] of Object.entries(example)) {
    let cur: unknown = doc;
    for (const part of path.split('.')) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[part] : undefined;
    if (typeof want === 'object' && want !== null) {
      if (typeof cur !== 'object' || cur === null || !matches(cur as Record<string, unknown>, want as Record<string, unknown>)) return false;
    } else if (cur !== want) return false;
  }
  return true;
}

/**
 * Runs an AQL query for a service (`db._query`); services act with full rights on their database.
 * With the server's query service, read queries run in its worker pool like clients' queries (the
 * main thread keeps serving while a service's query runs; limits and kill apply).
 */
async function runAql(engine: StorageEngine, database: string, args: Args, queries: QueryService | undefined, trx?: StreamTransaction): Promise<unknown> {
  const bindVars = isPlainObject(args.bindVars) ? args.bindVars : {};
  const options = isPlainObject(args.options) ? args.options : {};
  const query = str(args, 'query');
  const caller = { user: 'root', isAdmin: true, level: () => 'rw' as const };
  if (trx !== undefined) {
    if (!queries) throw new ArangoError('ERROR_NOT_IMPLEMENTED', 'AQL inside a transaction needs the query service');
    // reads see the transaction's snapshot and own writes; a failing query undoes only its own writes
    const source = new TransactionDataSource(engine, trx);
    const { running, rows } = await queries.start(database, query, bindVars, runOptionsOf(options), caller, Number.POSITIVE_INFINITY, { source, atomically: (fn) => trx.atomically(fn) });
    return { result: rows, extra: running.extra };
  }
  const r = queries
    ? await queries.run(database, query, bindVars, runOptionsOf(options), caller)
    : await runQuery(engine, database, query, bindVars, runOptionsOf(options), { user: 'root' });
  return { result: r.result, extra: r.extra };
}

export function runOptionsOf(o: Record<string, unknown>): RunOptions {
  const out: { -readonly [K in keyof RunOptions]: RunOptions[K] } = {};
  if (typeof o['fullCount'] === 'boolean') out.fullCount = o['fullCount'];
  if (typeof o['maxRuntime'] === 'number') out.maxRuntime = o['maxRuntime'];
  if (typeof o['memoryLimit'] === 'number') out.memoryLimit = o['memoryLimit'];
  if (typeof o['failOnWarning'] === 'boolean') out.failOnWarning = o['failOnWarning'];
  return out;
}

/**
 * Main-thread side of the services' synchronous `@arangodb` API: collection and document
 * operations (writes through `StorageEngine.write`, so the operation log keeps commit order and
 * each acknowledged write is durable), DDL through `catalog`, and AQL through the server's query service.
 */
export async function handleDbCall(engine: StorageEngine, call: HostCall, queries?: QueryService, transactions?: TransactionManager): Promise<unknown> {
  const { database, args } = call;
  if (call.op.startsWith('graph.')) return handleGraphCall(engine, call, writeOptions);
  if (call.op.startsWith('trx.')) {
    if (!transactions) throw new ArangoError('ERROR_NOT_IMPLEMENTED', 'transactions are not available here');
    return handleTransactionCall(transactions, call);
  }
  // inside `db._executeTransaction`: document, count and AQL calls run in the service's transaction
  const trxId = args['trx'];
  if (typeof trxId === 'string' && (TRANSACTIONAL_OPS.has(call.op) || call.op === 'query')) {
    if (!transactions) throw new ArangoError('ERROR_TRANSACTION_NOT_FOUND');
    return transactions.within(database, trxId, (trx) =>
      call.op === 'query' ? runAql(engine, database, args, queries, trx) : runInTransaction(trx, call, { writeOptions, matches }),
    );
  }
  if (typeof trxId === 'string' && call.op.startsWith('coll.') && call.op !== 'coll.info' && call.op !== 'coll.list') {
    // DDL cannot be undone with the transaction: refused rather than applied outside it
    throw new ArangoError('ERROR_TRANSACTION_DISALLOWED_OPERATION', `${call.op} cannot run inside db._executeTransaction`);
  }
  const coll = () => engine.collection(database, str(args, 'collection'));
  switch (call.op) {
    case 'coll.info': {
      const c = engine.findCollection(database, str(args, 'name'));
      return c === undefined ? null : { name: c.name, type: c.definition.type, id: c.definition.id };
    }
    case 'coll.list':
      return engine.collections(database).map((c) => c.name);
    case 'coll.create': {
      const c = await catalog.createCollection(engine, database, str(args, 'name'), { type: args.type === EDGE_COLLECTION ? EDGE_COLLECTION : DOCUMENT_COLLECTION });
      return { name: c.name, type: c.definition.type };
    }
    case 'coll.drop':
      await catalog.dropCollection(engine, database, str(args, 'name'), str(args, 'name').startsWith('_'));
      return null;
    case 'coll.count':
      return coll().count();
    case 'coll.truncate':
      await catalog.truncateCollection(engine, database, str(args, 'collection'));
      return null;
    case 'coll.ensureIndex': {
      const def = (args.def ?? {}) as { type?: string; fields?: string[]; unique?: boolean; sparse?: boolean; name?: string };
      // the whole definition as `body`: geoJson, expireAfter, minLength … of the other index types
      const body = isPlainObject(args.def) ? args.def : undefined;
      await catalog.createIndex(engine, database, str(args, 'collection'), { type: def.type ?? 'persistent', fields: def.fields ?? [], unique: def.unique === true, sparse: def.sparse === true, ...(def.name === undefined ? {} : { name: def.name }), ...(body === undefined ? {} : { body }) } as Parameters<typeof catalog.createIndex>[3]);
      return null;
    }
    case 'doc.get': {
      const doc = coll().get(str(args, 'key'));
      if (doc === undefined) throw new ArangoError('ERROR_ARANGO_DOCUMENT_NOT_FOUND');
      return doc;
    }
    case 'doc.exists': {
      const doc = coll().get(str(args, 'key'));
      return doc === undefined ? false : { _id: doc._id, _key: doc._key, _rev: doc._rev };
    }
    case 'doc.insert': {
      const c = coll();
      return engine.write((tx) => c.insert(tx, args.doc, writeOptions(args.opts)));
    }
    case 'doc.update': {
      const c = coll();
      return engine.write((tx) => c.update(tx, str(args, 'key'), args.doc, writeOptions(args.opts)));
    }
    case 'doc.replace': {
      const c = coll();
      return engine.write((tx) => c.replace(tx, str(args, 'key'), args.doc, writeOptions(args.opts)));
    }
    case 'doc.remove': {
      const c = coll();
      return engine.write((tx) => c.remove(tx, str(args, 'key'), writeOptions(args.opts)));
    }
    case 'doc.all':
      return [...coll().all()];
    case 'doc.byExample': {
      const example = (args.example ?? {}) as Record<string, unknown>;
      const limit = typeof args.limit === 'number' ? args.limit : Infinity;
      const out: unknown[] = [];
      for (const doc of coll().all()) {
        if (out.length >= limit) break;
        if (matches(doc, example)) out.push(doc);
      }
      return out;
    }
    case 'query':
      return runAql(engine, database, args, queries);
    default:
      throw new ArangoError('ERROR_NOT_IMPLEMENTED', `unknown host call ${call.op}`);
  }
}
