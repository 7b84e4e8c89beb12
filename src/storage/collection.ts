import type { Database, RootDatabase, Transaction } from 'lmdb';
import { entryCount } from './lmdb-stats.ts';
import { ArangoError } from '../errors/index.ts';
import { isPlainObject, mergePatch } from './document-merge.ts';
import { indexKey, indexValues, type IndexKeyPart } from './index-codec.ts';
import { derivedEntries, isStoredIndex } from './index-entries.ts';
import { checkSchema } from './document-schema.ts';
import { assertValidKey, encodeRevision, generateKey, isValidCollectionName, isValidKey } from './keys.ts';
import {
  EDGE_COLLECTION,
  LOG_DOCUMENT,
  LOG_REMOVE,
  type CollectionDefinition,
  type Document,
  type IndexDefinition,
  type LogEntry,
  type WriteOptions,
  type WriteResult,
} from './types.ts';

/** What a document write needs from the surrounding transaction. */
export interface WriteContext {
  /** A fresh tick, strictly greater than every tick handed out before. */
  nextTick(): number;
  /** Appends to the operation log in the same transaction. */
  log(entry: LogEntry): void;
  /** Persists a changed collection definition (autoincrement counter) in the same transaction. */
  saveDefinition(def: CollectionDefinition): void;
}

const EMPTY = '';
const SYSTEM_ATTRIBUTES = new Set(['_key', '_id', '_rev', '_from', '_to']);
/** Largest document we accept, in bytes of JSON. */
export const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

/**
 * Name of one lmdb sub-database of a collection. A truncate moves the collection to a new
 * `generation` (fresh, empty sub-databases) and frees the old ones in the background, so its cost
 * does not depend on the collection's size (see SpaceReclaimer).
 */
export function subDbName(def: CollectionDefinition, kind: 'doc' | 'from' | 'to' | 'idx', id: string = def.id): string {
  const gen = def.generation ?? 0;
  return gen === 0 ? `${kind}:${id}` : `${kind}:${id}.${gen}`;
}

/** Names of the lmdb sub-databases that hold a collection's data. */
export function collectionDbNames(def: CollectionDefinition): string[] {
  const names = [subDbName(def, 'doc')];
  if (def.type === EDGE_COLLECTION) names.push(subDbName(def, 'from'), subDbName(def, 'to'));
  for (const ix of def.indexes) if (isStoredIndex(ix)) names.push(subDbName(def, 'idx', ix.id));
  return names;
}

type IndexDb = Database<string, IndexKeyPart[]>;
interface Handles {
  readonly docs: Database<Buffer, string>;
  readonly from: IndexDb | undefined;
  readonly to: IndexDb | undefined;
  readonly indexes: Map<string, IndexDb>;
}

/**
 * One collection: its documents (JSON bytes keyed by `_key`), edge index, persistent indexes,
 * and the document operations with ArangoDB's semantics. Writes run inside a transaction the
 * caller opened; every check happens before the first write, so a thrown error changes nothing.
 */
export class Collection {
  #def: CollectionDefinition;
  readonly #env: RootDatabase;
  docs: Database<Buffer, string>;
  #from: IndexDb | undefined;
  #to: IndexDb | undefined;
  #indexDbs: Map<string, IndexDb>;

  constructor(env: RootDatabase, def: CollectionDefinition) {
    this.#env = env;
    this.#def = def;
    const h = this.#open(def);
    this.docs = h.docs;
    this.#from = h.from;
    this.#to = h.to;
    this.#indexDbs = h.indexes;
  }

  /** Opens (creating when missing) the sub-databases of one generation of the collection. */
  #open(def: CollectionDefinition): Handles {
    const edge = def.type === EDGE_COLLECTION;
    const indexes = new Map<string, IndexDb>();
    for (const ix of def.indexes) if (isStoredIndex(ix)) indexes.set(ix.id, this.#env.openDB<string, IndexKeyPart[]>(subDbName(def, 'idx', ix.id), {}));
    return {
      docs: this.#env.openDB<Buffer, string>(subDbName(def, 'doc'), { encoding: 'binary' }),
      from: edge ? this.#env.openDB<string, IndexKeyPart[]>(subDbName(def, 'from'), {}) : undefined,
      to: edge ? this.#env.openDB<string, IndexKeyPart[]>(subDbName(def, 'to'), {}) : undefined,
      indexes,
    };
  }

  get definition(): CollectionDefinition {
    return this.#def;
  }

  get name(): string {
    return this.#def.name;
  }

  /**
   * Replaces the cached definition after a committed DDL change. A definition of another
   * generation (truncate) switches every handle to that generation's sub-databases; all of them
   * are opened before any is switched, so a failure leaves the collection as it was.
   */
  setDefinition(def: CollectionDefinition): void {
    if ((def.generation ?? 0) !== (this.#def.generation ?? 0)) {
      const h = this.#open(def);
      this.docs = h.docs;
      this.#from = h.from;
      this.#to = h.to;
      this.#indexDbs = h.indexes;
    }
    this.#def = def;
    for (const ix of def.indexes) if (isStoredIndex(ix) && !this.#indexDbs.has(ix.id)) this.#openIndex(ix);
  }

  #openIndex(ix: IndexDefinition): IndexDb {
    const db = this.#env.openDB<string, IndexKeyPart[]>(subDbName(this.#def, 'idx', ix.id), {});
    this.#indexDbs.set(ix.id, db);
    return db;
  }

  /** The stored JSON bytes of a document, or undefined. */
  getRaw(key: string): Buffer | undefined {
    return this.docs.getBinary(key) ?? undefined;
  }

  /** A document by key, or undefined. */
  get(key: string): Document | undefined {
    // getBinaryFast: a view of lmdb's shared read buffer, valid until the next read; it is decoded
    // right here, so nothing keeps it (saves a Buffer allocation per document read)
    const raw = this.docs.getBinaryFast(key);
    return raw ? (JSON.parse(raw.toString('utf8')) as Document) : undefined;
  }

  /** The JSON bytes of a document as of a read snapshot (stream transactions), or undefined. */
  getRawAt(key: string, snapshot: Transaction): Buffer | undefined {
    return this.docs.get(key, { transaction: snapshot }) ?? undefined;
  }

  /** Number of documents as of a read snapshot (O(n): only stream transactions use it). */
  countAt(snapshot: Transaction): number {
    return this.docs.getKeysCount({ transaction: snapshot });
  }

  /** All documents as of a read snapshot, in key order. */
  *allAt(snapshot: Transaction): Generator<Document> {
    for (const { value } of this.docs.getRange({ transaction: snapshot })) yield JSON.parse(value.toString('utf8')) as Document;
  }

  /** Number of documents (O(1)). */
  count(): number {
    return entryCount(this.docs);
  }

  /** Lazily iterates all documents in key order. */
  *all(): Generator<Document> {
    for (const { value } of this.docs.getRange({})) yield JSON.parse(value.toString('utf8')) as Document;
  }

  /** Keys of edges whose `_from` (outbound) or `_to` (inbound) is `vertexId`. */
  *edgeKeys(vertexId: string, direction: 'out' | 'in', snapshot?: Transaction): Generator<string> {
    const db = direction === 'out' ? this.#from : this.#to;
    if (!db) return;
    const range: { start: IndexKeyPart[]; end: IndexKeyPart[]; transaction?: Transaction } = { start: [vertexId], end: [vertexId, '\uffff'] };
    if (snapshot) range.transaction = snapshot;
    for (const k of db.getKeys(range)) {
      const key = k[1];
      if (typeof key === 'string') yield key;
    }
  }

  /** Document keys from a persistent index between two encoded bounds, in index order. */
  *indexScan(
    indexId: string,
    range: { start?: IndexKeyPart[]; end?: IndexKeyPart[]; reverse?: boolean; limit?: number },
    snapshot?: Transaction,
  ): Generator<string> {
    const ix = this.#def.indexes.find((i) => i.id === indexId);
    const db = this.#indexDbs.get(indexId);
    if (!ix || !db) throw new ArangoError('ERROR_ARANGO_INDEX_NOT_FOUND');
    const opts: { start?: IndexKeyPart[]; end?: IndexKeyPart[]; reverse?: boolean; limit?: number; transaction?: Transaction } = {};
    if (snapshot) opts.transaction = snapshot;
    if (range.start) opts.start = range.start;
    if (range.end) opts.end = range.end;
    if (range.reverse) opts.reverse = true;
    if (range.limit !== undefined) opts.limit = range.limit;
    for (const { key, value } of db.getRange(opts)) {
      if (ix.unique) yield value;
      else {
        const k = key[key.length - 1];
        if (typeof k === 'string') yield k;
      }
    }
  }

  // ---- writes -------------------------------------------------------------------------------

  /** Inserts a document; with `overwriteMode` an existing key is ignored, replaced or updated. */
  insert(tx: WriteContext, input: unknown, opts: WriteOptions = {}): WriteResult {
    if (!isPlainObject(input)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
    const givenKey = input['_key'];
    if (givenKey !== undefined) {
      if (!this.#def.keyOptions.allowUserKeys && !opts.isRestore) throw new ArangoError('ERROR_ARANGO_DOCUMENT_KEY_UNEXPECTED');
      assertValidKey(givenKey);
      const existing = this.getRaw(givenKey);
      if (existing) {
        const mode = opts.overwriteMode ?? 'conflict';
        if (mode === 'ignore') {
          const old = JSON.parse(existing.toString('utf8')) as Document;
          const meta = { _id: old._id, _key: old._key, _rev: old._rev };
          return opts.returnOld ? { ...meta, old } : meta;
        }
        const overwrite: WriteOptions = { ...opts, ignoreRevs: true };
        if (mode === 'replace') return this.replace(tx, givenKey, input, overwrite);
        if (mode === 'update') return this.update(tx, givenKey, input, overwrite);
        throw this.#conflict('primary', ['_key'], givenKey);
      }
    }
    const tick = tx.nextTick();
    const key = givenKey === undefined ? this.#newKey(tx, tick) : this.#userKey(tx, givenKey);
    const rev = opts.isRestore && typeof input['_rev'] === 'string' ? input['_rev'] : encodeRevision(tick);
    const doc = this.#build(key, rev, input, undefined);
    if (opts.isRestore !== true) checkSchema(this.#def.schema, doc, undefined);
    const bytes = this.#encode(doc);
    this.#checkUnique(doc, undefined);
    this.#write(tx, tick, 'insert', doc, bytes, undefined);
    return this.#result(doc, undefined, opts);
  }

  #newKey(tx: WriteContext, tick: number): string {
    const gen = generateKey(this.#def.keyOptions, tick, this.#def.counter);
    if (gen.counter !== this.#def.counter) {
      this.#def = { ...this.#def, counter: gen.counter };
      tx.saveDefinition(this.#def);
    }
    return gen.key;
  }

  /** Keeps the autoincrement counter ahead of numeric user keys. */
  #userKey(tx: WriteContext, key: string): string {
    if (this.#def.keyOptions.type === 'autoincrement' && /^\d+$/.test(key) && Number(key) > this.#def.counter) {
      this.#def = { ...this.#def, counter: Number(key) };
      tx.saveDefinition(this.#def);
    }
    return key;
  }

  /** Replaces a whole document (system attributes kept, `_from`/`_to` taken from the input). */
  replace(tx: WriteContext, key: string, input: unknown, opts: WriteOptions = {}): WriteResult {
    if (!isPlainObject(input)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
    const old = this.#existing(key, input, opts);
    const tick = tx.nextTick();
    const rev = opts.isRestore && typeof input['_rev'] === 'string' ? input['_rev'] : encodeRevision(tick);
    const doc = this.#build(key, rev, input, undefined);
    if (opts.isRestore !== true) checkSchema(this.#def.schema, doc, old);
    const bytes = this.#encode(doc);
    this.#checkUnique(doc, old);
    this.#write(tx, tick, 'replace', doc, bytes, old);
    return this.#result(doc, old, opts);
  }

  /** Partially updates a document (ArangoDB's PATCH: keepNull, mergeObjects). */
  update(tx: WriteContext, key: string, input: unknown, opts: WriteOptions = {}): WriteResult {
    if (!isPlainObject(input)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
    const old = this.#existing(key, input, opts);
    const tick = tx.nextTick();
    const rev = opts.isRestore && typeof input['_rev'] === 'string' ? input['_rev'] : encodeRevision(tick);
    const merged = mergePatch(old, input, opts.keepNull ?? true, opts.mergeObjects ?? true);
    const doc = this.#build(key, rev, merged, old);
    if (opts.isRestore !== true) checkSchema(this.#def.schema, doc, old);
    const bytes = this.#encode(doc);
    this.#checkUnique(doc, old);
    this.#write(tx, tick, 'update', doc, bytes, old);
    return this.#result(doc, old, opts);
  }

  /** Removes a document. */
  remove(tx: WriteContext, key: string, opts: WriteOptions = {}, revFromBody?: unknown): WriteResult {
    const old = this.#existing(key, revFromBody === undefined ? {} : { _rev: revFromBody }, opts);
    const tick = tx.nextTick();
    this.#unindex(old);
    void this.docs.remove(key);
    tx.log({ tick, type: LOG_REMOVE, database: this.#def.database, collection: this.#def.name, cid: this.#def.id, key, rev: old._rev });
    const res: WriteResult = { _id: old._id, _key: key, _rev: old._rev };
    return opts.returnOld ? { ...res, old } : res;
  }

  /**
   * Removes every document in the surrounding transaction, entry by entry (cost grows with the
   * size). Catalog truncates use `StorageEngine.truncateInTransaction`, which swaps generations.
   */
  truncate(): void {
    for (const key of this.docs.getKeys()) void this.docs.remove(key);
    for (const db of [this.#from, this.#to, ...this.#indexDbs.values()]) {
      if (!db) continue;
      for (const k of db.getKeys()) void db.remove(k);
    }
  }

  /** Fills a new persistent index from the existing documents; throws 1210 on a unique violation. */
  buildIndex(ix: IndexDefinition): void {
    if (!isStoredIndex(ix)) return;
    const db = this.#indexDbs.get(ix.id) ?? this.#openIndex(ix);
    if (ix.type !== 'persistent') {
      for (const doc of this.all()) {
        if (ix.unique) for (const e of derivedEntries(doc, ix)) if (db.get(e.key) !== undefined) throw this.#conflict(ix.name, ix.fields, doc._key, ix.type);
        this.#entriesPut(db, ix, doc);
      }
      return;
    }
    for (const doc of this.all()) {
      const vals = indexValues(doc, ix.fields, ix.sparse);
      if (vals === null) continue;
      if (ix.unique) {
        const k = indexKey(vals, null);
        const other = db.get(k);
        if (other !== undefined && other !== doc._key) throw this.#conflict(ix.name, ix.fields, doc._key);
        void db.put(k, doc._key);
      } else void db.put(indexKey(vals, doc._key), EMPTY);
    }
  }

  /** Re-encodes every persistent index (after the key format or the collation changed). */
  rebuildIndexes(): void {
    for (const ix of this.#def.indexes) {
      if (!isStoredIndex(ix)) continue;
      const db = this.#indexDbs.get(ix.id) ?? this.#openIndex(ix);
      for (const k of db.getKeys()) void db.remove(k);
      this.buildIndex(ix);
    }
  }

  /** Removes a persistent index's entries (before the index is dropped from the catalog). */
  clearIndex(indexId: string): void {
    const db = this.#indexDbs.get(indexId);
    if (!db) return;
    for (const k of db.getKeys()) void db.remove(k);
    this.#indexDbs.delete(indexId);
  }

  /** Forgets a dropped index's handle without touching its entries (the engine frees them later); false when it has none. */
  detachIndex(indexId: string): boolean {
    return this.#indexDbs.delete(indexId);
  }

  /** A geo or fulltext index's sub-database, read by `geoNear` / `geoRegion` / `fulltextSearch`. */
  geoIndex(indexId: string): Database<string, IndexKeyPart[]> {
    const db = this.#indexDbs.get(indexId);
    if (!db) throw new ArangoError('ERROR_ARANGO_INDEX_NOT_FOUND');
    return db;
  }

  #entriesPut(db: Database<string, IndexKeyPart[]>, ix: IndexDefinition, doc: Record<string, unknown> & { _key: string }): void {
    for (const e of derivedEntries(doc, ix)) void db.put(e.key, e.value);
  }

  /** Rewrites every document's `_id` after a rename (runs inside the rename transaction). */
  rewriteIds(newName: string): void {
    for (const { key, value } of this.docs.getRange({})) {
      const doc = JSON.parse(value.toString('utf8')) as Document;
      doc._id = `${newName}/${key}`;
      void this.docs.put(key, Buffer.from(JSON.stringify(doc)));
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  #existing(key: string, input: Record<string, unknown>, opts: WriteOptions): Document {
    if (!isValidKey(key)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_KEY_BAD');
    const raw = this.getRaw(key);
    if (!raw) throw new ArangoError('ERROR_ARANGO_DOCUMENT_NOT_FOUND', undefined, { extra: { _id: `${this.#def.name}/${key}`, _key: key } });
    const old = JSON.parse(raw.toString('utf8')) as Document;
    let expected = opts.expectedRev;
    if (expected === undefined && opts.ignoreRevs === false && typeof input['_rev'] === 'string' && input['_rev'] !== '') {
      expected = input['_rev'];
    }
    if (expected !== undefined && expected !== old._rev) {
      throw new ArangoError('ERROR_ARANGO_CONFLICT', 'conflict, _rev values do not match', {
        httpStatus: 412,
        extra: { _id: old._id, _key: old._key, _rev: old._rev },
      });
    }
    return old;
  }

  #build(key: string, rev: string, input: Record<string, unknown>, old: Document | undefined): Document {
    return buildDocument(this.#def, key, rev, input, old);
  }

  #encode(doc: Document): Buffer {
    const bytes = Buffer.from(JSON.stringify(doc));
    if (bytes.length > MAX_DOCUMENT_BYTES) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TOO_LARGE');
    return bytes;
  }

  #checkUnique(doc: Document, old: Document | undefined): void {
    for (const ix of this.#def.indexes) {
      if (ix.type === 'mdi' || ix.type === 'mdi-prefixed') {
        // before any write: refuses non-numeric values (1561) and, when unique, duplicates (mdi-index.ts)
        for (const e of derivedEntries(doc, ix)) {
          const other = ix.unique ? this.#indexDbs.get(ix.id)?.get(e.key) : undefined;
          if (other !== undefined && other !== doc._key && other !== old?._key) throw this.#conflict(ix.name, ix.fields, other, ix.type);
        }
      }
      if (ix.type !== 'persistent' || !ix.unique) continue;
      const vals = indexValues(doc, ix.fields, ix.sparse);
      if (vals === null) continue;
      const other = this.#indexDbs.get(ix.id)?.get(indexKey(vals, null));
      if (other !== undefined && other !== doc._key && other !== old?._key) throw this.#conflict(ix.name, ix.fields, other);
    }
  }

  #write(tx: WriteContext, tick: number, op: string, doc: Document, bytes: Buffer, old: Document | undefined): void {
    if (old) this.#unindex(old);
    void this.docs.put(doc._key, bytes);
    this.#index(doc);
    tx.log({ tick, type: LOG_DOCUMENT, database: this.#def.database, collection: this.#def.name, cid: this.#def.id, op, key: doc._key, rev: doc._rev, doc: bytes });
  }

  #index(doc: Document): void {
    if (this.#from && this.#to) {
      void this.#from.put([doc['_from'] as string, doc._key], EMPTY);
      void this.#to.put([doc['_to'] as string, doc._key], EMPTY);
    }
    for (const ix of this.#def.indexes) {
      if (ix.type !== 'persistent') {
        const edb = this.#indexDbs.get(ix.id);
        if (edb) this.#entriesPut(edb, ix, doc);
        continue;
      }
      if (ix.type !== 'persistent') continue;
      const vals = indexValues(doc, ix.fields, ix.sparse);
      if (vals === null) continue;
      const db = this.#indexDbs.get(ix.id);
      if (ix.unique) void db?.put(indexKey(vals, null), doc._key);
      else void db?.put(indexKey(vals, doc._key), EMPTY);
    }
  }

  #unindex(doc: Document): void {
    if (this.#from && this.#to) {
      void this.#from.remove([doc['_from'] as string, doc._key]);
      void this.#to.remove([doc['_to'] as string, doc._key]);
    }
    for (const ix of this.#def.indexes) {
      if (ix.type !== 'persistent') {
        for (const e of derivedEntries(doc, ix)) void this.#indexDbs.get(ix.id)?.remove(e.key);
        continue;
      }
      if (ix.type !== 'persistent') continue;
      const vals = indexValues(doc, ix.fields, ix.sparse);
      if (vals === null) continue;
      void this.#indexDbs.get(ix.id)?.remove(indexKey(vals, ix.unique ? null : doc._key));
    }
  }

  #result(doc: Document, old: Document | undefined, opts: WriteOptions): WriteResult {
    const res: { -readonly [K in keyof WriteResult]: WriteResult[K] } = { _id: doc._id, _key: doc._key, _rev: doc._rev };
    if (old) res._oldRev = old._rev;
    if (opts.returnNew) res.new = doc;
    if (opts.returnOld && old) res.old = old;
    return res;
  }

  #conflict(indexName: string, fields: readonly string[], key: string, type = indexName === 'primary' ? 'primary' : 'persistent'): ArangoError {
    return new ArangoError(
      'ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED',
      `unique constraint violated - in index ${indexName} of type ${type} over '${fields.join(', ')}'; conflicting key: ${key}`,
      { extra: { _key: key } },
    );
  }
}

/** True for `collection/key` with a valid collection name and key. */
export function isDocumentHandle(x: unknown): x is string {
  if (typeof x !== 'string') return false;
  const slash = x.indexOf('/');
  return slash > 0 && isValidCollectionName(x.slice(0, slash)) && isValidKey(x.slice(slash + 1));
}

/**
 * A stored document from a write's input: `_key`, `_id`, `_rev`, for edges `_from`/`_to` (kept
 * from the old version when absent, 1233 when not handles), then the input's other attributes.
 */
export function buildDocument(
  def: Pick<CollectionDefinition, 'name' | 'type'>,
  key: string,
  rev: string,
  input: Readonly<Record<string, unknown>>,
  old: Document | undefined,
): Document {
  const doc: Record<string, unknown> = { _key: key, _id: `${def.name}/${key}`, _rev: rev };
  if (def.type === EDGE_COLLECTION) {
    const from = input['_from'] ?? old?.['_from'];
    const to = input['_to'] ?? old?.['_to'];
    if (!isDocumentHandle(from) || !isDocumentHandle(to)) throw new ArangoError('ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE');
    doc['_from'] = from;
    doc['_to'] = to;
  }
  for (const k in input) if (!SYSTEM_ATTRIBUTES.has(k)) doc[k] = input[k];
  return doc as Document;
}
