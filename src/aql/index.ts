/**
 * The AQL engine's public API. Everything else in `src/aql/` is internal.
 */
import type { QueryAst } from './ast.ts';
import type { DataSource } from './data-source.ts';
import { parseResult, type AstJson } from './ast-json.ts';
import { parseQuery as parseText } from './parser.ts';
import { prepareQuery, type QueryContext, type QueryOptions } from './query.ts';
import type { ExplainResult } from './explain.ts';

export type {
  AqlDocument, CollectionDescription, CollectionType, DataSource, GraphDefinition, IndexBound, IndexDescription,
  IndexScanRange, UserFunction, WriteOptions, WriteResult,
} from './data-source.ts';
export { MemoryDataSource } from './memory-data-source.ts';
export { prepareQuery, QueryCache, type PreparedQuery, type QueryCursor, type QueryOptions, type QueryContext } from './query.ts';
export type { QueryStats, QueryWarning } from './exec-context.ts';
export { BudgetExceeded } from './exec-context.ts';
export type { ExplainResult, ExplainNode } from './explain.ts';
export type { QueryAst } from './ast.ts';
export type { AstJson } from './ast-json.ts';
export { compareValues, estimateSize } from './values.ts';

/** Parses AQL text; throws ArangoError 1501 with "... at position LINE:COL" on a syntax error. */
export function parseQuery(text: string): QueryAst {
  return parseText(text);
}

/** The `/_api/query` answer: `{ parsed, collections, bindVars, ast }`. */
export function parse(text: string): { parsed: true; collections: string[]; bindVars: string[]; ast: AstJson[] } {
  return parseResult(parseText(text));
}

/** The `/_api/explain` answer for a query (bind parameters are validated like for execution). */
export function explain(
  text: string, bindVars: Readonly<Record<string, unknown>>, dataSource: DataSource, options: QueryOptions = {}, context: QueryContext = {},
): ExplainResult {
  return prepareQuery(text, bindVars, dataSource, options, context).explain();
}
