import type { StorageEngine } from '../storage/index.ts';
import { QueryService, type QueryExtra } from './query-service.ts';
import type { RunOptions } from './run-options.ts';

/**
 * Runs one AQL query to completion for code inside the server (Foxx services' `db._query`), on
 * the main thread. Services act with full rights on their database, as in ArangoDB.
 */
export async function runQuery(
  engine: StorageEngine,
  database: string,
  query: string,
  bindVars: Readonly<Record<string, unknown>>,
  options: RunOptions,
  context: { user: string | null },
): Promise<{ result: unknown[]; extra: QueryExtra }> {
  return new QueryService(engine).run(database, query, bindVars, options, { user: context.user, isAdmin: true, level: () => 'rw' });
}
