import { ArangoError, ERRORS } from '../../errors/index.ts';
import type { SyncCall } from './sync-call.ts';

type Doc = Record<string, unknown>;

/** A query as the `aql` tag builds it. */
export interface AqlQuery {
  readonly query: string;
  readonly bindVars: Record<string, unknown>;
}

const AQL_BRAND = Symbol.for('kitsune.aql');

function isAqlQuery(x: unknown): x is AqlQuery {
  return typeof x === 'object' && x !== null && typeof (x as AqlQuery).query === 'string' && typeof (x as AqlQuery).bindVars === 'object';
}

/** A cursor over a fully fetched result (`toArray`, `next`, `hasNext`, `count`, `getExtra`). */
export class ArrayCursor {
  readonly #items: unknown[];
  readonly #extra: unknown;
  #pos = 0;
  constructor(items: unknown[], extra: unknown = { stats: {}, warnings: [] }) {
    this.#items = items;
    this.#extra = extra;
  }
  toArray(): unknown[] {
    const rest = this.#items.slice(this.#pos);
    this.#pos = this.#items.length;
    return rest;
  }
  hasNext(): boolean {
    return this.#pos < this.#items.length;
  }
  next(): unknown {
    return this.hasNext() ? this.#items[this.#pos++] : undefined;
  }
  count(): number {
    return this.#items.length;
  }
  getExtra(): unknown {
    return this.#extra;
  }
  dispose(): void {
    this.#pos = this.#items.length;
  }
}

/** The `aql` template tag: values become bind parameters, collections `@@valueN` (spec §4.8). */
export function createAqlTag(): ((strings: TemplateStringsArray, ...values: unknown[]) => AqlQuery) & { literal: (s: unknown) => unknown; join: (parts: unknown[], sep?: string) => AqlQuery } {
  const build = (strings: readonly string[], values: readonly unknown[]): AqlQuery => {
    let query = strings[0] ?? '';
    const bindVars: Record<string, unknown> = {};
    const known = new Map<unknown, string>();
    values.forEach((value, i) => {
      const next = strings[i + 1] ?? '';
      if (isAqlQuery(value)) {
        let sub = value.query;
        for (const [name, v] of Object.entries(value.bindVars)) {
          const isColl = name.startsWith('@');
          const base = isColl ? name.slice(1) : name;
          let fresh = base;
          let n = 0;
          while (Object.hasOwn(bindVars, isColl ? `@${fresh}` : fresh) && bindVars[isColl ? `@${fresh}` : fresh] !== v) fresh = `${base}_${++n}`;
          bindVars[isColl ? `@${fresh}` : fresh] = v;
          if (fresh !== base) sub = sub.replace(new RegExp(`@${isColl ? '@' : ''}${base}\\b`, 'g'), `@${isColl ? '@' : ''}${fresh}`);
        }
        query += sub + next;
        return;
      }
      if (typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[AQL_BRAND] === true) {
        query += String((value as { value: unknown }).value) + next;
        return;
      }
      const isCollection = typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'function' && typeof (value as { save?: unknown }).save === 'function';
      const bound = isCollection ? (value as { name: () => string }).name() : value;
      let name = known.get(bound);
      if (name === undefined) {
        name = isCollection ? `@value${known.size}` : `value${known.size}`;
        known.set(bound, name);
        bindVars[name] = bound;
      }
      query += `@${name}${next}`;
    });
    return { query, bindVars };
  };
  const tag = (strings: TemplateStringsArray, ...values: unknown[]): AqlQuery => build(strings, values);
  return Object.assign(tag, {
    literal: (s: unknown) => ({ [AQL_BRAND]: true, value: s === undefined || s === null ? '' : String(s) }),
    join: (parts: unknown[], sep = ' '): AqlQuery => {
      if (parts.length === 0) return { query: '', bindVars: {} };
      const strings = ['', ...parts.slice(1).map(() => sep), ''];
      return build(strings, parts);
    },
  });
}

/** The key of a document selector: a key, an `_id`, or a document with `_key`/`_id`; 1205 otherwise. */
export function keyOf(selector: unknown): string {
  if (typeof selector === 'string') {
    const slash = selector.indexOf('/');
    return slash === -1 ? selector : selector.slice(slash + 1);
  }
  if (typeof selector === 'object' && selector !== null) {
    const s = selector as Doc;
    if (typeof s._key === 'string') return s._key;
    if (typeof s._id === 'string') return keyOf(s._id);
  }
  throw new ArangoError('ERROR_ARANGO_DOCUMENT_HANDLE_BAD');
}

/** A collection as `@arangodb`'s `db._collection()` returns it: every method blocks until done. */
/** Direct read access to a collection's documents (lmdb opened in the worker), when available. */
export type DocumentReader = (collectionId: string, key: string) => Uint8Array | undefined;

export class ArangoCollection {
  readonly #call: SyncCall;
  readonly #read: (() => DocumentReader | undefined) | undefined;
  readonly #id: string | undefined;
  readonly #db: string;
  readonly #name: string;
  readonly #type: number;
  constructor(call: SyncCall, db: string, name: string, type: number, id?: string, read?: () => DocumentReader | undefined) {
    this.#call = call;
    this.#id = id;
    this.#read = read;
    this.#db = db;
    this.#name = name;
    this.#type = type;
  }
  name(): string {
    return this.#name;
  }
  type(): number {
    return this.#type;
  }
  #op(op: string, args: Record<string, unknown> = {}): unknown {
    return this.#call(op, this.#db, { collection: this.#name, ...args });
  }
  save(doc: unknown, opts: Doc = {}): unknown {
    if (Array.isArray(doc)) return doc.map((d) => this.save(d, opts));
    return this.#op('doc.insert', { doc: plain(doc), opts });
  }
  insert(doc: unknown, opts: Doc = {}): unknown {
    return this.save(doc, opts);
  }
  document(selector: unknown): unknown {
    if (Array.isArray(selector)) return selector.map((s) => this.document(s));
    const key = keyOf(selector);
    // Reads come straight from lmdb in this thread (a committed snapshot); only a miss asks the
    // main thread, which also tells a missing document from a dropped collection.
    const reader = this.#id === undefined ? undefined : this.#read?.();
    const raw = reader?.(this.#id ?? '', key);
    if (raw !== undefined) return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')) as unknown;
    return this.#op('doc.get', { key });
  }
  exists(selector: unknown): unknown {
    return this.#op('doc.exists', { key: keyOf(selector) });
  }
  update(selector: unknown, patch: unknown, opts: Doc = {}): unknown {
    return this.#op('doc.update', { key: keyOf(selector), doc: plain(patch), opts });
  }
  replace(selector: unknown, doc: unknown, opts: Doc = {}): unknown {
    return this.#op('doc.replace', { key: keyOf(selector), doc: plain(doc), opts });
  }
  remove(selector: unknown, opts: Doc = {}): unknown {
    return this.#op('doc.remove', { key: keyOf(selector), opts });
  }
  all(): ArrayCursor {
    return new ArrayCursor(this.#op('doc.all') as unknown[]);
  }
  toArray(): unknown[] {
    return this.all().toArray();
  }
  byExample(example: unknown): ArrayCursor {
    return new ArrayCursor(this.#op('doc.byExample', { example: plain(example) }) as unknown[]);
  }
  firstExample(example: unknown): unknown {
    return (this.#op('doc.byExample', { example: plain(example), limit: 1 }) as unknown[])[0] ?? null;
  }
  removeByExample(example: unknown): number {
    const docs = this.byExample(example).toArray() as Doc[];
    for (const d of docs) this.remove(d);
    return docs.length;
  }
  count(): number {
    return this.#op('coll.count') as number;
  }
  truncate(): void {
    this.#op('coll.truncate');
  }
  drop(): void {
    this.#call('coll.drop', this.#db, { name: this.#name });
  }
  ensureIndex(def: Doc): unknown {
    return this.#op('coll.ensureIndex', { def: plain(def) });
  }
}

function plain(x: unknown): unknown {
  // Values from a vm context are structured-clonable except functions; JSON keeps documents' shape.
  return x === undefined ? undefined : JSON.parse(JSON.stringify(x)) as unknown;
}

const moduleCalls = new WeakMap<object, SyncCall>();

/** The `db` call of an `@arangodb` module (it names the open `db._executeTransaction`, if any). */
export function callOfModule(mod: object): SyncCall | undefined {
  return moduleCalls.get(mod);
}

/**
 * Builds `require('@arangodb')` for one database. `inTransaction`: the id of a transaction every
 * call joins from the start (a JavaScript transaction's action; `_executeTransaction` is then nested).
 */
export function createArangodbModule(host: SyncCall, database: string, direct?: () => DocumentReader | undefined, inTransaction?: string): Record<string, unknown> {
  // inside `db._executeTransaction` every call names the transaction, and reads skip the direct
  // lmdb path (they must see the transaction's snapshot and own writes)
  let trxId: string | undefined = inTransaction;
  const call: SyncCall = (op, db, args) => host(op, db, trxId === undefined ? args : { ...args, trx: trxId });
  const read = direct === undefined ? undefined : (): DocumentReader | undefined => (trxId === undefined ? direct() : undefined);
  const executeTransaction = (spec: unknown): unknown => {
    if (typeof spec !== 'object' || spec === null) throw new ArangoError('ERROR_BAD_PARAMETER', 'missing transaction description');
    const s = spec as Doc;
    const action = s.action;
    // a string action would need eval, which the service realm does not allow
    if (typeof action !== 'function') throw new ArangoError('ERROR_BAD_PARAMETER', 'action must be a function');
    const run = (): unknown => (action as (params: unknown) => unknown).call(undefined, s.params);
    if (trxId !== undefined) return run(); // nested: part of the outer transaction
    const { collections, waitForSync, maxTransactionSize } = s;
    trxId = host('trx.begin', database, { collections: plain(collections ?? {}), waitForSync: waitForSync === true, maxTransactionSize }) as string;
    const id = trxId;
    let result: unknown;
    try {
      result = run();
    } catch (err) {
      trxId = undefined;
      try {
        host('trx.abort', database, { id });
      } catch {
        // already gone (expired): nothing of it was committed either way
      }
      throw err;
    }
    trxId = undefined;
    host('trx.commit', database, { id });
    return result;
  };
  const cache = new Map<string, ArangoCollection>();
  const collection = (name: unknown): ArangoCollection | null => {
    if (typeof name !== 'string') return null;
    const info = call('coll.info', database, { name }) as { name: string; type: number; id?: string } | null;
    if (info === null) {
      cache.delete(name);
      return null;
    }
    let c = cache.get(info.name);
    if (c === undefined) {
      c = new ArangoCollection(call, database, info.name, info.type, info.id, read);
      cache.set(info.name, c);
    }
    return c;
  };
  const create = (name: string, props: Doc = {}, type?: string | number): ArangoCollection => {
    const t = type === 'edge' || type === 3 || props.type === 3 || props.type === 'edge' ? 3 : 2;
    call('coll.create', database, { name, type: t });
    const c = collection(name);
    if (c === null) throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND');
    return c;
  };
  const runQuery = (query: unknown, bindVars?: unknown, options?: unknown): ArrayCursor => {
    let q = query;
    let b = bindVars;
    if (isAqlQuery(q)) {
      b = { ...q.bindVars, ...(typeof bindVars === 'object' && bindVars !== null ? (bindVars as Doc) : {}) };
      q = q.query;
    } else if (typeof q === 'object' && q !== null && typeof (q as Doc).query === 'string') {
      const o = q as Doc;
      b = o.bindVars;
      q = o.query;
    }
    const result = call('query', database, { query: q, bindVars: b ?? {}, options: options ?? {} }) as { result: unknown[]; extra: unknown };
    return new ArrayCursor(result.result, result.extra);
  };
  const target: Doc = {
    _name: () => database,
    _id: () => database,
    _collection: collection,
    _collections: () => (call('coll.list', database) as string[]).map((n) => collection(n)),
    _create: (name: string, props?: Doc, type?: string) => create(name, props, type),
    _createDocumentCollection: (name: string, props?: Doc) => create(name, props, 'document'),
    _createEdgeCollection: (name: string, props?: Doc) => create(name, props, 'edge'),
    _drop: (name: unknown) => {
      const n = typeof name === 'string' ? name : name instanceof ArangoCollection ? name.name() : String(name);
      cache.delete(n);
      call('coll.drop', database, { name: n });
    },
    _exists: (id: string) => {
      const slash = id.indexOf('/');
      const c = collection(id.slice(0, slash));
      return c === null ? false : c.exists(id.slice(slash + 1));
    },
    _document: (id: string) => {
      const slash = id.indexOf('/');
      const c = collection(id.slice(0, slash));
      if (c === null) throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND');
      return c.document(id.slice(slash + 1));
    },
    _query: runQuery,
    _executeTransaction: executeTransaction,
    _version: () => '3.12.0',
  };
  const db = new Proxy(target, {
    get(t, prop) {
      if (typeof prop !== 'string' || Object.hasOwn(t, prop)) return Reflect.get(t, prop) as unknown;
      if (prop.startsWith('_') && prop !== '_apps' && prop !== '_jobs' && prop !== '_queues') return undefined;
      return collection(prop) ?? undefined;
    },
  });
  const aql = createAqlTag();
  const errors: Record<string, { code: number; message: string }> = {};
  for (const [name, entry] of Object.entries(ERRORS)) errors[name] = { code: entry.errorNum, message: entry.message };
  const query = (stringsOrOptions: unknown, ...values: unknown[]): unknown => {
    if (Array.isArray(stringsOrOptions) && Object.hasOwn(stringsOrOptions, 'raw')) {
      return runQuery(aql(stringsOrOptions as unknown as TemplateStringsArray, ...values));
    }
    const options = stringsOrOptions;
    return (strings: TemplateStringsArray, ...vals: unknown[]) => runQuery(aql(strings, ...vals), undefined, options);
  };
  const mod = { db, aql, query, errors, time: () => Date.now() / 1000, ArangoError, isArangoError: (e: unknown) => typeof e === 'object' && e !== null && (e as Doc).isArangoError === true };
  moduleCalls.set(mod, call);
  return mod;
}
