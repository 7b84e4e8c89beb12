export { QueryService, extraOf, type QueryCaller, type RunOptions, type RunningQuery, type QueryExtra, type QueryTransaction } from './query-service.ts';
export { LmdbDataSource } from './lmdb-data-source.ts';
export { runQuery } from './run-query.ts';
export { UserFunctions, USER_FUNCTION_TIMEOUT_MS, type UserFunctionInfo } from './user-functions.ts';
