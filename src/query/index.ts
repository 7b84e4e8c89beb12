export { QueryService, accessSnapshot, type QueryCaller, type RunningQuery, type QueryExtra, type QueryTransaction } from './query-service.ts';
export type { RunOptions } from './run-options.ts';
export { LmdbDataSource, type CatalogView } from './lmdb-data-source.ts';
export { GuardedDataSource, levelOf, requireAccess, type AccessLevel, type AccessSnapshot } from './guarded-data-source.ts';
export { QueryPool, type QueryPoolOptions } from './worker/query-pool.ts';
export type { QueryListing, QueryTrackingProperties } from './query-registry.ts';
export { runQuery } from './run-query.ts';
export { createQueryService } from './create-query-service.ts';
export { UserFunctions, lookupUserFunction, USER_FUNCTION_TIMEOUT_MS, type UserFunctionInfo } from './user-functions.ts';
