import { ArangoError } from '../errors/index.ts';
import type {
  AqlDocument, CollectionDescription, CollectionType, DataSource, GraphDefinition, IndexDescription, IndexScanRange,
  WriteOptions, WriteResult,
} from './data-source.ts';
import { compareStrings, compareValues, isObject } from './values.ts';

interface MemoryCollection {
  readonly name: string;
  readonly type: CollectionType;
  readonly indexes: IndexDescription[];
  docs: Map<string, AqlDocument>;
  schema?: unknown;
}

const KEY_RE = /^[a-zA-Z0-9_\-:.@()+,=;$!*'%]{1,254}$/;
const SYSTEM = new Set(['_key', '_id', '_rev']);

/** Reads a dotted attribute path; a missing attribute yields null (as an index stores it). */
export function readPath(doc: Readonly<Record<string, unknown>>, path: string): unknown {
  let v: unknown = doc;
  for (const part of path.split('.')) {
    if (!isObject(v)) return null;
    v = v[part];
  }
  return v ?? null;
}

function compareTuples(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * An in-memory {@link DataSource} that mimics the storage's semantics (key generation,
 * `_rev`, unique constraints, ArangoDB write options) and supports transactions
 * (`begin` / `commit` / `abort`) so tests can check modification atomicity.
 */
export class MemoryDataSource implements DataSource {
  private cols = new Map<string, MemoryCollection>();
  private readonly graphs = new Map<string, GraphDefinition>();
  private keyCounter = 100;
  private revCounter = 1000;
  private snapshot: Map<string, MemoryCollection> | undefined;

  /** Creates a collection (type 2 document, 3 edge) with its primary (and edge) index. */
  createCollection(name: string, type: CollectionType = 2): this {
    const indexes: IndexDescription[] = [{ id: `${name}/0`, name: 'primary', type: 'primary', fields: ['_key'], unique: true, sparse: false }];
    if (type === 3) indexes.push({ id: `${name}/1`, name: 'edge', type: 'edge', fields: ['_from', '_to'], unique: false, sparse: false });
    this.cols.set(name, { name, type, indexes, docs: new Map() });
    return this;
  }

  /** Sets the collection's schema property (as returned by SCHEMA_GET). */
  setSchema(collection: string, schema: unknown): this {
    this.get(collection).schema = schema;
    return this;
  }

  /** Adds a persistent index. */
  ensureIndex(collection: string, fields: string[], options: { unique?: boolean; sparse?: boolean; name?: string } = {}): IndexDescription {
    const c = this.get(collection);
    const id = `${collection}/${c.indexes.length + 10}`;
    const idx: IndexDescription = {
      id, name: options.name ?? `idx_${c.indexes.length + 10}`, type: 'persistent', fields, unique: options.unique ?? false, sparse: options.sparse ?? false,
    };
    c.indexes.push(idx);
    return idx;
  }

  /** Defines a named graph. */
  defineGraph(def: GraphDefinition): void {
    this.graphs.set(def.name, def);
  }

  /** Starts a transaction: `abort()` restores the state as of this call. */
  begin(): void {
    const copy = new Map<string, MemoryCollection>();
    for (const [k, c] of this.cols) copy.set(k, { ...c, indexes: [...c.indexes], docs: new Map(c.docs) });
    this.snapshot = copy;
  }

  commit(): void {
    this.snapshot = undefined;
  }

  abort(): void {
    if (this.snapshot !== undefined) this.cols = this.snapshot;
    this.snapshot = undefined;
  }

  collections(): readonly CollectionDescription[] {
    return [...this.cols.values()].map((c) => ({ name: c.name, type: c.type, indexes: c.indexes, schema: c.schema ?? null }));
  }

  collection(name: string): CollectionDescription | undefined {
    const c = this.cols.get(name);
    return c === undefined ? undefined : { name: c.name, type: c.type, indexes: c.indexes, schema: c.schema ?? null };
  }

  count(collection: string): number {
    return this.get(collection).docs.size;
  }

  document(collection: string, key: string): AqlDocument | undefined {
    return this.get(collection).docs.get(key);
  }

  *scan(collection: string): Iterable<AqlDocument> {
    for (const d of this.get(collection).docs.values()) yield d;
  }

  *indexScan(collection: string, indexId: string, range: IndexScanRange): Iterable<AqlDocument> {
    const c = this.get(collection);
    const idx = c.indexes.find((i) => i.id === indexId);
    if (idx === undefined) throw new ArangoError('ERROR_ARANGO_INDEX_NOT_FOUND');
    const rows: { t: unknown[]; d: AqlDocument }[] = [];
    for (const d of c.docs.values()) {
      const t = idx.fields.map((f) => readPath(d, f));
      if (idx.sparse && t.some((v) => v === null)) continue;
      if (!this.inRange(t, range)) continue;
      rows.push({ t, d });
    }
    rows.sort((a, b) => compareTuples(a.t, b.t) || compareStrings(a.d._key, b.d._key));
    if (range.reverse) rows.reverse();
    for (const r of rows) yield r.d;
  }

  private inRange(t: readonly unknown[], range: IndexScanRange): boolean {
    for (let i = 0; i < range.equal.length; i++) if (compareValues(t[i], range.equal[i]) !== 0) return false;
    const v = t[range.equal.length];
    if (range.lower !== undefined) {
      const c = compareValues(v, range.lower.value);
      if (c < 0 || (c === 0 && !range.lower.inclusive)) return false;
    }
    if (range.upper !== undefined) {
      const c = compareValues(v, range.upper.value);
      if (c > 0 || (c === 0 && !range.upper.inclusive)) return false;
    }
    return true;
  }

  *edges(collection: string, direction: 'out' | 'in', vertexId: string): Iterable<AqlDocument> {
    const attr = direction === 'out' ? '_from' : '_to';
    for (const d of this.get(collection).docs.values()) if (d[attr] === vertexId) yield d;
  }

  graph(name: string): GraphDefinition | undefined {
    return this.graphs.get(name);
  }

  insert(collection: string, doc: Readonly<Record<string, unknown>>, options: WriteOptions): WriteResult {
    const c = this.get(collection);
    if (!isObject(doc)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
    let key: string;
    if (doc['_key'] !== undefined && doc['_key'] !== null) {
      if (typeof doc['_key'] !== 'string' || !KEY_RE.test(doc['_key'])) throw new ArangoError('ERROR_ARANGO_DOCUMENT_KEY_BAD');
      key = doc['_key'];
    } else {
      do key = String(++this.keyCounter); while (c.docs.has(key));
    }
    const existing = c.docs.get(key);
    if (existing !== undefined) {
      const mode = options.overwriteMode ?? 'conflict';
      if (mode === 'ignore') return { new: null, old: existing };
      if (mode === 'replace') return this.replace(collection, key, doc, { ...options, ignoreRevs: true });
      if (mode === 'update') return this.update(collection, key, doc, { ...options, ignoreRevs: true });
      throw new ArangoError('ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED', `unique constraint violated - in index primary of type primary over '_key'; conflicting key: ${key}`, { extra: { _key: key } });
    }
    const stored = this.build(c, key, doc);
    this.checkUnique(c, stored, undefined);
    c.docs.set(key, stored);
    return { new: stored, old: null };
  }

  update(collection: string, key: string, patch: Readonly<Record<string, unknown>>, options: WriteOptions): WriteResult {
    const c = this.get(collection);
    const old = this.existing(c, key, options);
    const merged = mergePatch(old, patch, options.keepNull ?? true, options.mergeObjects ?? true);
    const stored = this.build(c, key, merged);
    this.checkUnique(c, stored, key);
    c.docs.set(key, stored);
    return { new: stored, old };
  }

  replace(collection: string, key: string, doc: Readonly<Record<string, unknown>>, options: WriteOptions): WriteResult {
    const c = this.get(collection);
    const old = this.existing(c, key, options);
    const body: Record<string, unknown> = { ...doc };
    if (c.type === 3) {
      if (body['_from'] === undefined) body['_from'] = old['_from'];
      if (body['_to'] === undefined) body['_to'] = old['_to'];
    }
    const stored = this.build(c, key, body);
    this.checkUnique(c, stored, key);
    c.docs.set(key, stored);
    return { new: stored, old };
  }

  remove(collection: string, key: string, options: WriteOptions): WriteResult {
    const c = this.get(collection);
    const old = this.existing(c, key, options);
    c.docs.delete(key);
    return { new: null, old };
  }

  private existing(c: MemoryCollection, key: string, options: WriteOptions): AqlDocument {
    const old = c.docs.get(key);
    if (old === undefined) throw new ArangoError('ERROR_ARANGO_DOCUMENT_NOT_FOUND');
    if (options.ignoreRevs === false && options.expectedRev !== undefined && options.expectedRev !== old._rev) {
      throw new ArangoError('ERROR_ARANGO_CONFLICT', 'conflict, _rev values do not match', { extra: { _key: key, _rev: old._rev } });
    }
    return old;
  }

  private build(c: MemoryCollection, key: string, body: Readonly<Record<string, unknown>>): AqlDocument {
    const out: Record<string, unknown> = { _key: key, _id: `${c.name}/${key}`, _rev: `_${(++this.revCounter).toString(36)}` };
    for (const k of Object.keys(body)) if (!SYSTEM.has(k)) out[k] = body[k];
    if (c.type === 3) {
      const ok = (v: unknown): boolean => typeof v === 'string' && /^[^/]+\/[^/]+$/.test(v);
      if (!ok(out['_from']) || !ok(out['_to'])) throw new ArangoError('ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE');
    }
    return out as AqlDocument;
  }

  private checkUnique(c: MemoryCollection, doc: AqlDocument, selfKey: string | undefined): void {
    for (const idx of c.indexes) {
      if (idx.type !== 'persistent' || !idx.unique) continue;
      const t = idx.fields.map((f) => readPath(doc, f));
      if (idx.sparse && t.some((v) => v === null)) continue;
      for (const other of c.docs.values()) {
        if (other._key === selfKey) continue;
        const o = idx.fields.map((f) => readPath(other, f));
        if (compareTuples(t, o) === 0) {
          throw new ArangoError('ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED', `unique constraint violated - in index ${idx.name} of type persistent over '${idx.fields.join(', ')}'; conflicting key: ${other._key}`, { extra: { _key: other._key } });
        }
      }
    }
  }

  private get(name: string): MemoryCollection {
    const c = this.cols.get(name);
    if (c === undefined) throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND', `collection or view not found: ${name}`);
    return c;
  }
}

/** Applies an UPDATE patch with ArangoDB's keepNull / mergeObjects semantics. */
export function mergePatch(
  old: Readonly<Record<string, unknown>>, patch: Readonly<Record<string, unknown>>, keepNull: boolean, mergeObjects: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...old };
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null && !keepNull) { delete out[k]; continue; }
    const cur = out[k];
    if (mergeObjects && isObject(v) && isObject(cur)) out[k] = mergePatch(cur, v, keepNull, true);
    else out[k] = keepNull || !isObject(v) ? v : stripNulls(v);
  }
  return out;
}

function stripNulls(o: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === null) continue;
    out[k] = isObject(v) ? stripNulls(v) : v;
  }
  return out;
}
