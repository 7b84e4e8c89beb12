import { ArangoError } from '../errors/index.ts';
import type { Collection } from './collection.ts';
import type { StorageEngine } from './engine.ts';
import { parseCollectionSchema } from './document-schema.ts';
import { isValidCollectionName, isValidDatabaseName, parseKeyOptions } from './keys.ts';
import {
  DOCUMENT_COLLECTION,
  EDGE_COLLECTION,
  LOG_COLLECTION_CHANGE,
  LOG_COLLECTION_CREATE,
  LOG_COLLECTION_DROP,
  LOG_COLLECTION_RENAME,
  LOG_COLLECTION_TRUNCATE,
  LOG_DATABASE_CREATE,
  LOG_DATABASE_DROP,
  LOG_INDEX_CREATE,
  LOG_INDEX_DROP,
  type CollectionDefinition,
  ACCEPTED_INDEX_TYPES,
  type AcceptedIndexType,
  type CollectionType,
  type DatabaseDefinition,
  type IndexDefinition,
} from './types.ts';

/** System collections every database has; `_users` only in `_system`. */
export const SYSTEM_COLLECTIONS = ['_apps', '_appbundles', '_queues', '_jobs', '_graphs'] as const;

/** Options of a collection creation (ArangoDB's POST /_api/collection body). */
export interface CreateCollectionOptions {
  readonly type?: CollectionType;
  readonly keyOptions?: unknown;
  readonly waitForSync?: boolean;
  readonly schema?: unknown;
  readonly isSystem?: boolean;
  /** Replication applier: keep the leader's collection id and index ids. */
  readonly restore?: { readonly id: string; readonly indexes?: readonly IndexDefinition[] };
}

const PRIMARY_INDEX: IndexDefinition = { id: '0', type: 'primary', name: 'primary', fields: ['_key'], unique: true, sparse: false };
const EDGE_INDEX: IndexDefinition = { id: '1', type: 'edge', name: 'edge', fields: ['_from', '_to'], unique: false, sparse: false };

/** Creates `_system` and the system collections when missing (first start, or after an upgrade). */
export async function bootstrap(engine: StorageEngine): Promise<void> {
  if (!engine.hasDatabase('_system')) await createDatabase(engine, '_system');
  for (const db of engine.databaseNames()) await ensureSystemCollections(engine, db);
}

async function ensureSystemCollections(engine: StorageEngine, db: string): Promise<void> {
  const wanted: string[] = db === '_system' ? ['_users', ...SYSTEM_COLLECTIONS] : [...SYSTEM_COLLECTIONS];
  for (const name of wanted) {
    if (!engine.findCollection(db, name)) await createCollection(engine, db, name, { isSystem: true });
  }
}

/** Creates a database with its system collections. Throws 1229 (bad name) or 1207 (exists). */
export async function createDatabase(engine: StorageEngine, name: string, restoreId?: string): Promise<DatabaseDefinition> {
  if (!isValidDatabaseName(name)) throw new ArangoError('ERROR_ARANGO_DATABASE_NAME_INVALID');
  const def = await engine.ddl(async () => {
    if (engine.hasDatabase(name)) throw new ArangoError('ERROR_ARANGO_DUPLICATE_NAME', `duplicate database name '${name}'`);
    const d: DatabaseDefinition = { name, id: restoreId ?? engine.newId() };
    await engine.writeAtomic((tx) => {
      engine.putDatabase(d);
      tx.log({ tick: tx.nextTick(), type: LOG_DATABASE_CREATE, database: name, data: d });
    });
    engine.registerDatabase(d);
    return d;
  });
  if (name !== '_system') await ensureSystemCollections(engine, name);
  return def;
}

/** Drops a database and everything in it. `_system` cannot be dropped (1230). */
export async function dropDatabase(engine: StorageEngine, name: string): Promise<void> {
  if (name === '_system') throw new ArangoError('ERROR_ARANGO_USE_SYSTEM_DATABASE');
  await engine.ddl(async () => {
    engine.database(name);
    const cols = engine.collections(name);
    await engine.writeAtomic((tx) => {
      for (const c of cols) engine.removeCollection(c.definition);
      engine.removeDatabase(name);
      tx.log({ tick: tx.nextTick(), type: LOG_DATABASE_DROP, database: name });
    });
    engine.unregisterDatabase(name);
  });
}

/** Creates a collection. Throws 1208 (illegal name), 1207 (duplicate), 1232 (bad key generator). */
export async function createCollection(
  engine: StorageEngine,
  database: string,
  name: string,
  options: CreateCollectionOptions = {},
): Promise<Collection> {
  if (!isValidCollectionName(name)) throw new ArangoError('ERROR_ARANGO_ILLEGAL_NAME', `illegal name: '${name}'`);
  const type = options.type ?? DOCUMENT_COLLECTION;
  if (type !== DOCUMENT_COLLECTION && type !== EDGE_COLLECTION) throw new ArangoError('ERROR_ARANGO_COLLECTION_TYPE_INVALID');
  const keyOptions = parseKeyOptions(options.keyOptions);
  return engine.ddl(async () => {
    engine.database(database);
    if (engine.findCollection(database, name)) throw new ArangoError('ERROR_ARANGO_DUPLICATE_NAME', `duplicate name: ${name}`);
    const indexes = options.restore?.indexes ?? (type === EDGE_COLLECTION ? [PRIMARY_INDEX, EDGE_INDEX] : [PRIMARY_INDEX]);
    const def: CollectionDefinition = {
      id: options.restore?.id ?? engine.newId(),
      database,
      name,
      type,
      isSystem: name.startsWith('_'),
      waitForSync: options.waitForSync === true,
      keyOptions,
      schema: parseCollectionSchema(options.schema),
      indexes,
      counter: 0,
    };
    await engine.writeAtomic((tx) => {
      engine.putCollection(def);
      tx.log({ tick: tx.nextTick(), type: LOG_COLLECTION_CREATE, database, collection: name, cid: def.id, data: def });
    });
    return engine.registerCollection(def);
  });
}

/** Drops a collection; system collections only with `isSystem` (ArangoDB's rule). */
export async function dropCollection(engine: StorageEngine, database: string, name: string, isSystem = false): Promise<string> {
  return engine.ddl(async () => {
    const c = engine.collection(database, name);
    const def = c.definition;
    if (def.isSystem && !isSystem) throw new ArangoError('ERROR_FORBIDDEN', 'cannot drop a system collection without isSystem=true');
    await engine.writeAtomic((tx) => {
      engine.removeCollection(def);
      tx.log({ tick: tx.nextTick(), type: LOG_COLLECTION_DROP, database, collection: def.name, cid: def.id });
    });
    engine.unregisterCollection(def);
    return def.id;
  });
}

/** Renames a collection (documents' `_id` follow). Throws 1207 when the new name is taken. */
export async function renameCollection(engine: StorageEngine, database: string, name: string, newName: string): Promise<Collection> {
  if (!isValidCollectionName(newName)) throw new ArangoError('ERROR_ARANGO_ILLEGAL_NAME', `illegal name: '${newName}'`);
  return engine.ddl(async () => {
    const c = engine.collection(database, name);
    if (c.definition.isSystem) throw new ArangoError('ERROR_FORBIDDEN', 'cannot rename a system collection');
    if (engine.findCollection(database, newName)) throw new ArangoError('ERROR_ARANGO_DUPLICATE_NAME', `duplicate name: ${newName}`);
    const oldName = c.name;
    const def: CollectionDefinition = { ...c.definition, name: newName };
    await engine.writeAtomic((tx) => {
      engine.putCollection(def);
      c.rewriteIds(newName);
      tx.log({ tick: tx.nextTick(), type: LOG_COLLECTION_RENAME, database, collection: oldName, cid: def.id, data: { name: newName } });
    });
    c.setDefinition(def);
    engine.renameRegistered(database, oldName, c);
    return c;
  });
}

/** Removes all documents of a collection. */
export async function truncateCollection(engine: StorageEngine, database: string, name: string): Promise<Collection> {
  return engine.ddl(async () => {
    const c = engine.collection(database, name);
    await engine.writeAtomic((tx) => {
      tx.log({ tick: tx.nextTick(), type: LOG_COLLECTION_TRUNCATE, database, collection: c.name, cid: c.definition.id });
      engine.truncateInTransaction(tx, c);
    });
    return c;
  });
}

/** Changes `waitForSync` and `schema` (the properties kitsune honours). */
export async function changeCollectionProperties(
  engine: StorageEngine,
  database: string,
  name: string,
  props: { waitForSync?: unknown; schema?: unknown },
): Promise<Collection> {
  return engine.ddl(async () => {
    const c = engine.collection(database, name);
    const def: CollectionDefinition = {
      ...c.definition,
      waitForSync: typeof props.waitForSync === 'boolean' ? props.waitForSync : c.definition.waitForSync,
      schema: props.schema === undefined ? c.definition.schema : parseCollectionSchema(props.schema),
    };
    await engine.writeAtomic((tx) => {
      engine.putCollection(def);
      tx.log({ tick: tx.nextTick(), type: LOG_COLLECTION_CHANGE, database, collection: def.name, cid: def.id, data: def });
    });
    c.setDefinition(def);
    return c;
  });
}

/** Index creation request (ArangoDB's POST /_api/index body, persistent indexes). */
export interface CreateIndexOptions {
  readonly type: string;
  readonly fields: unknown;
  readonly unique?: unknown;
  readonly sparse?: unknown;
  readonly name?: unknown;
  /** The whole request body, for the type-specific attributes of non-persistent indexes. */
  readonly body?: Readonly<Record<string, unknown>>;
  /** Replication applier: keep the leader's index id. */
  readonly id?: string;
}

/** Creates a persistent index, or returns the identical existing one (`isNewlyCreated: false`). */
export async function createIndex(
  engine: StorageEngine,
  database: string,
  collection: string,
  options: CreateIndexOptions,
): Promise<{ index: IndexDefinition; isNewlyCreated: boolean }> {
  const type = options.type === 'hash' || options.type === 'skiplist' ? 'persistent' : options.type;
  if (type !== 'persistent') {
    const accepted = ACCEPTED_INDEX_TYPES.find((t) => t === type);
    if (!accepted) throw new ArangoError('ERROR_BAD_PARAMETER', `index type '${String(options.type)}' is not supported`);
    return createAcceptedIndex(engine, database, collection, accepted, options);
  }
  const fields = options.fields;
  if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f): f is string => typeof f === 'string' && f.length > 0)) {
    throw new ArangoError('ERROR_BAD_PARAMETER', 'fields must be a non-empty array of attribute paths');
  }
  const unique = options.unique === true;
  const sparse = options.sparse === true;
  return engine.ddl(async () => {
    const c = engine.collection(database, collection);
    const same = c.definition.indexes.find(
      (ix) => ix.type === 'persistent' && ix.unique === unique && ix.sparse === sparse && ix.fields.join('\0') === fields.join('\0'),
    );
    if (same) return { index: same, isNewlyCreated: false };
    const id = options.id ?? engine.newId();
    const name = typeof options.name === 'string' && options.name !== '' ? options.name : `idx_${id}`;
    if (c.definition.indexes.some((ix) => ix.name === name)) throw new ArangoError('ERROR_ARANGO_DUPLICATE_NAME', `duplicate index name '${name}'`);
    const index: IndexDefinition = { id, type: 'persistent', name, fields, unique, sparse };
    const def: CollectionDefinition = { ...c.definition, indexes: [...c.definition.indexes, index] };
    try {
      await engine.writeAtomic((tx) => {
        c.buildIndex(index);
        engine.putCollection(def);
        tx.log({ tick: tx.nextTick(), type: LOG_INDEX_CREATE, database, collection: def.name, cid: def.id, data: index });
      });
    } catch (err) {
      c.clearIndex(index.id);
      throw err;
    }
    c.setDefinition(def);
    return { index, isNewlyCreated: true };
  });
}

/** Type-specific attributes kept for each accepted index type (ArangoDB's names). */
const INDEX_OPTIONS: Record<AcceptedIndexType, readonly string[]> = {
  geo: ['geoJson', 'legacyPolygons'],
  mdi: ['fieldValueTypes', 'estimates'],
  'mdi-prefixed': ['fieldValueTypes', 'prefixFields', 'storedValues', 'estimates'],
  inverted: ['analyzer', 'features', 'includeAllFields', 'trackListPositions', 'searchField', 'primarySort', 'storedValues', 'parallelism', 'cache',
    'consolidationPolicy', 'consolidationIntervalMsec', 'commitIntervalMsec', 'cleanupIntervalStep', 'writebufferIdle', 'writebufferActive', 'writebufferSizeMax', 'primaryKeyCache', 'optimizeTopK'],
  ttl: ['expireAfter'],
  fulltext: ['minLength'],
};

/** Creates a geo, mdi, inverted, ttl or fulltext index (kept in the catalog with its attributes). */
async function createAcceptedIndex(
  engine: StorageEngine,
  database: string,
  collection: string,
  type: AcceptedIndexType,
  options: CreateIndexOptions,
): Promise<{ index: IndexDefinition; isNewlyCreated: boolean }> {
  const raw = options.fields;
  // inverted indexes take `{ name, … }` objects as fields
  const fields = Array.isArray(raw) ? raw.map((f) => (isObject(f) && typeof f['name'] === 'string' ? f['name'] : f)) : raw;
  if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f): f is string => typeof f === 'string' && f.length > 0)) {
    throw new ArangoError('ERROR_BAD_PARAMETER', 'fields must be a non-empty array of attribute paths');
  }
  const body = options.body ?? {};
  const extra: Record<string, unknown> = {};
  for (const k of INDEX_OPTIONS[type]) if (body[k] !== undefined) extra[k] = body[k];
  if ((type === 'ttl' || type === 'fulltext') && fields.length !== 1) throw new ArangoError('ERROR_BAD_PARAMETER', `a ${type} index needs exactly one field`);
  if (type === 'geo' && fields.length > 2) throw new ArangoError('ERROR_BAD_PARAMETER', 'a geo index takes one or two fields');
  if (type === 'ttl' && (typeof extra['expireAfter'] !== 'number' || extra['expireAfter'] < 0)) {
    throw new ArangoError('ERROR_BAD_PARAMETER', 'expireAfter attribute must be a number greater than or equal to 0');
  }
  if ((type === 'mdi' || type === 'mdi-prefixed') && extra['fieldValueTypes'] !== 'double') {
    throw new ArangoError('ERROR_BAD_PARAMETER', "fieldValueTypes must be set to 'double'");
  }
  const prefixFields = extra['prefixFields'];
  if (type === 'mdi-prefixed' && !(Array.isArray(prefixFields) && prefixFields.length > 0 && prefixFields.every((f) => typeof f === 'string' && f !== ''))) {
    throw new ArangoError('ERROR_BAD_PARAMETER', 'prefixFields must be a non-empty array of attribute paths');
  }
  if (type === 'geo') {
    extra['geoJson'] = extra['geoJson'] === true;
    extra['legacyPolygons'] = extra['legacyPolygons'] === true;
  }
  if (type === 'fulltext' && typeof extra['minLength'] !== 'number') extra['minLength'] = 2;
  if (type === 'inverted') {
    // ArangoDB 3.12's tier policy defaults; given members (also newer ones) are kept as sent
    const given = isObject(extra['consolidationPolicy']) ? extra['consolidationPolicy'] : {};
    extra['consolidationPolicy'] = { type: 'tier', segmentsBytesFloor: 2097152, segmentsBytesMax: 5368709120, segmentsMax: 10, segmentsMin: 1, minScore: 0, ...given };
  }
  const unique = type === 'mdi-prefixed' || type === 'mdi' ? options.unique === true : false;
  const sparse = type === 'geo' || type === 'fulltext' || type === 'ttl' ? true : options.sparse === true;
  return engine.ddl(async () => {
    const c = engine.collection(database, collection);
    if (type === 'ttl' && c.definition.indexes.some((ix) => ix.type === 'ttl')) {
      const same = c.definition.indexes.find((ix) => ix.type === 'ttl' && ix.fields[0] === fields[0] && ix.options?.['expireAfter'] === extra['expireAfter']);
      if (same) return { index: same, isNewlyCreated: false };
      throw new ArangoError('ERROR_BAD_PARAMETER', 'there can only be one ttl index per collection');
    }
    const same = c.definition.indexes.find(
      (ix) => ix.type === type && ix.fields.join('\0') === fields.join('\0') && JSON.stringify(ix.options ?? {}) === JSON.stringify(extra),
    );
    if (same) return { index: same, isNewlyCreated: false };
    const id = options.id ?? engine.newId();
    const name = typeof options.name === 'string' && options.name !== '' ? options.name : `idx_${id}`;
    if (c.definition.indexes.some((ix) => ix.name === name)) throw new ArangoError('ERROR_ARANGO_DUPLICATE_NAME', `duplicate index name '${name}'`);
    const index: IndexDefinition = { id, type, name, fields, unique, sparse, options: extra };
    const def: CollectionDefinition = { ...c.definition, indexes: [...c.definition.indexes, index] };
    await engine.writeAtomic((tx) => {
      // geo, fulltext and mdi indexes are stored (and used by queries); inverted and ttl ones are catalog entries
      c.buildIndex(index);
      engine.putCollection(def);
      tx.log({ tick: tx.nextTick(), type: LOG_INDEX_CREATE, database, collection: def.name, cid: def.id, data: index });
    });
    c.setDefinition(def);
    return { index, isNewlyCreated: true };
  });
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Drops an index by id; primary and edge indexes cannot be dropped (1212 when unknown). */
export async function dropIndex(engine: StorageEngine, database: string, collection: string, indexId: string): Promise<void> {
  await engine.ddl(async () => {
    const c = engine.collection(database, collection);
    const ix = c.definition.indexes.find((i) => i.id === indexId || i.name === indexId);
    if (!ix) throw new ArangoError('ERROR_ARANGO_INDEX_NOT_FOUND');
    if (ix.type === 'primary' || ix.type === 'edge') throw new ArangoError('ERROR_FORBIDDEN', 'cannot drop primary or edge index');
    const def: CollectionDefinition = { ...c.definition, indexes: c.definition.indexes.filter((i) => i.id !== ix.id) };
    await engine.writeAtomic((tx) => {
      engine.putCollection(def);
      tx.log({ tick: tx.nextTick(), type: LOG_INDEX_DROP, database, collection: def.name, cid: def.id, data: { id: ix.id } });
      engine.dropIndexInTransaction(tx, c, ix.id);
    });
    c.setDefinition(def);
  });
}
