/**
 * The storage interface the AQL engine consumes. The AQL engine owns this interface;
 * the storage layer provides an adapter (and `memory-data-source.ts` is the in-memory
 * implementation used by the tests).
 *
 * Everything is synchronous. A modification query runs inside one write transaction
 * opened by the caller; if execution throws, the caller aborts it. Iterators must be
 * lazy so that a LIMIT can stop a scan early and memory stays bounded.
 */

/** A stored document: a plain object with the system attributes. Never mutated by AQL. */
export interface AqlDocument {
  readonly _key: string;
  readonly _id: string;
  readonly _rev: string;
  readonly [attribute: string]: unknown;
}

/** Collection type numbers as in ArangoDB. */
export type CollectionType = 2 | 3;

/** An index as reported by the storage (same shape as ArangoDB's index description). */
export interface IndexDescription {
  /** ArangoDB-style id, e.g. `"users/0"` for the primary index. */
  readonly id: string;
  readonly name: string;
  readonly type: 'primary' | 'edge' | 'persistent' | 'geo' | 'fulltext' | 'mdi' | 'mdi-prefixed';
  /** `["_key"]` for primary, `["_from", "_to"]` for edge, attribute paths (dotted) for persistent. */
  readonly fields: readonly string[];
  readonly unique: boolean;
  readonly sparse: boolean;
  /** Geo indexes on one field: the field holds GeoJSON / `[lon, lat]` (true) or `[lat, lon]` (false). */
  readonly geoJson?: boolean;
  /** Fulltext indexes: the shortest indexed word, in characters (storage/fulltext-index.ts). */
  readonly minLength?: number;
  /** mdi-prefixed indexes: the fields compared by equality before the multi-dimensional ones. */
  readonly prefixFields?: readonly string[];
}

/** A collection with its indexes. */
export interface CollectionDescription {
  readonly name: string;
  readonly type: CollectionType;
  readonly indexes: readonly IndexDescription[];
  /** The collection's schema property (`{rule, level, message}`), null or absent when it has none. */
  readonly schema?: unknown;
}

/** One end of an index range. Values are compared with AQL's order (`compareValues`). */
export interface IndexBound {
  readonly value: unknown;
  readonly inclusive: boolean;
}

/**
 * A range over a persistent index. `equal` holds values for a prefix of the index fields
 * (a missing attribute is indexed as null); `lower` / `upper` bound the next field.
 * Results come in index order (field values by AQL order, ties by `_key`), reversed if `reverse`.
 */
export interface IndexScanRange {
  readonly equal: readonly unknown[];
  readonly lower?: IndexBound | undefined;
  readonly upper?: IndexBound | undefined;
  readonly reverse: boolean;
}

/** Options of a write, with ArangoDB's meaning. */
export interface WriteOptions {
  /** Update only: false removes attributes whose new value is null (default true). */
  readonly keepNull?: boolean;
  /** Update only: merge sub-objects instead of replacing them (default true). */
  readonly mergeObjects?: boolean;
  /** Insert only: what to do when `_key` exists (default "conflict" → error 1210). */
  readonly overwriteMode?: 'ignore' | 'replace' | 'update' | 'conflict';
  /** Update/replace/remove: when false, `expectedRev` must match the stored `_rev` (error 1200). */
  readonly ignoreRevs?: boolean;
  readonly expectedRev?: string | undefined;
  /** Passed through to the storage. */
  readonly waitForSync?: boolean;
}

/** The documents before and after a write (null where not applicable). */
export interface WriteResult {
  readonly new: AqlDocument | null;
  readonly old: AqlDocument | null;
}

/** A named graph's edge definitions. */
export interface GraphDefinition {
  readonly name: string;
  readonly edgeDefinitions: readonly { readonly collection: string; readonly from: readonly string[]; readonly to: readonly string[] }[];
}

/** A user-defined AQL function as the data source provides it (already sandboxed and time-limited). */
export interface UserFunction {
  readonly deterministic: boolean;
  call(args: readonly unknown[]): unknown;
}

/**
 * What the AQL engine needs from a database. Errors are thrown as ArangoError:
 * 1203 unknown collection, 1202 document not found, 1210 unique constraint violated,
 * 1200 revision conflict, 1221 bad key, 1227 invalid document, 1233 bad `_from`/`_to`.
 */
export interface DataSource {
  /** All collections of the database (system collections included). */
  collections(): readonly CollectionDescription[];
  /** One collection, or undefined if it does not exist. */
  collection(name: string): CollectionDescription | undefined;
  /** Number of documents. */
  count(collection: string): number;
  /** Lookup by `_key` (primary index). */
  document(collection: string, key: string): AqlDocument | undefined;
  /** Full scan in storage order, lazily. */
  scan(collection: string): Iterable<AqlDocument>;
  /** Ordered scan of a persistent index (by `IndexDescription.id`), lazily. */
  indexScan(collection: string, indexId: string, range: IndexScanRange): Iterable<AqlDocument>;
  /** Edges whose `_from` (direction "out") or `_to` (direction "in") equals `vertexId`, lazily. */
  edges(collection: string, direction: 'out' | 'in', vertexId: string): Iterable<AqlDocument>;
  /**
   * Documents of a geo index in ascending distance from (lat, lon), lazily; with `maxDistance`
   * (meters) only those within it (a meter more is allowed: the query re-checks its filter).
   * Optional: without it (or when it answers undefined) a geo lookup scans (and sorts).
   */
  geoNear?(collection: string, indexId: string, lat: number, lon: number, maxDistance?: number): Iterable<AqlDocument> | undefined;
  /**
   * Documents of a geo index whose point or shape may share a point with the GeoJSON `shape`
   * (candidates of GEO_CONTAINS / GEO_INTERSECTS, re-checked by the query), each once, lazily.
   * Optional, like `geoNear`; undefined also when `shape` is no geometry.
   */
  geoRegion?(collection: string, indexId: string, shape: unknown): Iterable<AqlDocument> | undefined;
  /**
   * The documents of a fulltext index matching a FULLTEXT() query (storage/fulltext-index.ts
   * syntax), at most `limit` (Infinity: all). Optional, like `geoNear`: without it (or when it
   * answers undefined, e.g. over a transaction's own writes) FULLTEXT() scans with the same tokenizer.
   */
  fulltext?(collection: string, indexId: string, query: string, limit: number): Iterable<AqlDocument> | undefined;
  /**
   * Documents of an mdi / mdi-prefixed index whose prefix fields equal `prefix` and whose fields
   * lie in the box [lower[i], upper[i]] (inclusive, ±Infinity when open), each once, lazily (the
   * query re-checks its filters). Optional, like `geoNear`; undefined makes the query scan.
   */
  mdiScan?(collection: string, indexId: string, prefix: readonly unknown[], lower: readonly number[], upper: readonly number[]): Iterable<AqlDocument> | undefined;
  /** A named graph, for `GRAPH "name"` traversals; undefined if unknown. */
  graph(name: string): GraphDefinition | undefined;
  /** A user-defined function (`NS::NAME`, upper case), or undefined if none is registered. */
  userFunction?(name: string): UserFunction | undefined;
  /** Inserts; generates `_key` if missing, sets `_id` and `_rev`. */
  insert(collection: string, doc: Readonly<Record<string, unknown>>, options: WriteOptions): WriteResult;
  /** Partially updates the document `key` with `patch` (system attributes in `patch` are ignored). */
  update(collection: string, key: string, patch: Readonly<Record<string, unknown>>, options: WriteOptions): WriteResult;
  /** Replaces the document `key` by `doc`. */
  replace(collection: string, key: string, doc: Readonly<Record<string, unknown>>, options: WriteOptions): WriteResult;
  /** Removes the document `key`. */
  remove(collection: string, key: string, options: WriteOptions): WriteResult;
}
