import type { AqlDocument, CollectionDescription, DataSource, GraphDefinition, IndexScanRange, UserFunction, WriteOptions, WriteResult } from '../aql/index.ts';
import { ArangoError } from '../errors/index.ts';

/** A caller's access level on a collection, as in ArangoDB's grants. */
export type AccessLevel = 'none' | 'ro' | 'rw';

/** What a query's caller may touch: `all` for superusers, else a level per collection. */
export type AccessSnapshot = { readonly all: true } | { readonly all: false; readonly levels: Readonly<Record<string, AccessLevel>>; readonly fallback: AccessLevel };

/** The level a snapshot grants on `collection`. */
export function levelOf(access: AccessSnapshot, collection: string): AccessLevel {
  if (access.all) return 'rw';
  return access.levels[collection] ?? access.fallback;
}

/** Throws 403 / errorNum 11 unless `access` allows `need` on `collection`. */
export function requireAccess(access: AccessSnapshot, collection: string, need: 'ro' | 'rw'): void {
  const level = levelOf(access, collection);
  if (level === 'rw' || (level === 'ro' && need === 'ro')) return;
  throw new ArangoError('ERROR_FORBIDDEN', `not authorized to ${need === 'rw' ? 'write' : 'read'} collection '${collection}'`);
}

/**
 * A data source that checks every collection a query reaches at run time (DOCUMENT(), traversals,
 * shortest paths, names computed from bind values or strings, ids instead of names): `ro` to read,
 * `rw` to write, as ArangoDB does. Each collection is checked once per level.
 */
export class GuardedDataSource implements DataSource {
  readonly #inner: DataSource;
  readonly #access: AccessSnapshot;
  readonly #ok = new Set<string>();
  /** The inner source's user functions (absent when it has none, as in-memory sources). */
  readonly userFunction?: (name: string) => UserFunction | undefined;

  constructor(inner: DataSource, access: AccessSnapshot) {
    this.#inner = inner;
    this.#access = access;
    if (inner.userFunction !== undefined) this.userFunction = (name) => inner.userFunction?.(name);
  }

  #check(collection: string, need: 'ro' | 'rw'): void {
    const k = need + collection;
    if (this.#ok.has(k)) return;
    // on the collection's own name: a query may name it by its id (`@@c` bound to "12345")
    requireAccess(this.#access, this.#inner.collection(collection)?.name ?? collection, need);
    this.#ok.add(k);
  }

  collections(): readonly CollectionDescription[] {
    return this.#inner.collections();
  }
  collection(name: string): CollectionDescription | undefined {
    return this.#inner.collection(name);
  }
  count(collection: string): number {
    this.#check(collection, 'ro');
    return this.#inner.count(collection);
  }
  document(collection: string, key: string): AqlDocument | undefined {
    this.#check(collection, 'ro');
    return this.#inner.document(collection, key);
  }
  scan(collection: string): Iterable<AqlDocument> {
    this.#check(collection, 'ro');
    return this.#inner.scan(collection);
  }
  indexScan(collection: string, indexId: string, range: IndexScanRange): Iterable<AqlDocument> {
    this.#check(collection, 'ro');
    return this.#inner.indexScan(collection, indexId, range);
  }
  geoNear(collection: string, indexId: string, lat: number, lon: number, maxDistance?: number): Iterable<AqlDocument> | undefined {
    this.#check(collection, 'ro');
    return this.#inner.geoNear?.(collection, indexId, lat, lon, maxDistance);
  }
  geoRegion(collection: string, indexId: string, shape: unknown): Iterable<AqlDocument> | undefined {
    this.#check(collection, 'ro');
    return this.#inner.geoRegion?.(collection, indexId, shape);
  }
  fulltext(collection: string, indexId: string, query: string, limit: number): Iterable<AqlDocument> | undefined {
    this.#check(collection, 'ro');
    return this.#inner.fulltext?.(collection, indexId, query, limit);
  }
  mdiScan(collection: string, indexId: string, prefix: readonly unknown[], lower: readonly number[], upper: readonly number[]): Iterable<AqlDocument> | undefined {
    this.#check(collection, 'ro');
    return this.#inner.mdiScan?.(collection, indexId, prefix, lower, upper);
  }
  edges(collection: string, direction: 'out' | 'in', vertexId: string): Iterable<AqlDocument> {
    this.#check(collection, 'ro');
    return this.#inner.edges(collection, direction, vertexId);
  }
  graph(name: string): GraphDefinition | undefined {
    return this.#inner.graph(name);
  }
  insert(collection: string, doc: Readonly<Record<string, unknown>>, options: WriteOptions): WriteResult {
    this.#check(collection, 'rw');
    return this.#inner.insert(collection, doc, options);
  }
  update(collection: string, key: string, patch: Readonly<Record<string, unknown>>, options: WriteOptions): WriteResult {
    this.#check(collection, 'rw');
    return this.#inner.update(collection, key, patch, options);
  }
  replace(collection: string, key: string, doc: Readonly<Record<string, unknown>>, options: WriteOptions): WriteResult {
    this.#check(collection, 'rw');
    return this.#inner.replace(collection, key, doc, options);
  }
  remove(collection: string, key: string, options: WriteOptions): WriteResult {
    this.#check(collection, 'rw');
    return this.#inner.remove(collection, key, options);
  }
}
