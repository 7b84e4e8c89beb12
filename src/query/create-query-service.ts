import path from 'node:path';
import type { ServerConfig } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { QueryService } from './query-service.ts';
import { QueryPool } from './worker/query-pool.ts';

/** The query worker pool and the service over it, as every role that holds data builds them. */
export function createQueryService(config: ServerConfig, engine: StorageEngine, log: Logger): { pool: QueryPool; queries: QueryService } {
  const pool = new QueryPool({
    lmdbPath: path.join(config.dataDir, 'kitsune.lmdb'),
    threads: config.queryThreads,
    workerMemoryMb: config.queryWorkerMemoryMb,
    memoryLimit: config.queryMemoryLimit,
    threadNice: config.queryThreadNice,
    tickBuffer: engine.tickBuffer,
    log: log.child({ component: 'query' }),
  });
  return { pool, queries: new QueryService(engine, pool, { maxRuntime: config.queryMaxRuntime, mainThreadMaxRuntime: config.queryMainThreadMaxRuntime }) };
}
