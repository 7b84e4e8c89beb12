import type { KeyOptions } from './keys.ts';

/** Collection type numbers as ArangoDB reports them. */
export const DOCUMENT_COLLECTION = 2;
export const EDGE_COLLECTION = 3;
export type CollectionType = typeof DOCUMENT_COLLECTION | typeof EDGE_COLLECTION;

/** A stored document: system attributes first, then the user's attributes. */
export type Document = Record<string, unknown> & { _key: string; _id: string; _rev: string };

/** Index definition as kept in the catalog (ArangoDB's index description fields). */
export interface IndexDefinition {
  readonly id: string;
  /**
   * `primary`, `edge` and `persistent` are maintained by the storage and used by AQL; the other
   * types are accepted and listed with their options (`ttl` is enforced by the TTL sweeper).
   */
  readonly type: 'primary' | 'edge' | 'persistent' | AcceptedIndexType;
  readonly name: string;
  readonly fields: readonly string[];
  readonly unique: boolean;
  readonly sparse: boolean;
  /** Type-specific attributes as given (`expireAfter`, `geoJson`, `legacyPolygons`, `minLength`, `fieldValueTypes`, …). */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** Index types accepted and listed, but not (yet) used by queries. */
export const ACCEPTED_INDEX_TYPES = ['geo', 'mdi', 'mdi-prefixed', 'inverted', 'ttl', 'fulltext'] as const;
export type AcceptedIndexType = (typeof ACCEPTED_INDEX_TYPES)[number];

/** A database as kept in the catalog. */
export interface DatabaseDefinition {
  readonly name: string;
  readonly id: string;
}

/** A collection as kept in the catalog. `counter` is the autoincrement key generator's state. */
export interface CollectionDefinition {
  readonly id: string;
  readonly database: string;
  readonly name: string;
  readonly type: CollectionType;
  readonly isSystem: boolean;
  readonly waitForSync: boolean;
  readonly keyOptions: KeyOptions;
  readonly schema: unknown;
  readonly indexes: readonly IndexDefinition[];
  readonly counter: number;
  /** Bumped by every truncate: the collection's data lives in that generation's sub-databases. */
  readonly generation?: number;
}

/**
 * One operation-log entry. `type` uses ArangoDB's replication marker numbers
 * (2300 document, 2302 remove, 2000 create collection, …; see shared/spec/active-failover.md §3).
 * `doc` holds the document's JSON bytes for 2300.
 */
export interface LogEntry {
  readonly tick: number;
  readonly type: LogEntryType;
  readonly database: string;
  readonly collection?: string;
  readonly cid?: string;
  /** insert | update | replace for 2300 (informational; followers apply the full document). */
  readonly op?: string;
  readonly key?: string;
  readonly rev?: string;
  readonly doc?: Uint8Array;
  /** Collection/index/database definitions and other DDL payloads. */
  readonly data?: unknown;
  /**
   * True on every entry of a write transaction but its last: the entries up to the next one
   * without it are one unit, shipped to and applied by followers whole. Absent (older data
   * directories) means the entry ends its unit.
   */
  readonly more?: boolean;
}

export const LOG_DATABASE_CREATE = 1100;
export const LOG_DATABASE_DROP = 1101;
export const LOG_COLLECTION_CREATE = 2000;
export const LOG_COLLECTION_DROP = 2001;
export const LOG_COLLECTION_RENAME = 2002;
export const LOG_COLLECTION_CHANGE = 2003;
export const LOG_COLLECTION_TRUNCATE = 2004;
export const LOG_INDEX_CREATE = 2100;
export const LOG_INDEX_DROP = 2101;
export const LOG_DOCUMENT = 2300;
export const LOG_REMOVE = 2302;
export type LogEntryType =
  | typeof LOG_DATABASE_CREATE
  | typeof LOG_DATABASE_DROP
  | typeof LOG_COLLECTION_CREATE
  | typeof LOG_COLLECTION_DROP
  | typeof LOG_COLLECTION_RENAME
  | typeof LOG_COLLECTION_CHANGE
  | typeof LOG_COLLECTION_TRUNCATE
  | typeof LOG_INDEX_CREATE
  | typeof LOG_INDEX_DROP
  | typeof LOG_DOCUMENT
  | typeof LOG_REMOVE;

/** Options of a document write (ArangoDB's query parameters of the document API). */
export interface WriteOptions {
  readonly waitForSync?: boolean;
  readonly overwriteMode?: 'ignore' | 'replace' | 'update' | 'conflict';
  readonly keepNull?: boolean;
  readonly mergeObjects?: boolean;
  readonly ignoreRevs?: boolean;
  /** Expected revision (If-Match or `_rev` with ignoreRevs=false); mismatch → 1200. */
  readonly expectedRev?: string;
  readonly returnOld?: boolean;
  readonly returnNew?: boolean;
  /** Set by the replication applier: keep `_key`/`_rev` exactly as given, skip key generation. */
  readonly isRestore?: boolean;
}

/** What a document write reports (ArangoDB's `{_id, _key, _rev, _oldRev?, new?, old?}`). */
export interface WriteResult {
  readonly _id: string;
  readonly _key: string;
  readonly _rev: string;
  readonly _oldRev?: string;
  readonly new?: Document;
  readonly old?: Document;
}
