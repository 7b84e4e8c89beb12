import type {
  AqlDocument,
  CollectionDescription,
  DataSource,
  GraphDefinition,
  IndexScanRange,
  UserFunction,
  WriteOptions as AqlWriteOptions,
  WriteResult as AqlWriteResult,
} from '../../aql/index.ts';
import { ArangoError } from '../../errors/index.ts';
import {
  buildDocument,
  checkSchema,
  MAX_DOCUMENT_BYTES,
  encodeRevision,
  generateKey,
  indexValues,
  isPlainObject,
  isValidKey,
  mdiEntries,
  mergePatch,
  type Collection,
  type Document,
  type IndexDefinition,
  type TickClock,
} from '../../storage/index.ts';
import { LmdbDataSource, storageOptions, type CatalogView } from '../lmdb-data-source.ts';
import { overlayIndexScan } from './overlay-scan.ts';
import type { WriteSet } from './write-set.ts';

/** One collection's own writes: new version per key (null = removed), base `_rev` per key, unique-index entries. */
interface Own {
  readonly c: Collection;
  readonly docs: Map<string, Document | null>;
  readonly base: Map<string, string | null>;
  /** unique index id → JSON of the values → key of the overlay document holding them. */
  readonly unique: Map<string, Map<string, string>>;
  counter: number;
}

/**
 * The data source of a modification query in a query worker: reads see the worker's LMDB
 * snapshot (one synchronous job reads one read transaction) with the query's own writes on
 * top; writes go to an in-memory overlay with ArangoDB's document semantics (overwriteMode,
 * revisions, unique indexes checked against snapshot and overlay), counted against the
 * query's memory limit. `writeSet()` is what the main thread applies (first committer wins).
 */
export class WriteOverlaySource implements DataSource {
  readonly #catalog: CatalogView;
  readonly #database: string;
  readonly #reads: LmdbDataSource;
  readonly #clock: TickClock;
  readonly #memoryLimit: number;
  readonly #own = new Map<string, Own>();
  #bytes = 0;
  #entries = 0;

  constructor(catalog: CatalogView, database: string, clock: TickClock, memoryLimit: number) {
    this.#catalog = catalog;
    this.#database = database;
    this.#reads = new LmdbDataSource(catalog, database);
    this.#clock = clock;
    this.#memoryLimit = memoryLimit;
  }

  userFunction(name: string): UserFunction | undefined {
    return this.#reads.userFunction(name);
  }
  collections(): readonly CollectionDescription[] {
    return this.#reads.collections();
  }
  collection(name: string): CollectionDescription | undefined {
    return this.#reads.collection(name);
  }
  graph(name: string): GraphDefinition | undefined {
    return this.#reads.graph(name);
  }

  #coll(name: string): Collection {
    return this.#catalog.collection(this.#database, name);
  }

  #ownOf(c: Collection): Own {
    let o = this.#own.get(c.definition.id);
    if (!o) {
      o = { c, docs: new Map(), base: new Map(), unique: new Map(), counter: c.definition.counter };
      this.#own.set(c.definition.id, o);
    }
    return o;
  }

  #get(c: Collection, key: string): Document | undefined {
    const own = this.#own.get(c.definition.id)?.docs.get(key);
    if (own !== undefined) return own ?? undefined;
    return c.get(key);
  }

  count(collection: string): number {
    const c = this.#coll(collection);
    let n = c.count();
    const o = this.#own.get(c.definition.id);
    for (const [key, doc] of o?.docs ?? []) n += (doc !== null ? 1 : 0) - ((o?.base.get(key) ?? null) !== null ? 1 : 0);
    return n;
  }

  document(collection: string, key: string): AqlDocument | undefined {
    return this.#get(this.#coll(collection), key);
  }

  *scan(collection: string): Iterable<AqlDocument> {
    const c = this.#coll(collection);
    const o = this.#own.get(c.definition.id);
    if (!o) {
      yield* c.all();
      return;
    }
    // keys written before the scan started are yielded from the overlay; later writes are not seen again
    const before = new Map(o.docs);
    for (const doc of c.all()) if (!before.has(doc._key)) yield doc;
    for (const doc of before.values()) if (doc) yield doc;
  }

  *edges(collection: string, direction: 'out' | 'in', vertexId: string): Iterable<AqlDocument> {
    const c = this.#coll(collection);
    const docs = this.#own.get(c.definition.id)?.docs;
    for (const key of c.edgeKeys(vertexId, direction)) {
      if (docs?.has(key)) continue;
      const doc = c.get(key);
      if (doc) yield doc;
    }
    const attr = direction === 'out' ? '_from' : '_to';
    for (const doc of docs?.values() ?? []) if (doc && doc[attr] === vertexId) yield doc;
  }

  /** The index when the query has not written to the collection; else undefined (FULLTEXT() then scans this source). */
  fulltext(collection: string, indexId: string, query: string, limit: number): Iterable<AqlDocument> | undefined {
    const docs = this.#own.get(this.#coll(collection).definition.id)?.docs;
    return !docs || docs.size === 0 ? this.#reads.fulltext(collection, indexId, query, limit) : undefined;
  }

  /** Like `fulltext`: the index only while the query has not written to the collection. */
  mdiScan(collection: string, indexId: string, prefix: readonly unknown[], lower: readonly number[], upper: readonly number[]): Iterable<AqlDocument> | undefined {
    const docs = this.#own.get(this.#coll(collection).definition.id)?.docs;
    return !docs || docs.size === 0 ? this.#reads.mdiScan(collection, indexId, prefix, lower, upper) : undefined;
  }

  indexScan(collection: string, indexId: string, range: IndexScanRange): Iterable<AqlDocument> {
    const c = this.#coll(collection);
    const docs = this.#own.get(c.definition.id)?.docs;
    if (!docs || docs.size === 0) return this.#reads.indexScan(collection, indexId, range);
    return overlayIndexScan(c, indexId, range, docs);
  }

  // ---- writes --------------------------------------------------------------------------------

  insert(collection: string, input: Readonly<Record<string, unknown>>, options: AqlWriteOptions): AqlWriteResult {
    const c = this.#coll(collection);
    const opts = storageOptions(options);
    if (!isPlainObject(input)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
    const givenKey = input['_key'];
    let key: string;
    const tick = this.#clock.next();
    if (givenKey !== undefined) {
      if (!c.definition.keyOptions.allowUserKeys) throw new ArangoError('ERROR_ARANGO_DOCUMENT_KEY_UNEXPECTED');
      if (typeof givenKey !== 'string' || !isValidKey(givenKey)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_KEY_BAD');
      const old = this.#get(c, givenKey);
      if (old) {
        const mode = opts.overwriteMode ?? 'conflict';
        if (mode === 'ignore') return { new: null, old };
        if (mode === 'replace') return this.replace(collection, givenKey, input, { ...options, ignoreRevs: true });
        if (mode === 'update') return this.update(collection, givenKey, input, { ...options, ignoreRevs: true });
        throw uniqueViolation('primary', ['_key'], givenKey);
      }
      key = givenKey;
      const o = this.#ownOf(c);
      if (c.definition.keyOptions.type === 'autoincrement' && /^\d+$/.test(key) && Number(key) > o.counter) o.counter = Number(key);
    } else {
      const o = this.#ownOf(c);
      const gen = generateKey(c.definition.keyOptions, tick, o.counter);
      o.counter = gen.counter;
      key = gen.key;
    }
    const doc = build(c, key, encodeRevision(tick), input, undefined);
    checkSchema(c.definition.schema, doc, undefined);
    this.#put(c, doc, undefined);
    return { new: doc, old: null };
  }

  update(collection: string, key: string, patch: Readonly<Record<string, unknown>>, options: AqlWriteOptions): AqlWriteResult {
    const c = this.#coll(collection);
    const opts = storageOptions(options);
    if (!isPlainObject(patch)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
    const old = this.#existing(c, key, patch, opts);
    const merged = mergePatch(old, patch, opts.keepNull ?? true, opts.mergeObjects ?? true);
    const doc = build(c, key, encodeRevision(this.#clock.next()), merged, old);
    checkSchema(c.definition.schema, doc, old);
    this.#put(c, doc, old);
    return { new: doc, old };
  }

  replace(collection: string, key: string, input: Readonly<Record<string, unknown>>, options: AqlWriteOptions): AqlWriteResult {
    const c = this.#coll(collection);
    const opts = storageOptions(options);
    if (!isPlainObject(input)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
    const old = this.#existing(c, key, input, opts);
    const doc = build(c, key, encodeRevision(this.#clock.next()), input, old);
    checkSchema(c.definition.schema, doc, old);
    this.#put(c, doc, old);
    return { new: doc, old };
  }

  remove(collection: string, key: string, options: AqlWriteOptions): AqlWriteResult {
    const c = this.#coll(collection);
    const old = this.#existing(c, key, {}, storageOptions(options));
    const o = this.#ownOf(c);
    this.#remember(o, key);
    this.#dropUnique(o, key);
    o.docs.set(key, null);
    return { new: null, old };
  }

  /** The writes, for the main thread to apply in one atomic transaction. */
  writeSet(): WriteSet {
    const collections = [...this.#own.values()].map((o) => ({
      cid: o.c.definition.id,
      name: o.c.definition.name,
      entries: [...o.docs].map(([key, doc]) => [key, o.base.get(key) ?? null, doc] as const),
    }));
    return { collections, size: this.#entries };
  }

  // ---- internals -----------------------------------------------------------------------------

  #existing(c: Collection, key: string, input: Readonly<Record<string, unknown>>, opts: { ignoreRevs?: boolean; expectedRev?: string }): Document {
    if (!isValidKey(key)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_KEY_BAD');
    const old = this.#get(c, key);
    if (!old) throw new ArangoError('ERROR_ARANGO_DOCUMENT_NOT_FOUND', undefined, { extra: { _id: `${c.name}/${key}`, _key: key } });
    let expected = opts.expectedRev;
    if (expected === undefined && opts.ignoreRevs === false && typeof input['_rev'] === 'string' && input['_rev'] !== '') expected = input['_rev'];
    if (expected !== undefined && expected !== old._rev) {
      throw new ArangoError('ERROR_ARANGO_CONFLICT', 'conflict, _rev values do not match', { httpStatus: 412, extra: { _id: old._id, _key: old._key, _rev: old._rev } });
    }
    return old;
  }

  /** Records the snapshot `_rev` of a key on its first write. */
  #remember(o: Own, key: string): void {
    if (o.base.has(key)) return;
    o.base.set(key, o.c.get(key)?._rev ?? null);
    this.#entries++;
  }

  #put(c: Collection, doc: Document, old: Document | undefined): void {
    const size = Buffer.byteLength(JSON.stringify(doc));
    if (size > MAX_DOCUMENT_BYTES) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TOO_LARGE');
    const o = this.#ownOf(c);
    // mdi indexes refuse non-numeric values (1561) here, as the storage would at commit
    for (const ix of c.definition.indexes) if (isMdi(ix)) mdiEntries(doc, ix);
    const unique = c.definition.indexes.filter((ix) => ix.unique && (ix.type === 'persistent' || isMdi(ix)));
    for (const ix of unique) this.#checkUnique(o, ix, doc, old);
    if (this.#memoryLimit > 0 && this.#bytes + size > this.#memoryLimit) {
      throw new ArangoError('ERROR_RESOURCE_LIMIT', `query would use more memory than allowed (${this.#memoryLimit} bytes)`);
    }
    this.#bytes += size;
    this.#remember(o, doc._key);
    this.#dropUnique(o, doc._key);
    for (const ix of unique) {
      const id = uniqueIdentity(ix, doc);
      if (id !== null) uniqueMap(o, ix.id).set(id, doc._key);
    }
    o.docs.set(doc._key, doc);
  }

  /** Throws 1210 when another document (in the overlay, or in the snapshot and not overwritten) holds the values. */
  #checkUnique(o: Own, ix: IndexDefinition, doc: Document, old: Document | undefined): void {
    const id = uniqueIdentity(ix, doc);
    if (id === null) return;
    const mine = (k: string | undefined): boolean => k === doc._key || k === old?._key;
    const inOverlay = o.unique.get(ix.id)?.get(id);
    if (inOverlay !== undefined && !mine(inOverlay)) throw uniqueViolation(ix.name, ix.fields, inOverlay, ix.type);
    if (isMdi(ix)) {
      const entry = mdiEntries(doc, ix)[0];
      const other = entry === undefined ? undefined : o.c.geoIndex(ix.id).get(entry.key);
      if (other !== undefined && !mine(other) && !o.docs.has(other)) throw uniqueViolation(ix.name, ix.fields, other, ix.type);
      return;
    }
    const vals = indexValues(doc, ix.fields, ix.sparse) ?? [];
    const range: IndexScanRange = { equal: vals, reverse: false };
    for (const d of this.#reads.indexScan(o.c.name, ix.id, range)) {
      if (!mine(d._key) && !o.docs.has(d._key)) throw uniqueViolation(ix.name, ix.fields, d._key);
    }
  }

  /** Forgets the unique-index entries of the overlay's current version of `key`. */
  #dropUnique(o: Own, key: string): void {
    const prev = o.docs.get(key);
    if (!prev) return;
    for (const ix of o.c.definition.indexes) {
      if (!ix.unique || !(ix.type === 'persistent' || isMdi(ix))) continue;
      const k = uniqueIdentity(ix, prev);
      if (k === null) continue;
      const m = o.unique.get(ix.id);
      if (m?.get(k) === key) m.delete(k);
    }
  }
}

function uniqueMap(o: Own, id: string): Map<string, string> {
  let m = o.unique.get(id);
  if (!m) {
    m = new Map();
    o.unique.set(id, m);
  }
  return m;
}

function build(c: Collection, key: string, rev: string, input: Readonly<Record<string, unknown>>, old: Document | undefined): Document {
  return buildDocument(c.definition, key, rev, input, old);
}

const isMdi = (ix: IndexDefinition): boolean => ix.type === 'mdi' || ix.type === 'mdi-prefixed';

/** What a unique index compares (JSON of the values, or of the mdi entry key); null when a sparse index skips the document. */
function uniqueIdentity(ix: IndexDefinition, doc: Document): string | null {
  if (isMdi(ix)) {
    const e = mdiEntries(doc, ix)[0];
    return e === undefined ? null : JSON.stringify(e.key);
  }
  const vals = indexValues(doc, ix.fields, ix.sparse);
  return vals === null ? null : JSON.stringify(vals);
}

function uniqueViolation(indexName: string, fields: readonly string[], key: string, type = indexName === 'primary' ? 'primary' : 'persistent'): ArangoError {
  return new ArangoError(
    'ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED',
    `unique constraint violated - in index ${indexName} of type ${type} over '${fields.join(', ')}'; conflicting key: ${key}`,
    { extra: { _key: key } },
  );
}
