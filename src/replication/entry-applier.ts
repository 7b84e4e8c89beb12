import type { Logger } from 'pino';
import { isArangoError } from '../errors/index.ts';
import {
  LOG_COLLECTION_CHANGE,
  LOG_COLLECTION_CREATE,
  LOG_COLLECTION_DROP,
  LOG_COLLECTION_RENAME,
  LOG_COLLECTION_TRUNCATE,
  LOG_DATABASE_CREATE,
  LOG_DATABASE_DROP,
  LOG_DOCUMENT,
  LOG_INDEX_CREATE,
  LOG_INDEX_DROP,
  LOG_REMOVE,
  type Collection,
  type CollectionDefinition,
  type DatabaseDefinition,
  type IndexDefinition,
  type LogEntry,
  type StorageEngine,
  type WriteContext,
} from '../storage/index.ts';
import type { ReplicationState } from './replication-state.ts';

const DDL_TYPES = new Set<number>([
  LOG_DATABASE_CREATE,
  LOG_DATABASE_DROP,
  LOG_COLLECTION_CREATE,
  LOG_COLLECTION_DROP,
  LOG_COLLECTION_RENAME,
  LOG_COLLECTION_CHANGE,
  LOG_INDEX_CREATE,
  LOG_INDEX_DROP,
]);

/**
 * Applies leader log entries on a follower, in tick order and idempotently, writing each one
 * into the follower's own operation log **with the leader's tick** (`writeAtomic(fn, fixedTicks)`),
 * so the follower's log mirrors the leader's and can feed other followers after a failover.
 * Runs of document entries share one transaction; every catalog entry gets its own, followed
 * by the in-memory catalog update. The applied tick is stored in the same transaction.
 * Given whole units (a tail answer, see `tail-units.ts`), every leader write transaction lands in
 * one follower transaction: catalog changes are single-entry transactions on the leader
 * (`catalog-ops.ts`), so a run of document entries ends where a transaction ends. The follower's
 * own log marks such a run as one unit.
 */
export class EntryApplier {
  readonly #engine: StorageEngine;
  readonly #state: ReplicationState;
  readonly #log: Logger;
  readonly #onUsersChanged: () => void;
  readonly #logEntries: boolean;

  /**
   * `logEntries: false` (cluster mode's database followers) applies without writing the entries
   * into the local operation log: a server leading some databases and following others keeps only
   * its own history there, and a follower joining a database resyncs from the leader instead.
   */
  constructor(engine: StorageEngine, state: ReplicationState, log: Logger, onUsersChanged: () => void, options: { readonly logEntries?: boolean } = {}) {
    this.#engine = engine;
    this.#state = state;
    this.#log = log;
    this.#onUsersChanged = onUsersChanged;
    this.#logEntries = options.logEntries ?? true;
  }

  /** Applies `entries` (ascending ticks); resolves once they and the applied tick are durable. */
  async apply(entries: readonly LogEntry[]): Promise<void> {
    let i = 0;
    while (i < entries.length) {
      const first = entries[i];
      if (first === undefined) break;
      if (DDL_TYPES.has(first.type)) {
        if (first.more === true || entries[i - 1]?.more === true) {
          this.#log.warn({ tick: first.tick, type: first.type }, 'a leader transaction mixes catalog and document changes; it is applied in steps');
        }
        await this.#applyDdl(first);
        i++;
        continue;
      }
      let j = i;
      while (j < entries.length && !DDL_TYPES.has(entries[j]?.type ?? 0)) j++;
      await this.#applyDocuments(entries.slice(i, j));
      i = j;
    }
  }

  async #applyDocuments(run: readonly LogEntry[]): Promise<void> {
    let current = 0;
    let users = false;
    await this.#engine.writeAtomic((ctx) => {
      const tx: WriteContext = this.#logEntries ? ctx : { nextTick: () => ctx.nextTick(), log: () => undefined, saveDefinition: (def) => ctx.saveDefinition(def) };
      for (const e of run) {
        current = e.tick;
        if (this.#applyDocument(tx, e)) users = true;
      }
      const last = run[run.length - 1];
      if (last) this.#state.putApplied(last.tick);
    }, () => current);
    if (users) this.#onUsersChanged();
  }

  /** Returns true when `_users` changed. */
  #applyDocument(tx: WriteContext, e: LogEntry): boolean {
    const c = this.#find(e);
    if (!c) {
      // The collection is gone (dropped later in the leader's history): keep the mirror exact.
      tx.log(e);
      return false;
    }
    if (e.type === LOG_DOCUMENT && e.doc) {
      upsert(tx, c, JSON.parse(Buffer.from(e.doc).toString('utf8')) as Record<string, unknown>);
    } else if (e.type === LOG_REMOVE && e.key !== undefined) {
      if (c.getRaw(e.key)) c.remove(tx, e.key, {});
      else tx.log(e);
    } else if (e.type === LOG_COLLECTION_TRUNCATE) {
      tx.log(e);
      this.#engine.truncateInTransaction(tx, c);
    } else tx.log(e);
    return e.database === '_system' && c.name === '_users';
  }

  #find(e: LogEntry): Collection | undefined {
    if (!this.#engine.hasDatabase(e.database)) return undefined;
    const byId = e.cid === undefined ? undefined : this.#engine.findCollection(e.database, e.cid);
    return byId ?? (e.collection === undefined ? undefined : this.#engine.findCollection(e.database, e.collection));
  }

  async #applyDdl(e: LogEntry): Promise<void> {
    const engine = this.#engine;
    const fixed = (): number => e.tick;
    let after: () => void = () => undefined;
    await engine.writeAtomic((tx) => {
      this.#state.putApplied(e.tick);
      if (this.#logEntries) tx.log(e);
      after = this.#ddlChange(e, tx);
    }, fixed);
    after();
  }

  /** Makes the catalog change inside the transaction; returns the in-memory update to run after commit. */
  #ddlChange(e: LogEntry, tx: WriteContext): () => void {
    const engine = this.#engine;
    const noop = (): void => undefined;
    switch (e.type) {
      case LOG_DATABASE_CREATE: {
        const def = e.data as DatabaseDefinition;
        if (engine.hasDatabase(def.name)) return noop;
        engine.putDatabase(def);
        return () => engine.registerDatabase(def);
      }
      case LOG_DATABASE_DROP: {
        if (!engine.hasDatabase(e.database) || e.database === '_system') return noop;
        for (const c of engine.collections(e.database)) engine.removeCollection(c.definition);
        engine.removeDatabase(e.database);
        return () => engine.unregisterDatabase(e.database);
      }
      case LOG_COLLECTION_CREATE: {
        if (!engine.hasDatabase(e.database)) return noop;
        const def = e.data as CollectionDefinition;
        return createCollectionIn(engine, def);
      }
      case LOG_COLLECTION_DROP: {
        const c = this.#find(e);
        if (!c) return noop;
        engine.removeCollection(c.definition);
        return () => engine.unregisterCollection(c.definition);
      }
      case LOG_COLLECTION_RENAME: {
        const c = this.#find(e);
        const newName = (e.data as { name?: unknown } | undefined)?.name;
        if (!c || typeof newName !== 'string' || c.name === newName) return noop;
        const oldName = c.name;
        const def: CollectionDefinition = { ...c.definition, name: newName };
        engine.putCollection(def);
        c.rewriteIds(newName);
        return () => {
          c.setDefinition(def);
          engine.renameRegistered(e.database, oldName, c);
        };
      }
      case LOG_COLLECTION_CHANGE: {
        const c = this.#find(e);
        const data = e.data as CollectionDefinition | undefined;
        if (!c || !data) return noop;
        const def: CollectionDefinition = { ...c.definition, waitForSync: data.waitForSync, schema: data.schema };
        engine.putCollection(def);
        return () => c.setDefinition(def);
      }
      case LOG_INDEX_CREATE: {
        const c = this.#find(e);
        const ix = e.data as IndexDefinition | undefined;
        if (!c || !ix || c.definition.indexes.some((i) => i.id === ix.id)) return noop;
        c.buildIndex(ix);
        const def: CollectionDefinition = { ...c.definition, indexes: [...c.definition.indexes, ix] };
        engine.putCollection(def);
        return () => c.setDefinition(def);
      }
      case LOG_INDEX_DROP: {
        const c = this.#find(e);
        const id = (e.data as { id?: unknown } | undefined)?.id;
        if (!c || typeof id !== 'string' || !c.definition.indexes.some((i) => i.id === id)) return noop;
        const def: CollectionDefinition = { ...c.definition, indexes: c.definition.indexes.filter((i) => i.id !== id) };
        engine.putCollection(def);
        engine.dropIndexInTransaction(tx, c, id);
        return () => c.setDefinition(def);
      }
      default:
        this.#log.warn({ type: e.type, tick: e.tick }, 'ignoring unknown replication entry');
        return noop;
    }
  }
}

/**
 * Creates a collection with the leader's definition (ids, indexes, key generator state) inside
 * the caller's transaction, replacing a local one of the same name with another id. Returns
 * the in-memory update to run after commit. Existing with the same id: nothing to do.
 */
export function createCollectionIn(engine: StorageEngine, def: CollectionDefinition): () => void {
  const same = engine.findCollection(def.database, def.id);
  if (same) return () => undefined;
  const clash = engine.findCollection(def.database, def.name);
  if (clash) engine.removeCollection(clash.definition);
  engine.putCollection(def);
  return () => {
    if (clash) engine.unregisterCollection(clash.definition);
    const c = engine.registerCollection(def);
    // a fresh Collection object builds nothing: the leader's index definitions start empty like its documents
    void c;
  };
}

/**
 * Insert-or-replace keeping the leader's `_key` and `_rev`. A unique-index clash with another
 * document means that document is stale here (it changes later in the leader's history):
 * it is removed and the write repeated.
 */
export function upsert(tx: WriteContext, c: Collection, doc: Record<string, unknown>): void {
  for (let attempt = 0; ; attempt++) {
    try {
      c.insert(tx, doc, { isRestore: true, overwriteMode: 'replace' });
      return;
    } catch (err) {
      const other = isArangoError(err) && err.errorNum === 1210 ? err.extra?.['_key'] : undefined;
      if (typeof other !== 'string' || other === doc['_key'] || attempt > 8) throw err;
      c.remove(tx, other, {});
    }
  }
}
