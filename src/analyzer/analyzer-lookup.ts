import { ArangoError } from '../errors/index.ts';
import type { AnalyzerDefinition } from './analyzer-definition.ts';
import { definitionFromDocument, resolveAnalyzerName, type AnalyzerDocument } from './analyzer-store.ts';

/** Reads one `_analyzers` document of the query's database (undefined when it or the collection is missing). */
export type AnalyzerReader = (key: string) => AnalyzerDocument | undefined;

/** Parsed definitions by database, name and `_rev` (bounded; shared by all queries of a thread). */
const cache = new Map<string, { rev: unknown; def: AnalyzerDefinition }>();
const CACHE_ENTRIES = 256;

/**
 * The definition an AQL function uses for `name` (built-in, `name`, `db::name`) in `database`.
 * Throws 400 / errorNum 10 ("failure to find arangosearch analyzer") as ArangoDB's AQL functions do; `_system::name`
 * from another database is not reachable from a query here (see README).
 */
export function findAnalyzer(fnName: string, name: unknown, database: string, read: AnalyzerReader): AnalyzerDefinition {
  const missing = (): ArangoError =>
    new ArangoError('ERROR_BAD_PARAMETER', `failure to find arangosearch analyzer with name '${String(name)}' while computing result for function '${fnName}'`);
  if (typeof name !== 'string') {
    throw new ArangoError('ERROR_BAD_PARAMETER', `invalid analyzer name argument type while computing result for function '${fnName}', string expected`);
  }
  let r;
  try {
    r = resolveAnalyzerName(name, database);
  } catch {
    throw missing();
  }
  if (r.kind === 'builtin') return r.definition;
  if (r.database !== database) throw missing();
  const doc = read(r.name);
  if (doc === undefined) throw missing();
  const key = `${database}\u0000${r.name}`;
  const hit = cache.get(key);
  if (hit !== undefined && hit.rev === doc['_rev']) return hit.def;
  const def = definitionFromDocument(doc);
  if (cache.size >= CACHE_ENTRIES) cache.clear();
  cache.set(key, { rev: doc['_rev'], def });
  return def;
}
