import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { QueryPool, QueryService } from '../../src/query/index.ts';
import { StorageEngine, catalog } from '../../src/storage/index.ts';

/** An lmdb storage in a temp dir with a two-thread query pool and its query service, in this process. */
export interface QueryEngine {
  readonly engine: StorageEngine;
  readonly pool: QueryPool;
  readonly queries: QueryService;
  close(): Promise<void>;
}

export async function startQueryEngine(prefix: string): Promise<QueryEngine> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const engine = await StorageEngine.open({ dataDir: dir, retention: { maxAgeSeconds: 3600, maxEntries: 1e9 } }, pino({ level: 'silent' }));
  await catalog.bootstrap(engine);
  const pool = new QueryPool({ lmdbPath: path.join(dir, 'kitsune.lmdb'), threads: 2, workerMemoryMb: 256, memoryLimit: 0, log: pino({ level: 'silent' }) });
  return {
    engine,
    pool,
    queries: new QueryService(engine, pool),
    async close() {
      await pool.close();
      await engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
