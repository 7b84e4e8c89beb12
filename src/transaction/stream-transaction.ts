import type { Transaction } from 'lmdb';
import { ArangoError } from '../errors/index.ts';
import {
  buildDocument,
  checkSchema,
  MAX_DOCUMENT_BYTES,
  encodeRevision,
  generateKey,
  isPlainObject,
  isValidKey,
  mdiEntries,
  mergePatch,
  readPath,
  type Collection,
  type Document,
  type StorageEngine,
  type WriteOptions,
  type WriteResult,
} from '../storage/index.ts';

/** What a stream transaction declared at `begin` (ArangoDB's `collections` and options). */
export interface TransactionOptions {
  readonly read: readonly string[];
  readonly write: readonly string[];
  readonly exclusive: readonly string[];
  readonly allowImplicit: boolean;
  readonly waitForSync: boolean;
  readonly lockTimeoutS: number;
  readonly maxTransactionSize: number;
}

/** ArangoDB's transaction states as `/_api/transaction/{id}` reports them. */
export type TransactionStatus = 'running' | 'committed' | 'aborted';

/** Key locks shared by all open stream transactions (owned by the manager). */
export interface KeyLocks {
  /** Takes the write lock of `collectionId/key` for `trxId`; throws 1200 when another transaction holds it. */
  acquire(trxId: string, lockKey: string): void;
}


/** Per collection: the transaction's own version of each key it wrote (null = removed). */
type Overlay = Map<string, Document | null>;

/**
 * One stream transaction: a read snapshot of the whole environment (an LMDB read transaction
 * pinned at `begin`) plus an in-memory overlay of the transaction's own writes. Reads see
 * the snapshot with the overlay on top (read-your-own-writes); nobody else sees the overlay.
 * Writing a key takes its lock (a second transaction writing it fails with 1200) and checks
 * that nobody committed the key after the snapshot (snapshot isolation, first committer wins).
 * `commit` applies the overlay in one atomic, durable LMDB transaction, which is also one
 * contiguous run of operation-log entries.
 */
export class StreamTransaction {
  readonly id: string;
  readonly database: string;
  readonly options: TransactionOptions;
  #status: TransactionStatus = 'running';
  readonly #engine: StorageEngine;
  readonly #locks: KeyLocks;
  readonly #snapshot: Transaction;
  readonly #overlays = new Map<string, Overlay>();
  /** `_rev` of each written key as of the snapshot (null = absent), to detect concurrent commits. */
  readonly #baseRevs = new Map<string, Map<string, string | null>>();
  readonly #counters = new Map<string, number>();
  #bytes = 0;
  /** Milliseconds since the epoch of the last use (idle timeout). */
  lastUsedMs = Date.now();
  /** Requests currently running inside the transaction (never expire while > 0). */
  busy = 0;
  /** This transaction's own idle timeout in milliseconds (undefined: the server's). */
  idleLimitMs: number | undefined;

  constructor(init: { id: string; database: string; options: TransactionOptions; engine: StorageEngine; locks: KeyLocks }) {
    this.id = init.id;
    this.database = init.database;
    this.options = init.options;
    this.#engine = init.engine;
    this.#locks = init.locks;
    this.#snapshot = init.engine.env.useReadTransaction();
  }

  get status(): TransactionStatus {
    return this.#status;
  }

  /** The pinned read snapshot (for index and edge scans). */
  get snapshot(): Transaction {
    return this.#snapshot;
  }

  /** Throws unless the transaction is still running (1655 gone, 1653 finished). */
  assertRunning(): void {
    if (this.#status !== 'running') {
      throw new ArangoError('ERROR_TRANSACTION_DISALLOWED_OPERATION', `transaction '${this.id}' is not running (${this.#status})`);
    }
  }

  /** A collection the transaction may read (declared, or any with allowImplicit). Throws 1652 otherwise. */
  readable(name: string): Collection {
    const c = this.#engine.collection(this.database, name);
    if (!this.options.allowImplicit && !this.#declared(c.name, true)) {
      throw new ArangoError('ERROR_TRANSACTION_UNREGISTERED_COLLECTION', `collection '${c.name}' is not registered for reading in transaction ${this.id}`);
    }
    return c;
  }

  /** A collection the transaction may write (declared in `write` or `exclusive`). Throws 1652 otherwise. */
  writable(name: string): Collection {
    const c = this.#engine.collection(this.database, name);
    if (!this.#declared(c.name, false)) {
      throw new ArangoError('ERROR_TRANSACTION_UNREGISTERED_COLLECTION', `collection '${c.name}' is not registered for writing in transaction ${this.id}`);
    }
    return c;
  }

  #declared(name: string, orRead: boolean): boolean {
    const { read, write, exclusive } = this.options;
    const id = this.#engine.findCollection(this.database, name)?.definition.id;
    const hit = (list: readonly string[]): boolean => list.some((n) => n === name || n === id);
    return hit(write) || hit(exclusive) || (orRead && hit(read));
  }

  /** The overlay of a collection, if the transaction wrote to it. */
  overlay(c: Collection): ReadonlyMap<string, Document | null> | undefined {
    return this.#overlays.get(c.definition.id);
  }

  /** The document as this transaction sees it: its own write, else the snapshot. */
  get(c: Collection, key: string): Document | undefined {
    const own = this.#overlays.get(c.definition.id)?.get(key);
    if (own !== undefined) return own ?? undefined;
    const raw = c.getRawAt(key, this.#snapshot);
    return raw ? (JSON.parse(raw.toString('utf8')) as Document) : undefined;
  }

  /** Number of documents as this transaction sees them. */
  count(c: Collection): number {
    let n = c.countAt(this.#snapshot);
    const base = this.#baseRevs.get(c.definition.id);
    for (const [key, doc] of this.#overlays.get(c.definition.id) ?? []) {
      const existed = (base?.get(key) ?? null) !== null;
      n += (doc !== null ? 1 : 0) - (existed ? 1 : 0);
    }
    return n;
  }

  /** Every document as this transaction sees it (snapshot order, then the transaction's new keys). */
  *all(c: Collection): Generator<Document> {
    const own = this.#overlays.get(c.definition.id);
    for (const doc of c.allAt(this.#snapshot)) {
      if (!own?.has(doc._key)) yield doc;
    }
    for (const doc of own?.values() ?? []) if (doc) yield doc;
  }

  // ---- writes (ArangoDB's document semantics, applied to the overlay) ----------------------------

  insert(c: Collection, input: unknown, opts: WriteOptions = {}): WriteResult {
    if (!isPlainObject(input)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
    const givenKey = input['_key'];
    let key: string;
    if (givenKey !== undefined) {
      if (!c.definition.keyOptions.allowUserKeys) throw new ArangoError('ERROR_ARANGO_DOCUMENT_KEY_UNEXPECTED');
      if (typeof givenKey !== 'string' || !isValidKey(givenKey)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_KEY_BAD');
      const old = this.get(c, givenKey);
      if (old) {
        const mode = opts.overwriteMode ?? 'conflict';
        if (mode === 'ignore') {
          const meta = { _id: old._id, _key: old._key, _rev: old._rev };
          return opts.returnOld ? { ...meta, old } : meta;
        }
        if (mode === 'replace') return this.replace(c, givenKey, input, { ...opts, ignoreRevs: true });
        if (mode === 'update') return this.update(c, givenKey, input, { ...opts, ignoreRevs: true });
        throw new ArangoError(
          'ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED',
          `unique constraint violated - in index primary of type primary over '_key'; conflicting key: ${givenKey}`,
          { extra: { _key: givenKey } },
        );
      }
      key = givenKey;
    } else key = this.#newKey(c);
    const doc = this.#build(c, key, input, undefined);
    checkSchema(c.definition.schema, doc, undefined);
    this.#put(c, doc, undefined);
    return result(doc, undefined, opts);
  }

  replace(c: Collection, key: string, input: unknown, opts: WriteOptions = {}): WriteResult {
    if (!isPlainObject(input)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
    const old = this.#existing(c, key, input, opts);
    const doc = this.#build(c, key, input, undefined);
    checkSchema(c.definition.schema, doc, old);
    this.#put(c, doc, old);
    return result(doc, old, opts);
  }

  update(c: Collection, key: string, input: unknown, opts: WriteOptions = {}): WriteResult {
    if (!isPlainObject(input)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
    const old = this.#existing(c, key, input, opts);
    const merged = mergePatch(old, input, opts.keepNull ?? true, opts.mergeObjects ?? true);
    const doc = this.#build(c, key, merged, old);
    checkSchema(c.definition.schema, doc, old);
    this.#put(c, doc, old);
    return result(doc, old, opts);
  }

  remove(c: Collection, key: string, opts: WriteOptions = {}, revFromBody?: unknown): WriteResult {
    const old = this.#existing(c, key, revFromBody === undefined ? {} : { _rev: revFromBody }, opts);
    this.#lock(c, key);
    this.#overlayOf(c).set(key, null);
    const res: WriteResult = { _id: old._id, _key: key, _rev: old._rev };
    return opts.returnOld ? { ...res, old } : res;
  }

  /**
   * Runs `fn` so that its writes stand or fall together (an AQL query inside the transaction):
   * if it throws, the overlay is put back as it was.
   */
  atomically<T>(fn: () => T): T {
    const saved = new Map([...this.#overlays].map(([id, o]) => [id, new Map(o)] as const));
    const bytes = this.#bytes;
    try {
      return fn();
    } catch (err) {
      this.#overlays.clear();
      for (const [id, o] of saved) this.#overlays.set(id, o);
      this.#bytes = bytes;
      throw err;
    }
  }

  // ---- end of life --------------------------------------------------------------------------------

  /**
   * Applies every write in one atomic, durable LMDB transaction. Throws 1200 (and changes
   * nothing) when a key was committed by someone else after this transaction's snapshot.
   */
  async commit(): Promise<void> {
    this.assertRunning();
    try {
      if (this.#overlays.size > 0) {
        await this.#engine.writeAtomic((tx) => {
          for (const [cid, overlay] of this.#overlays) {
            const c = this.#engine.findCollection(this.database, cid);
            if (!c) throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND', `collection ${cid} was dropped during the transaction`);
            const base = this.#baseRevs.get(cid);
            for (const [key, doc] of overlay) {
              const current = c.get(key);
              if ((current?._rev ?? null) !== (base?.get(key) ?? null)) throw conflict(c, key);
              const restore: WriteOptions = { isRestore: true, ignoreRevs: true };
              if (doc === null) {
                if (current) c.remove(tx, key, restore);
              } else if (current) c.replace(tx, key, doc, restore);
              else c.insert(tx, doc, restore);
            }
          }
        });
      }
      this.#status = 'committed';
    } catch (err) {
      this.#status = 'aborted';
      throw err;
    } finally {
      this.#release();
    }
  }

  /** Discards every write. */
  abort(): void {
    this.assertRunning();
    this.#status = 'aborted';
    this.#release();
  }

  #release(): void {
    this.#overlays.clear();
    this.#snapshot.done();
  }

  // ---- internals ----------------------------------------------------------------------------------

  #overlayOf(c: Collection): Overlay {
    let o = this.#overlays.get(c.definition.id);
    if (!o) {
      o = new Map();
      this.#overlays.set(c.definition.id, o);
    }
    return o;
  }

  /** Locks a key on first write and checks nobody committed it after the snapshot. */
  #lock(c: Collection, key: string): void {
    const cid = c.definition.id;
    let base = this.#baseRevs.get(cid);
    if (base?.has(key)) return;
    this.#locks.acquire(this.id, `${cid}/${key}`);
    const snapRaw = c.getRawAt(key, this.#snapshot);
    const snapRev = snapRaw ? (JSON.parse(snapRaw.toString('utf8')) as Document)._rev : null;
    const currentRev = c.get(key)?._rev ?? null;
    if (snapRev !== currentRev) throw conflict(c, key);
    if (!base) {
      base = new Map();
      this.#baseRevs.set(cid, base);
    }
    base.set(key, snapRev);
  }

  #put(c: Collection, doc: Document, old: Document | undefined): void {
    const size = Buffer.byteLength(JSON.stringify(doc));
    if (size > MAX_DOCUMENT_BYTES) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TOO_LARGE');
    if (this.#bytes + size > this.options.maxTransactionSize) {
      throw new ArangoError('ERROR_RESOURCE_LIMIT', `transaction ${this.id} exceeds its maxTransactionSize`);
    }
    this.#lock(c, doc._key);
    this.#checkUnique(c, doc, old);
    this.#bytes += size;
    this.#overlayOf(c).set(doc._key, doc);
  }

  /** Unique persistent indexes, checked against what the transaction sees (again at commit by the storage). */
  #checkUnique(c: Collection, doc: Document, old: Document | undefined): void {
    for (const ix of c.definition.indexes) {
      if (ix.type !== 'mdi' && ix.type !== 'mdi-prefixed') continue;
      const key = JSON.stringify(mdiEntries(doc, ix)[0]?.key ?? null); // 1561 for a non-numeric value
      if (!ix.unique || key === 'null') continue;
      for (const other of this.#overlays.get(c.definition.id)?.values() ?? []) {
        if (!other || other._key === doc._key || other._key === old?._key || JSON.stringify(mdiEntries(other, ix)[0]?.key ?? null) !== key) continue;
        throw new ArangoError('ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED', `unique constraint violated - in index ${ix.name} of type ${ix.type} over '${ix.fields.join(', ')}'; conflicting key: ${other._key}`, { extra: { _key: other._key } });
      }
    }
    const unique = c.definition.indexes.filter((ix) => ix.type === 'persistent' && ix.unique);
    if (unique.length === 0) return;
    for (const ix of unique) {
      const values = ix.fields.map((f) => JSON.stringify(readPath(doc, f) ?? null));
      if (ix.sparse && ix.fields.some((f) => readPath(doc, f) == null)) continue;
      // the snapshot side is checked again by the storage at commit (its unique index is authoritative)
      for (const other of this.#overlays.get(c.definition.id)?.values() ?? []) {
        if (!other) continue;
        if (other._key === doc._key || other._key === old?._key) continue;
        if (ix.fields.every((f, i) => JSON.stringify(readPath(other, f) ?? null) === values[i])) {
          throw new ArangoError(
            'ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED',
            `unique constraint violated - in index ${ix.name} of type persistent over '${ix.fields.join(', ')}'; conflicting key: ${other._key}`,
            { extra: { _key: other._key } },
          );
        }
      }
    }
  }

  #newKey(c: Collection): string {
    const tick = Number(this.#engine.newId());
    const cid = c.definition.id;
    const counter = this.#counters.get(cid) ?? c.definition.counter;
    const gen = generateKey(c.definition.keyOptions, tick, counter);
    this.#counters.set(cid, gen.counter);
    return gen.key;
  }

  #existing(c: Collection, key: string, input: Record<string, unknown>, opts: WriteOptions): Document {
    if (!isValidKey(key)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_KEY_BAD');
    const old = this.get(c, key);
    if (!old) throw new ArangoError('ERROR_ARANGO_DOCUMENT_NOT_FOUND', undefined, { extra: { _id: `${c.name}/${key}`, _key: key } });
    let expected = opts.expectedRev;
    if (expected === undefined && opts.ignoreRevs === false && typeof input['_rev'] === 'string' && input['_rev'] !== '') expected = input['_rev'];
    if (expected !== undefined && expected !== old._rev) {
      throw new ArangoError('ERROR_ARANGO_CONFLICT', 'conflict, _rev values do not match', {
        httpStatus: 412,
        extra: { _id: old._id, _key: old._key, _rev: old._rev },
      });
    }
    return old;
  }

  #build(c: Collection, key: string, input: Record<string, unknown>, old: Document | undefined): Document {
    return buildDocument(c.definition, key, encodeRevision(Number(this.#engine.newId())), input, old);
  }

}

function result(doc: Document, old: Document | undefined, opts: WriteOptions): WriteResult {
  const res: { -readonly [K in keyof WriteResult]: WriteResult[K] } = { _id: doc._id, _key: doc._key, _rev: doc._rev };
  if (old) res._oldRev = old._rev;
  if (opts.returnNew) res.new = doc;
  if (opts.returnOld && old) res.old = old;
  return res;
}

function conflict(c: Collection, key: string): ArangoError {
  return new ArangoError('ERROR_ARANGO_CONFLICT', 'write-write conflict', { extra: { _id: `${c.name}/${key}`, _key: key } });
}
