import type {
  AqlDocument,
  CollectionDescription,
  DataSource,
  GraphDefinition,
  IndexScanRange,
  UserFunction,
  WriteOptions as AqlWriteOptions,
  WriteResult as AqlWriteResult,
} from '../aql/index.ts';
import { ArangoError } from '../errors/index.ts';
import { lookupUserFunction } from './user-functions.ts';
import {
  encodeIndexValue,
  fulltextMinLength,
  fulltextSearch,
  mdiPrefixFields,
  mdiScan,
  parseFulltextQuery,
  geoNear,
  geoRegion,
  isPlainObject,
  type Collection,
  type Document,
  type IndexKeyPart,
  type WriteContext,
  type WriteOptions,
  type WriteResult,
} from '../storage/index.ts';

/** Sorts after every encoded value and every document key (strings sort after numbers). */
const AFTER = '\uffff\uffff\uffff';

/** The lmdb key range of a persistent-index scan (equality prefix, optional bounds, direction). */
export function indexScanBounds(range: IndexScanRange): { start: IndexKeyPart[]; end: IndexKeyPart[]; reverse?: boolean } {
  const prefix: IndexKeyPart[] = [];
  for (const v of range.equal) encodeIndexValue(v, prefix);
  const start = [...prefix];
  const end: IndexKeyPart[] = [...prefix];
  if (range.lower) {
    encodeIndexValue(range.lower.value, start);
    if (!range.lower.inclusive) start.push(AFTER);
  }
  if (range.upper) {
    encodeIndexValue(range.upper.value, end);
    if (range.upper.inclusive) end.push(AFTER);
  } else end.push(AFTER);
  return range.reverse ? { start: end, end: start, reverse: true } : { start, end };
}

/** `users/12` → `12` (index ids reach the data source with or without their collection). */
const localIndexId = (id: string): string => (id.includes('/') ? id.slice(id.indexOf('/') + 1) : id);

/** The catalog reads a data source needs (the `StorageEngine` in the main thread, a snapshot in query workers). */
export interface CatalogView {
  collections(database: string): Collection[];
  collection(database: string, nameOrId: string): Collection;
  findCollection(database: string, nameOrId: string): Collection | undefined;
}

/**
 * The AQL engine's data source over one database of the lmdb storage. Reads go straight to
 * LMDB; writes need the `WriteContext` of the surrounding transaction (modification queries
 * run inside `engine.writeAtomic`, so a failing query writes nothing).
 */
export class LmdbDataSource implements DataSource {
  readonly #engine: CatalogView;
  readonly #database: string;
  readonly #tx: WriteContext | undefined;

  constructor(engine: CatalogView, database: string, tx?: WriteContext) {
    this.#engine = engine;
    this.#database = database;
    this.#tx = tx;
  }

  userFunction(name: string): UserFunction | undefined {
    return lookupUserFunction(this.#engine, this.#database, name);
  }

  #coll(name: string): Collection {
    return this.#engine.collection(this.#database, name);
  }

  collections(): readonly CollectionDescription[] {
    return this.#engine.collections(this.#database).map(describe);
  }

  collection(name: string): CollectionDescription | undefined {
    const c = this.#engine.findCollection(this.#database, name);
    return c ? describe(c) : undefined;
  }

  count(collection: string): number {
    return this.#coll(collection).count();
  }

  document(collection: string, key: string): AqlDocument | undefined {
    return this.#coll(collection).get(key);
  }

  scan(collection: string): Iterable<AqlDocument> {
    return this.#coll(collection).all();
  }

  /** Undefined (the executor then scans) for a point outside the globe or inside a write transaction. */
  geoNear(collection: string, indexId: string, lat: number, lon: number, maxDistance?: number): Iterable<AqlDocument> | undefined {
    if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180) || this.#tx !== undefined) return undefined;
    const c = this.#coll(collection);
    return this.#documents(c, geoNear(c.geoIndex(localIndexId(indexId)), lat, lon, maxDistance));
  }

  /** Undefined (the executor then scans) for a shape that is no geometry or inside a write transaction. */
  geoRegion(collection: string, indexId: string, shape: unknown): Iterable<AqlDocument> | undefined {
    if (this.#tx !== undefined) return undefined;
    const c = this.#coll(collection);
    const keys = geoRegion(c.geoIndex(localIndexId(indexId)), shape);
    return keys === undefined ? undefined : this.#documents(c, keys);
  }

  /** Reads the index inside a write transaction too: the keys are collected before any document is read. */
  fulltext(collection: string, indexId: string, query: string, limit: number): Iterable<AqlDocument> {
    const c = this.#coll(collection);
    return this.#documents(c, fulltextSearch(c.geoIndex(localIndexId(indexId)), parseFulltextQuery(query)).slice(0, limit));
  }

  mdiScan(collection: string, indexId: string, prefix: readonly unknown[], lower: readonly number[], upper: readonly number[]): Iterable<AqlDocument> {
    const c = this.#coll(collection);
    const id = localIndexId(indexId);
    const ix = c.definition.indexes.find((i) => i.id === id);
    if (ix === undefined) throw new ArangoError('ERROR_ARANGO_INDEX_NOT_FOUND');
    return this.#documents(c, mdiScan(c.geoIndex(id), ix, prefix, lower, upper));
  }

  *#documents(c: Collection, keys: Iterable<string>): Generator<AqlDocument> {
    for (const key of keys) {
      const d = c.get(key);
      if (d !== undefined) yield d;
    }
  }

  *indexScan(collection: string, indexId: string, range: IndexScanRange): Iterable<AqlDocument> {
    const c = this.#coll(collection);
    const id = indexId.includes('/') ? indexId.slice(indexId.indexOf('/') + 1) : indexId;
    const bounds = indexScanBounds(range);
    for (const key of c.indexScan(id, bounds)) {
      const doc = c.get(key);
      if (doc) yield doc;
    }
  }

  *edges(collection: string, direction: 'out' | 'in', vertexId: string): Iterable<AqlDocument> {
    const c = this.#coll(collection);
    for (const key of c.edgeKeys(vertexId, direction)) {
      const doc = c.get(key);
      if (doc) yield doc;
    }
  }

  graph(name: string): GraphDefinition | undefined {
    const doc = this.#engine.findCollection(this.#database, '_graphs')?.get(name);
    if (!doc || !Array.isArray(doc['edgeDefinitions'])) return undefined;
    const edgeDefinitions = doc['edgeDefinitions'].filter(isPlainObject).map((d) => ({
      collection: String(d['collection']),
      from: Array.isArray(d['from']) ? d['from'].map(String) : [],
      to: Array.isArray(d['to']) ? d['to'].map(String) : [],
    }));
    return { name, edgeDefinitions };
  }

  insert(collection: string, doc: Readonly<Record<string, unknown>>, options: AqlWriteOptions): AqlWriteResult {
    return toResult(this.#coll(collection).insert(this.#writeTx(), doc, storageOptions(options)));
  }

  update(collection: string, key: string, patch: Readonly<Record<string, unknown>>, options: AqlWriteOptions): AqlWriteResult {
    return toResult(this.#coll(collection).update(this.#writeTx(), key, patch, storageOptions(options)));
  }

  replace(collection: string, key: string, doc: Readonly<Record<string, unknown>>, options: AqlWriteOptions): AqlWriteResult {
    return toResult(this.#coll(collection).replace(this.#writeTx(), key, doc, storageOptions(options)));
  }

  remove(collection: string, key: string, options: AqlWriteOptions): AqlWriteResult {
    return toResult(this.#coll(collection).remove(this.#writeTx(), key, storageOptions(options)));
  }

  #writeTx(): WriteContext {
    if (!this.#tx) throw new ArangoError('ERROR_INTERNAL', 'write outside a write transaction');
    return this.#tx;
  }
}

function describe(c: Collection): CollectionDescription {
  const d = c.definition;
  return {
    name: d.name,
    type: d.type,
    indexes: d.indexes.flatMap((ix) =>
      // only the indexes the storage maintains are offered to the planner
      ix.type === 'primary' || ix.type === 'edge' || ix.type === 'persistent' || ix.type === 'geo' || ix.type === 'fulltext' || ix.type === 'mdi' || ix.type === 'mdi-prefixed'
        ? [{
            id: `${d.name}/${ix.id}`, name: ix.name, type: ix.type, fields: ix.fields, unique: ix.unique, sparse: ix.sparse,
            ...(ix.type === 'geo' ? { geoJson: ix.options?.['geoJson'] === true } : {}),
            ...(ix.type === 'fulltext' ? { minLength: fulltextMinLength(ix.options) } : {}),
            ...(ix.type === 'mdi-prefixed' ? { prefixFields: mdiPrefixFields(ix) } : {}),
          }]
        : [],
    ),
    schema: d.schema,
  };
}

/** AQL modification options as the storage layer takes them. */
export function storageOptions(o: AqlWriteOptions): WriteOptions {
  const out: { -readonly [K in keyof WriteOptions]: WriteOptions[K] } = { returnNew: true, returnOld: true };
  if (o.keepNull !== undefined) out.keepNull = o.keepNull;
  if (o.mergeObjects !== undefined) out.mergeObjects = o.mergeObjects;
  if (o.overwriteMode !== undefined) out.overwriteMode = o.overwriteMode;
  if (o.ignoreRevs !== undefined) out.ignoreRevs = o.ignoreRevs;
  if (o.expectedRev !== undefined && o.ignoreRevs === false) out.expectedRev = o.expectedRev;
  if (o.waitForSync !== undefined) out.waitForSync = o.waitForSync;
  return out;
}

function toResult(r: WriteResult): AqlWriteResult {
  const nw: Document | undefined = r.new;
  return { new: nw ?? null, old: r.old ?? null };
}
