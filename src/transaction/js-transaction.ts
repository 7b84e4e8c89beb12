import vm from 'node:vm';
import { prepareQuery } from '../aql/index.ts';
import { ArangoError, isArangoError } from '../errors/index.ts';
import { GuardedDataSource, requireAccess, type AccessSnapshot } from '../query/index.ts';
import { isPlainObject, type Collection, type StorageEngine } from '../storage/index.ts';
import type { StreamTransaction } from './stream-transaction.ts';
import { TransactionDataSource } from './transaction-data-source.ts';

/** How long a JavaScript transaction's action may run before it is stopped (and rolled back). */
export const JS_TRANSACTION_TIMEOUT_MS = 30_000;

/**
 * The `@arangodb` module of a transaction action, built inside the sandbox so that no host
 * object (whose constructor would lead back to the host realm) is ever reachable from user
 * code. `h` is the only host function: it takes and returns JSON text and never throws.
 */
const BOOTSTRAP = `(function (h) {
  delete globalThis.__host;
  const call = (op, args) => {
    const r = JSON.parse(h(op, JSON.stringify(args)));
    if (r.error) { const e = new Error(r.errorMessage); e.errorNum = r.errorNum; e.code = r.code; throw e; }
    return r.value;
  };
  const collection = (name) => (call('lookup', [name]), {
    name: () => name,
    save: (doc, opts) => call('insert', [name, doc, opts]),
    insert: (doc, opts) => call('insert', [name, doc, opts]),
    document: (key) => call('document', [name, key]),
    exists: (key) => { try { call('document', [name, key]); return true; } catch (e) { if (e.errorNum === 1202) return false; throw e; } },
    update: (key, patch, opts) => call('update', [name, key, patch, opts]),
    replace: (key, doc, opts) => call('replace', [name, key, doc, opts]),
    remove: (key, opts) => call('remove', [name, key, opts]),
    count: () => call('count', [name]),
    toArray: () => call('all', [name]),
  });
  const keyOf = (k) => (typeof k === 'object' && k !== null ? (k._key ?? String(k._id).split('/')[1]) : String(k).includes('/') ? String(k).split('/')[1] : k);
  const wrap = (c) => ({ ...c, document: (k) => c.document(keyOf(k)), update: (k, p, o) => c.update(keyOf(k), p, o), replace: (k, d, o) => c.replace(keyOf(k), d, o), remove: (k, o) => c.remove(keyOf(k), o), exists: (k) => c.exists(keyOf(k)) });
  const query = (q, bindVars) => {
    const text = typeof q === 'object' && q !== null ? q.query : q;
    const vars = typeof q === 'object' && q !== null ? q.bindVars : bindVars;
    const rows = call('query', [text, vars ?? {}]);
    let i = 0;
    return { toArray: () => rows, next: () => rows[i++], hasNext: () => i < rows.length, count: () => rows.length };
  };
  const db = new Proxy({ _collection: (n) => wrap(collection(n)), _query: query }, {
    get: (t, p) => (p in t ? t[p] : typeof p === 'string' && !p.startsWith('_') ? wrap(collection(p)) : undefined),
  });
  const aql = (strings, ...values) => {
    let query = strings[0]; const bindVars = {};
    values.forEach((v, i) => { bindVars['value' + i] = v; query += '@value' + i + strings[i + 1]; });
    return { query, bindVars };
  };
  const modules = { '@arangodb': { db, aql, errors: {} } };
  globalThis.require = (m) => { if (m in modules) return modules[m]; throw new Error("cannot locate module '" + m + "'"); };
})(globalThis.__host);`;

/**
 * Runs a JavaScript transaction's `action` (source of a function taking `params`) inside a
 * stream transaction: synchronously, in a vm sandbox with only `require('@arangodb')`, with a
 * time limit. Returns the action's result (as JSON). The caller commits when this returns and
 * aborts when it throws; a thrown error keeps its errorNum when it came from the database.
 *
 * `access` is the caller's (`accessSnapshot`), checked on every collection the action reaches,
 * declared or not, as the document API and AQL check it: `ro` to look up, read, count or query,
 * `rw` to write, else 403 / errorNum 11. Secret collections are `none` for everyone but the server.
 */
export function runTransactionAction(engine: StorageEngine, trx: StreamTransaction, action: string, params: unknown, access: AccessSnapshot): unknown {
  const source = new GuardedDataSource(new TransactionDataSource(engine, trx), access);
  // the database error last reported into the sandbox: rethrown as is when the action lets it escape
  let lastError: unknown;
  let lastErrorNum: number | undefined;
  const host = (op: string, argsJson: string): string => {
    try {
      const args = JSON.parse(argsJson) as unknown[];
      return JSON.stringify({ value: hostCall(engine, trx, source, access, op, args) ?? null });
    } catch (err) {
      if (isArangoError(err)) {
        lastError = err;
        lastErrorNum = err.errorNum;
        return JSON.stringify({ error: true, errorNum: err.errorNum, code: err.httpStatus, errorMessage: err.message });
      }
      return JSON.stringify({ error: true, errorNum: 1650, code: 500, errorMessage: err instanceof Error ? err.message : String(err) });
    }
  };
  // a null-prototype global: `this.constructor` inside the action must not lead to the host's Function
  // (which would compile `return process` in the host realm); its own microtask queue runs under the time limit
  const sandbox = vm.createContext(Object.create(null) as object, { codeGeneration: { strings: false, wasm: false }, microtaskMode: 'afterEvaluate' });
  (sandbox as Record<string, unknown>)['__host'] = host;
  new vm.Script(BOOTSTRAP).runInContext(sandbox);
  (sandbox as Record<string, unknown>)['__params'] = JSON.stringify(params ?? null);
  let out: unknown;
  try {
    out = new vm.Script(`JSON.stringify((${action})(JSON.parse(__params)) ?? null)`).runInContext(sandbox, { timeout: JS_TRANSACTION_TIMEOUT_MS });
  } catch (err) {
    const e = err as { errorNum?: unknown; message?: unknown };
    if (lastErrorNum !== undefined && e.errorNum === lastErrorNum) throw lastError;
    throw new ArangoError('ERROR_TRANSACTION_INTERNAL', typeof e.message === 'string' ? e.message : String(err));
  }
  return typeof out === 'string' ? (JSON.parse(out) as unknown) : null;
}

function hostCall(engine: StorageEngine, trx: StreamTransaction, source: GuardedDataSource, access: AccessSnapshot, op: string, args: unknown[]): unknown {
  const name = String(args[0]);
  const opts = isPlainObject(args[3]) ? args[3] : isPlainObject(args[2]) && (op === 'insert' || op === 'remove') ? args[2] : {};
  const w = { returnNew: opts['returnNew'] === true, returnOld: opts['returnOld'] === true, keepNull: opts['keepNull'] !== false, mergeObjects: opts['mergeObjects'] !== false };
  // checked on the collection's own name, whether the action named it or gave its id
  const readable = (): Collection => {
    const c = trx.readable(name);
    requireAccess(access, c.name, 'ro');
    return c;
  };
  const writable = (): Collection => {
    const c = trx.writable(name);
    requireAccess(access, c.name, 'rw');
    return c;
  };
  switch (op) {
    case 'lookup': {
      // db._collection(name): an unknown name fails on first use, as before
      const c = engine.findCollection(trx.database, name);
      if (c) requireAccess(access, c.name, 'ro');
      return null;
    }
    case 'insert':
      return trx.insert(writable(), args[1], w);
    case 'document': {
      const d = trx.get(readable(), String(args[1]));
      if (!d) throw new ArangoError('ERROR_ARANGO_DOCUMENT_NOT_FOUND');
      return d;
    }
    case 'update':
      return trx.update(writable(), String(args[1]), args[2], w);
    case 'replace':
      return trx.replace(writable(), String(args[1]), args[2], w);
    case 'remove':
      return trx.remove(writable(), String(args[1]), w);
    case 'count':
      return trx.count(readable());
    case 'all':
      return [...trx.all(readable())];
    case 'query': {
      const bindVars = isPlainObject(args[1]) ? args[1] : {};
      // as the cursor API inside a transaction: the plan's collections up front, the rest as reached
      const prepared = prepareQuery(name, bindVars, source, {}, { database: trx.database });
      for (const c of prepared.collections.read) requireAccess(access, c, 'ro');
      for (const c of prepared.collections.write) requireAccess(access, c, 'rw');
      return prepared.execute().all();
    }
    default:
      throw new ArangoError('ERROR_BAD_PARAMETER', `unknown operation ${op}`);
  }
}
