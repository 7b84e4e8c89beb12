import { open, type Database, type RootDatabase } from 'lmdb';
import type { DocumentReader } from './arangodb-module.ts';

/**
 * Opens the storage's lmdb environment in this worker (same path, read-only use) and returns a
 * reader of document bytes by collection id and key, or undefined when there is no path. Opening
 * is lazy (first read); a failure disables direct reads and every read goes to the main thread.
 */
export function createDocumentReader(lmdbPath: string | undefined): () => DocumentReader | undefined {
  let env: RootDatabase | undefined;
  let failed = lmdbPath === undefined;
  const dbs = new Map<string, Database<Buffer, string>>();
  const reader: DocumentReader = (collectionId, key) => {
    if (env === undefined) return undefined;
    // The main thread may have committed since this thread's snapshot (even within one handler:
    // save() then document()); a fresh read transaction sees every acknowledged write.
    env.resetReadTxn();
    let db = dbs.get(collectionId);
    if (db === undefined) {
      db = env.openDB<Buffer, string>(`doc:${collectionId}`, { encoding: 'binary' });
      dbs.set(collectionId, db);
    }
    return db.getBinary(key) ?? undefined;
  };
  return () => {
    if (failed) return undefined;
    if (env === undefined) {
      try {
        env = open({ path: lmdbPath, maxDbs: 100_000, readOnly: true });
      } catch {
        failed = true;
        return undefined;
      }
    }
    return reader;
  };
}
