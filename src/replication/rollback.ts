import type { Logger } from 'pino';
import { LOG_DOCUMENT, LOG_REMOVE, catalog, type LogEntry, type StorageEngine } from '../storage/index.ts';
import { ROLLBACK_COLLECTION } from './leader-feed.ts';

/** One document of `_system/_rollback`: a change this server had that the leader never received. */
export interface RollbackRecord {
  readonly database: string;
  readonly collection: string | null;
  readonly key: string | null;
  /** The document as this server wrote it (null for a removal or a catalog change). */
  readonly document: unknown;
  readonly tick: string;
  /** ArangoDB marker type of the change (2300 write, 2302 remove, 2000… catalog). */
  readonly type: number;
  readonly operation: string;
  readonly rolledBackAt: string;
  readonly leader: string;
}

/**
 * Keeps the changes after the fork point in the local recovery collection `_system/_rollback`
 * (created on first use, never replicated, kept across resyncs) and removes them from the
 * operation log, so the log is again a prefix of the leader's history. Runs before the resync
 * that undoes them in the data. Returns the number of recorded changes.
 */
export async function recordRollback(engine: StorageEngine, fork: number, divergent: readonly LogEntry[], leader: string, log: Logger): Promise<number> {
  await keepRolledBack(engine, divergent, leader, log);
  return await engine.writeAtomic(() => engine.oplog.truncateAfter(fork));
}

/**
 * Stores `divergent` changes in `_system/_rollback` (created on first use, local, never replicated)
 * and logs how many; `alsoInTx` runs in the same write transaction (e.g. to mark them handled).
 */
export async function keepRolledBack(engine: StorageEngine, divergent: readonly LogEntry[], leader: string, log: Logger, alsoInTx?: () => void): Promise<void> {
  if (divergent.length > 0) {
    const coll = engine.findCollection('_system', ROLLBACK_COLLECTION) ?? (await catalog.createCollection(engine, '_system', ROLLBACK_COLLECTION, { isSystem: true }));
    const now = new Date().toISOString();
    await engine.writeAtomic((tx) => {
      const q = { nextTick: () => tx.nextTick(), log: () => undefined, saveDefinition: tx.saveDefinition };
      for (const e of divergent) {
        const record: RollbackRecord = {
          database: e.database,
          collection: e.collection ?? null,
          key: e.key ?? null,
          document: e.type === LOG_DOCUMENT && e.doc ? JSON.parse(Buffer.from(e.doc).toString('utf8')) : null,
          tick: String(e.tick),
          type: e.type,
          operation: e.type === LOG_DOCUMENT ? (e.op ?? 'write') : e.type === LOG_REMOVE ? 'remove' : 'catalog',
          rolledBackAt: now,
          leader,
        };
        coll.insert(q, record);
      }
      alsoInTx?.();
    });
    log.warn({ rolledBack: divergent.length, leader, collection: `_system/${ROLLBACK_COLLECTION}` }, `rolled back ${divergent.length} change(s) the new leader never received; kept in _system/${ROLLBACK_COLLECTION}`);
  } else if (alsoInTx) await engine.writeAtomic(() => alsoInTx());
}
