import { ArangoError } from '../errors/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { applyWriteSet, WriteSetConflict } from './apply-write-set.ts';
import { killedError, type WireQuery } from './worker/protocol.ts';
import type { QueryPool, WorkerRows } from './worker/query-pool.ts';

/** How often a modification query is run again after a write-write conflict before it fails with 1200. */
export const MODIFICATION_ATTEMPTS = 5;

/** What a modification query run in a worker needs. */
export interface WorkerModification extends WireQuery {
  readonly kill: Int32Array;
  readonly onStart: () => void;
}

/**
 * Runs a modification query in a query worker (over its snapshot plus an overlay of its own
 * writes) and applies the write set on this thread in one `writeAtomic`: all or nothing, durable,
 * one contiguous run of log entries. A conflict (a written key or unique value changed since the
 * snapshot) re-runs the query, at most {@link MODIFICATION_ATTEMPTS} times, then fails with 1200.
 * A query killed before its writes are applied writes nothing.
 */
export async function runModificationInWorker(engine: StorageEngine, pool: QueryPool, m: WorkerModification): Promise<WorkerRows> {
  for (let attempt = 1; ; attempt++) {
    const definitions = engine.collections(m.database).map((c) => c.definition);
    const r = await pool.submit(
      {
        database: m.database,
        definitions,
        message: {
          type: 'run', job: pool.nextJob(), queryId: m.queryId, database: m.database, query: m.query, bindVars: m.bindVars, options: m.options,
          user: m.user, access: m.access, batch: Number.POSITIVE_INFINITY, kill: m.kill.buffer as SharedArrayBuffer, write: true,
        },
      },
      m.kill,
      m.onStart,
    );
    const writes = r.writes;
    if (Atomics.load(m.kill, 0) !== 0) throw killedError(m.kill);
    if (writes === undefined || writes.size === 0) return r;
    try {
      await engine.writeAtomic((tx) => {
        // the kill may arrive while the commit waits for its turn
        if (Atomics.load(m.kill, 0) !== 0) throw killedError(m.kill);
        applyWriteSet(engine, m.database, writes, tx);
      });
      return r;
    } catch (err) {
      if (!(err instanceof WriteSetConflict)) throw err;
      if (attempt >= MODIFICATION_ATTEMPTS) {
        throw new ArangoError('ERROR_ARANGO_CONFLICT', `write-write conflict on ${err.id} (the query was run ${attempt} times)`, { httpStatus: 409 });
      }
    }
  }
}
