import path from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { Logger } from 'pino';
import { ArangoError } from '../errors/index.ts';
import { Collection, collectionDbNames, subDbName, type WriteContext } from './collection.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { indexKeyFormat } from './index-codec.ts';
import { LogUnitWriter, OperationLog, type LogRetention } from './oplog.ts';
import { SpaceReclaimer } from './space-reclaimer.ts';
import { TransactionHooks } from './tx-hooks.ts';
import { TickClock } from './tick-clock.ts';
import type { CollectionDefinition, DatabaseDefinition, LogEntry } from './types.ts';
import { WriteHealthTracker, guardCommitRejections, type WriteHealth } from './write-errors.ts';

/** Storage settings (the `storage` slice of the server configuration). */
export interface StorageOptions {
  readonly dataDir: string;
  readonly retention: LogRetention;
}

type MetaValue = DatabaseDefinition | CollectionDefinition | number | string;

/** Called after a transaction has committed durably, with the newest tick. */
export type CommitListener = (lastTick: number) => void;

/**
 * The storage engine: one LMDB environment holding the catalog (`meta`), one sub-database per
 * collection and index, and the operation log. Single writer: every change goes through
 * `write()`, which runs the callback in an lmdb-js child transaction (batched with concurrent
 * writes into one durable commit; a throw aborts only this callback's changes). The promise
 * resolves once the commit is on disk (overlappingSync off), so an acknowledged write is durable.
 */
export class StorageEngine {
  readonly env: RootDatabase;
  readonly oplog: OperationLog;
  readonly #meta: Database<MetaValue, string>;
  readonly #log: Logger;
  readonly #txHooks: TransactionHooks;
  readonly #unlock: () => void;
  readonly #databases = new Map<string, DatabaseDefinition>();
  /** database name → collection name → collection */
  readonly #collections = new Map<string, Map<string, Collection>>();
  readonly #listeners = new Set<CommitListener>();
  /** The tick sequence, shared with query workers (see `tickBuffer`). */
  readonly #clock = new TickClock();
  /** The newest tick known to be flushed to disk: readers outside the server (followers) see no further. */
  #durableTick = 0;
  #queue: Array<{ fn: (tx: WriteContext) => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }> = [];
  #flushing = false;
  #ddl: Promise<unknown> = Promise.resolve();
  #stopPruning: () => void = () => undefined;
  #reclaimer: SpaceReclaimer | undefined;
  /** Write outages (disk full): the error writers get, the probe that ends them. */
  readonly #health: WriteHealthTracker;

  private constructor(env: RootDatabase, log: Logger, unlock: () => void, dataDir: string) {
    this.env = env;
    this.#log = log;
    this.#txHooks = new TransactionHooks(log);
    this.#unlock = unlock;
    // while writes fail, an empty commit now and then finds out when space has returned
    this.#health = new WriteHealthTracker(dataDir, log, () => {
      if (this.#queue.length === 0 && !this.#flushing) this.write(() => undefined).catch(() => undefined);
    });
    this.#meta = env.openDB<MetaValue, string>('meta', {});
    this.oplog = new OperationLog(env);
  }

  /** Opens (and on first use bootstraps) the data directory. Throws if another process holds it. */
  static async open(options: StorageOptions, log: Logger): Promise<StorageEngine> {
    const unlock = lockDataDir(options.dataDir);
    guardCommitRejections(log);
    try {
      const env = open({ path: path.join(options.dataDir, 'kitsune.lmdb'), overlappingSync: false, maxDbs: 100_000 });
      const engine = new StorageEngine(env, log, unlock, options.dataDir);
      engine.#load();
      engine.#reclaimer = new SpaceReclaimer(env, engine.#meta as unknown as Database<unknown, string>, log);
      engine.#stopPruning = engine.oplog.schedulePruning(options.retention, log);
      return engine;
    } catch (err) {
      unlock();
      throw err;
    }
  }

  #load(): void {
    const stored = this.#meta.get('tick');
    this.#clock.raise(Math.max(typeof stored === 'number' ? stored : 0, this.oplog.lastTick()));
    this.#durableTick = this.#clock.value;
    for (const { key, value } of this.#meta.getRange({ start: 'd:', end: 'd;' })) {
      if (key.startsWith('d:')) this.#databases.set((value as DatabaseDefinition).name, value as DatabaseDefinition);
    }
    for (const db of this.#databases.keys()) this.#collections.set(db, new Map());
    for (const { value } of this.#meta.getRange({ start: 'c:', end: 'c;' })) {
      const def = value as CollectionDefinition;
      this.#collections.get(def.database)?.set(def.name, new Collection(this.env, def));
    }
    this.#rebuildStaleIndexes();
  }

  /** Index keys written under another key format or collation order are rebuilt, once. */
  #rebuildStaleIndexes(): void {
    const format = indexKeyFormat();
    if (this.#meta.get('indexFormat') === format) return;
    const collections = [...this.#collections.values()].flatMap((m) => [...m.values()]);
    this.env.transactionSync(() => {
      for (const c of collections) c.rebuildIndexes();
      void this.#meta.put('indexFormat', format);
    });
    this.#log.info({ format, collections: collections.length }, 'index keys rebuilt for the key format in force');
  }



  /** The newest tick handed out (committed or in flight). */
  get currentTick(): number {
    return this.#clock.value;
  }

  /** The shared memory of the tick clock: query workers open a `TickClock` over it. */
  get tickBuffer(): SharedArrayBuffer {
    return this.#clock.buffer;
  }

  /** The newest tick whose transaction is flushed to disk (replication must not ship past it). */
  get durableTick(): number {
    return this.#durableTick;
  }

  /** Subscribes to durable commits (called with `durableTick`); returns the unsubscribe function. */
  onCommit(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A write's context; its log entries go through `unit`, which the caller ends (or discards) with the write. */
  #writeContext(fixedTicks?: () => number): { ctx: WriteContext; unit: LogUnitWriter } {
    const unit = new LogUnitWriter(this.oplog);
    const ctx: WriteContext = {
      nextTick: fixedTicks
        ? () => {
            const t = fixedTicks();
            this.#clock.raise(t);
            return t;
          }
        : () => this.#clock.next(),
      log: (entry: LogEntry) => unit.add(entry),
      saveDefinition: (def: CollectionDefinition) => void this.#meta.put(collectionKey(def), def),
    };
    return { ctx, unit };
  }

  /**
   * Runs a document write and resolves after its durable commit. Concurrent writes are
   * group-committed: queued while a commit is in flight, then run one after another in a
   * single LMDB transaction. Safe because document operations do every check before their
   * first write, so a rejected operation leaves nothing behind in the shared transaction.
   * Ticks are handed out in execution order, so the operation log stays in commit order.
   * Each callback's log entries form one unit (the last one marked as the end, see LogUnitWriter).
   */
  write<T>(fn: (tx: WriteContext) => T): Promise<T> {
    const refused = this.#health.refusal();
    if (refused) return Promise.reject(refused);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#flushing) {
        // start the batch after the current I/O phase, so requests that arrived together commit together
        this.#flushing = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    const batch = this.#queue;
    this.#queue = [];
    this.#flushing = true;
    const { ctx, unit } = this.#writeContext();
    const results: Array<{ ok: boolean; value: unknown }> = [];
    let batchTick = 0;
    const committed = this.env.transaction(() => {
      for (const op of batch) {
        try {
          results.push({ ok: true, value: op.fn(ctx) });
        } catch (err) {
          results.push({ ok: false, value: err });
        } finally {
          // a rejected operation logged nothing; anything it did log stays in this transaction
          unit.end();
        }
      }
      batchTick = this.#clock.value;
      void this.#meta.put('tick', batchTick);
    });
    committed
      .then(
        // the next batch may be written while this one is being flushed (overlapping sync);
        // this batch's writers are answered only once it is on disk
        () => this.env.flushed,
      )
      .then(
        () => {
          this.#health.succeeded();
          if (batchTick > this.#durableTick) this.#durableTick = batchTick;
          batch.forEach((op, i) => {
            const r = results[i];
            if (r?.ok) op.resolve(r.value);
            else op.reject(r?.value);
          });
          this.#notify();
        },
        async (err: unknown) => {
          // LMDB committed nothing of this batch: every writer gets the same clear error
          const failure = await this.#health.failed(err);
          for (const op of batch) op.reject(failure);
        },
      )
      .catch((err: unknown) => this.#log.error({ err }, 'answering a write batch failed'));
    committed
      .catch(() => undefined)
      .finally(() => {
        if (this.#queue.length > 0) this.#flush();
        else this.#flushing = false;
      });
  }

  #notify(): void {
    const tick = this.#durableTick;
    for (const l of this.#listeners) l(tick);
  }

  /**
   * Runs `fn` in its own atomic (child) transaction: a throw anywhere undoes all of its
   * writes. For catalog changes and anything that may fail after writing (index builds).
   * `fixedTicks`, used by the replication applier, supplies the ticks to use instead of new ones.
   * Its log entries are one unit: followers receive and apply them together or not at all.
   */
  async writeAtomic<T>(fn: (tx: WriteContext) => T, fixedTicks?: () => number): Promise<T> {
    const refused = this.#health.refusal();
    if (refused) throw refused;
    const { ctx, unit } = this.#writeContext(fixedTicks);
    let tick = 0;
    let result: T;
    try {
      result = await this.env.childTransaction(() => {
        try {
          const r = fn(ctx);
          unit.end();
          tick = this.#clock.value;
          void this.#meta.put('tick', tick);
          return r;
        } catch (err) {
          unit.discard();
          // undone at once, before the next transaction of the batch runs
          this.#txHooks.run(ctx, 'abort');
          throw err;
        }
      });
    } catch (err) {
      this.#txHooks.run(ctx, 'abort');
      throw await this.#health.failed(err);
    }
    try {
      await this.env.flushed;
    } catch (err) {
      throw await this.#health.failed(err);
    }
    this.#health.succeeded();
    if (tick > this.#durableTick) this.#durableTick = tick;
    this.#txHooks.run(ctx, 'commit');
    this.#notify();
    return result;
  }

  /**
   * Empties a collection inside `writeAtomic`, in time independent of its size: the collection
   * moves to a new generation of empty sub-databases (recorded in its definition in this
   * transaction) and the old ones are freed in the background after the commit. Writes later in
   * the same or following transactions go to the new generation; if this transaction fails the
   * collection is switched back. Call it last in the transaction callback.
   */
  truncateInTransaction(tx: WriteContext, c: Collection): void {
    const old = c.definition;
    const next: CollectionDefinition = { ...old, generation: (old.generation ?? 0) + 1 };
    c.setDefinition(next); // opens the new sub-databases first; throws before any change
    this.putCollection(next);
    this.#retire(tx, collectionDbNames(old));
    this.#txHooks.add(tx, 'abort', () => c.setDefinition(old));
  }

  /** Frees the entries of a dropped index in the background once `tx` commits. */
  dropIndexInTransaction(tx: WriteContext, c: Collection, indexId: string): void {
    // only index types kept in a sub-database of their own have entries to free
    if (c.detachIndex(indexId)) this.#retire(tx, [subDbName(c.definition, 'idx', indexId)]);
  }

  /** Records sub-databases as garbage in `tx` and hands them to the reclaimer after the commit. */
  #retire(tx: WriteContext, names: string[]): void {
    const reclaimer = this.#reclaimer;
    if (!reclaimer) return;
    reclaimer.markPending(names);
    this.#txHooks.add(tx, 'commit', () => reclaimer.enqueue(names));
  }

  /** Serialises catalog changes so two DDL operations never interleave. */
  ddl<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#ddl.then(fn, fn);
    this.#ddl = next.catch(() => undefined);
    return next;
  }

  // ---- catalog reads --------------------------------------------------------------------------

  /** Names of all databases, `_system` first. */
  databaseNames(): string[] {
    return [...this.#databases.keys()].sort((a, b) => (a === '_system' ? -1 : b === '_system' ? 1 : a.localeCompare(b)));
  }

  /** Database definition; throws 1228 when it does not exist. */
  database(name: string): DatabaseDefinition {
    const db = this.#databases.get(name);
    if (!db) throw new ArangoError('ERROR_ARANGO_DATABASE_NOT_FOUND');
    return db;
  }

  hasDatabase(name: string): boolean {
    return this.#databases.has(name);
  }

  /** All collections of a database. */
  collections(database: string): Collection[] {
    this.database(database);
    return [...(this.#collections.get(database)?.values() ?? [])];
  }

  /** A collection by name or numeric id; throws 1203 when unknown. */
  collection(database: string, nameOrId: string): Collection {
    const c = this.findCollection(database, nameOrId);
    if (!c) throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND', `collection or view not found: ${nameOrId}`);
    return c;
  }

  /** A collection by name or id, or undefined. */
  findCollection(database: string, nameOrId: string): Collection | undefined {
    const cols = this.#collections.get(database);
    if (!cols) throw new ArangoError('ERROR_ARANGO_DATABASE_NOT_FOUND');
    const byName = cols.get(nameOrId);
    if (byName) return byName;
    if (/^\d+$/.test(nameOrId)) for (const c of cols.values()) if (c.definition.id === nameOrId) return c;
    return undefined;
  }

  // ---- catalog writes (used by catalog-ops.ts) ------------------------------------------------

  /** Records a new database in the catalog inside a write transaction. */
  putDatabase(def: DatabaseDefinition): void {
    void this.#meta.put(`d:${def.name}`, def);
  }

  removeDatabase(name: string): void {
    void this.#meta.remove(`d:${name}`);
  }

  putCollection(def: CollectionDefinition): void {
    void this.#meta.put(collectionKey(def), def);
  }

  removeCollection(def: CollectionDefinition): void {
    void this.#meta.remove(collectionKey(def));
  }

  /** Updates the in-memory catalog after a committed database creation. */
  registerDatabase(def: DatabaseDefinition): void {
    this.#databases.set(def.name, def);
    if (!this.#collections.has(def.name)) this.#collections.set(def.name, new Map());
  }

  /** Updates the in-memory catalog after a committed database drop; frees its collections' space. */
  unregisterDatabase(name: string): void {
    for (const c of this.#collections.get(name)?.values() ?? []) this.#discard(c.definition);
    this.#collections.delete(name);
    this.#databases.delete(name);
  }

  registerCollection(def: CollectionDefinition): Collection {
    const existing = this.#collections.get(def.database)?.get(def.name);
    if (existing && existing.definition.id === def.id) {
      existing.setDefinition(def);
      return existing;
    }
    const c = new Collection(this.env, def);
    this.#collections.get(def.database)?.set(def.name, c);
    return c;
  }

  renameRegistered(database: string, oldName: string, c: Collection): void {
    const cols = this.#collections.get(database);
    cols?.delete(oldName);
    cols?.set(c.name, c);
  }

  unregisterCollection(def: CollectionDefinition): void {
    this.#collections.get(def.database)?.delete(def.name);
    this.#discard(def);
  }

  /** Frees a dropped collection's sub-databases in the background, in small transactions (see SpaceReclaimer). */
  #discard(def: CollectionDefinition): void {
    const names = collectionDbNames(def);
    const reclaimer = this.#reclaimer;
    if (!reclaimer) return;
    // recorded durably first, so a restart resumes the work
    this.env
      .transaction(() => reclaimer.markPending(names))
      .then(() => reclaimer.enqueue(names))
      .catch((err: unknown) => this.#log.warn({ err, collection: def.name }, 'freeing dropped collection failed'));
  }

  /** Whether commits currently succeed, and if not why (for `/_admin/status`). */
  get writeHealth(): WriteHealth {
    return this.#health.status;
  }

  /** Background freeing of dropped data: what is left (for `/_admin/status`). */
  get reclaimStatus(): { pendingDatabases: number; freedEntries: number } {
    return this.#reclaimer?.status ?? { pendingDatabases: 0, freedEntries: 0 };
  }

  /** Resolves when the space of all dropped collections has been freed. */
  async reclaimIdle(): Promise<void> {
    await this.#reclaimer?.idle();
  }

  /** Allocates a new unique id (collection, index, database ids are ticks too). */
  newId(): string {
    return String(this.#clock.next());
  }

  /** Stops background work and closes the environment; releases the data directory lock. */
  async close(): Promise<void> {
    this.#stopPruning();
    this.#health.close();
    await this.#reclaimer?.close();
    await this.#ddl.catch(() => undefined);
    await this.env.close();
    this.#unlock();
  }
}

function collectionKey(def: CollectionDefinition): string {
  return `c:${def.database}:${def.id}`;
}
