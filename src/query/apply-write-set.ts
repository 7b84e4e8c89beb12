import { ArangoError } from '../errors/index.ts';
import type { StorageEngine, WriteContext, WriteOptions } from '../storage/index.ts';
import type { WriteSet } from './worker/write-set.ts';

/** A key (or unique-index entry) changed since the worker's snapshot: the query must run again. */
export class WriteSetConflict extends ArangoError {
  readonly id: string;
  constructor(id: string) {
    super('ERROR_ARANGO_CONFLICT', `write-write conflict on ${id}`);
    this.id = id;
  }
}

const RESTORE: WriteOptions = { isRestore: true, ignoreRevs: true };

/** `_rev` of stored document bytes. */
function revOf(raw: Buffer): string | null {
  const rev = (JSON.parse(raw.toString('utf8')) as { _rev?: unknown })._rev;
  return typeof rev === 'string' ? rev : null;
}

/**
 * Applies a modification query's write set inside `writeAtomic` (first committer wins): every key
 * must still have the `_rev` it had in the worker's snapshot, and no unique index entry may have
 * been taken meanwhile, else it throws {@link WriteSetConflict} and the transaction writes nothing.
 * Revisions and generated keys come from the worker (the shared tick clock); each write gets a
 * fresh operation-log tick, so the whole set is one contiguous run of log entries.
 */
export function applyWriteSet(engine: StorageEngine, database: string, writes: WriteSet, tx: WriteContext): void {
  for (const col of writes.collections) {
    const c = engine.findCollection(database, col.cid);
    if (!c) throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND', `collection ${col.name} was dropped while the query ran`);
    for (const [key, base, doc] of col.entries) {
      const raw = c.getRaw(key);
      if ((raw === undefined ? null : revOf(raw)) !== base) throw new WriteSetConflict(`${col.name}/${key}`);
      try {
        if (doc === null) {
          if (raw !== undefined) c.remove(tx, key, RESTORE);
        } else if (raw !== undefined) c.replace(tx, key, doc, RESTORE);
        else c.insert(tx, doc, RESTORE);
      } catch (err) {
        // a unique value taken by a commit after the snapshot (the worker checked its snapshot)
        if (err instanceof ArangoError && err.errorNum === 1210) throw new WriteSetConflict(`${col.name}/${key}`);
        throw err;
      }
    }
  }
}
