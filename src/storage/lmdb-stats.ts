import type { Database } from 'lmdb';

/** Number of entries in an lmdb sub-database, read from its statistics in O(1). */
export function entryCount<V, K extends import('lmdb').Key>(db: Database<V, K>): number {
  const stats: unknown = db.getStats();
  if (typeof stats === 'object' && stats !== null && 'entryCount' in stats && typeof stats.entryCount === 'number') {
    return stats.entryCount;
  }
  return 0;
}
