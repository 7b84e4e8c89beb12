import { ArangoError } from '../errors/index.ts';
import type { DataSource } from './data-source.ts';
import { ExecContext, type QueryStats, type QueryWarning } from './exec-context.ts';
import { compilePipeline } from './executor.ts';
import type { QueryAst } from './ast.ts';
import type { Plan } from './plan-types.ts';
import { buildPlan, validateBindVars } from './planner.ts';
import { parseQuery } from './parser.ts';
import { explainPlan, type ExplainResult } from './explain.ts';

/** Options of one query, named as in ArangoDB's cursor API where they exist there. */
export interface QueryOptions {
  /** Count rows before the top-level LIMIT into `stats.fullCount`. */
  readonly fullCount?: boolean;
  /** Seconds; when exceeded the query fails with 1500 (query killed). 0 = no limit. */
  readonly maxRuntime?: number;
  /** Bytes of buffered data (SORT, COLLECT, DISTINCT, subqueries); exceeded → errorNum 32. 0 = no limit. */
  readonly memoryLimit?: number;
  readonly maxWarningCount?: number;
  /** Turns any warning into an error. */
  readonly failOnWarning?: boolean;
  /** Cancels the query when aborted (checked between rows). */
  readonly signal?: AbortSignal;
  /** Shared Int32 cell another thread sets to kill the query (1 killed, 2 maxRuntime exceeded). */
  readonly killCell?: Int32Array;
  /** Optional cache of parsed queries by text, owned by the caller. */
  readonly cache?: QueryCache;
  /** Milliseconds the execution may take before it throws `BudgetExceeded` (counted from `execute()`). */
  readonly budgetMs?: number;
}

/** Who runs the query, for CURRENT_USER() / CURRENT_DATABASE(). */
export interface QueryContext {
  readonly user?: string | null;
  readonly database?: string;
  /** Run-time access check for collections named by value (DOCUMENT()); throws to refuse. */
  readonly requireRead?: (collection: string) => void;
}

/** A caller-owned cache of parsed query texts (parsing is the main fixed cost of short queries). */
export class QueryCache {
  private readonly map = new Map<string, QueryAst>();
  constructor(private readonly maxEntries = 256) {}
  /** Parses `text` or returns the cached AST. */
  parse(text: string): QueryAst {
    // huge texts are parsed every time: caching them would let a client fill the memory
    if (text.length > 64 * 1024) return parseQuery(text);
    let ast = this.map.get(text);
    if (ast === undefined) {
      ast = parseQuery(text);
      if (this.map.size >= this.maxEntries) {
        const first = this.map.keys().next();
        if (first.done !== true) this.map.delete(first.value);
      }
      this.map.set(text, ast);
    }
    return ast;
  }
}

/** A running query: a pull-based cursor over result rows. */
export interface QueryCursor extends Iterable<unknown> {
  /** The next row. Throws ArangoError on failure (the cursor is then done). */
  next(): IteratorResult<unknown, undefined>;
  /** Up to `n` rows; fewer only at the end. */
  nextBatch(n: number): unknown[];
  /** All remaining rows. */
  all(): unknown[];
  /** True once the last row was delivered. */
  readonly done: boolean;
  /** Kills the query: the next pull throws 1500 (query killed). */
  kill(): void;
  /** Statistics so far (final once `done`). */
  readonly stats: QueryStats;
  readonly warnings: readonly QueryWarning[];
}

/** A parsed, validated and planned query, ready to run (repeatedly). */
export interface PreparedQuery {
  readonly isModification: boolean;
  readonly ast: QueryAst;
  readonly plan: Plan;
  /** Collections read and written (names). */
  readonly collections: { readonly read: readonly string[]; readonly write: readonly string[] };
  /** Starts execution. A modification query must be drained inside the caller's write transaction. */
  /** Starts an execution; `runContext` replaces the context given at preparation (a reused plan, another request). */
  execute(runContext?: QueryContext): QueryCursor;
  /** The ArangoDB-style explain output of this plan. */
  explain(): ExplainResult;
  /** The same plan over another data source and options (a cached plan run for a new caller). */
  rebind(dataSource: DataSource, options: QueryOptions, context: QueryContext): PreparedQuery;
}

/**
 * Parses, validates bind parameters (1551 missing, 1552 undeclared, 1553 bad @@collection) and plans a query.
 */
export function prepareQuery(
  text: string, bindVars: Readonly<Record<string, unknown>>, dataSource: DataSource, options: QueryOptions = {}, context: QueryContext = {},
): PreparedQuery {
  const ast = options.cache === undefined ? parseQuery(text) : options.cache.parse(text);
  validateBindVars(ast, bindVars);
  const plan = buildPlan({ ast, bindVars, dataSource, fullCount: options.fullCount === true });
  return preparedOf(ast, plan, dataSource, options, context);
}

function preparedOf(ast: QueryAst, plan: Plan, dataSource: DataSource, options: QueryOptions, context: QueryContext): PreparedQuery {
  const read = plan.collections.filter((c) => c.type === 'read').map((c) => c.name);
  const write = plan.collections.filter((c) => c.type === 'write').map((c) => c.name);
  return {
    isModification: plan.isModification,
    ast,
    plan,
    collections: { read, write },
    execute: (runContext?: QueryContext) => startCursor(plan, dataSource, options, runContext ?? context),
    explain: () => explainPlan(plan, dataSource),
    rebind: (ds, o, c) => preparedOf(ast, plan, ds, o, c),
  };
}

function startCursor(plan: Plan, ds: DataSource, options: QueryOptions, context: QueryContext): QueryCursor {
  const ctx = new ExecContext(ds, {
    maxRuntime: options.maxRuntime ?? 0,
    memoryLimit: options.memoryLimit ?? 0,
    maxWarningCount: options.maxWarningCount ?? 10,
    failOnWarning: options.failOnWarning === true,
    user: context.user ?? null,
    database: context.database ?? '_system',
    signal: options.signal,
    killCell: options.killCell,
    requireRead: context.requireRead,
    budgetDeadline: options.budgetMs === undefined ? undefined : performance.now() + options.budgetMs,
  });
  for (const w of plan.warnings) ctx.warn(w.code, w.message);
  const frame = new Array<unknown>(plan.frameSize).fill(null);
  const pipeline = compilePipeline(plan.root, ctx, frame);
  let iter: Iterator<unknown> | undefined;
  let done = false;
  const finish = (): void => {
    done = true;
    ctx.stats.executionTime = (performance.now() - ctx.started) / 1000;
  };
  const next = (): IteratorResult<unknown, undefined> => {
    if (done) return { done: true, value: undefined };
    try {
      ctx.checkAlive();
      iter ??= pipeline.run()[Symbol.iterator]();
      for (;;) {
        const r = iter.next();
        if (r.done === true) { finish(); return { done: true, value: undefined }; }
        // compiled expressions never produce undefined except for absent values, which are null in AQL
        if (pipeline.returns) return { done: false, value: r.value ?? null };
      }
    } catch (err) {
      finish();
      iter?.return?.(undefined);
      if (err instanceof RangeError) throw new ArangoError('ERROR_RESOURCE_LIMIT', `query failed: ${err.message}`);
      throw err;
    }
  };
  const cursor: QueryCursor = {
    next,
    nextBatch(n: number): unknown[] {
      const out: unknown[] = [];
      while (out.length < n) {
        const r = next();
        if (r.done === true) break;
        out.push(r.value);
      }
      return out;
    },
    all(): unknown[] {
      const out: unknown[] = [];
      for (;;) {
        const r = next();
        if (r.done === true) return out;
        out.push(r.value);
      }
    },
    get done() { return done; },
    kill: () => ctx.kill(),
    get stats() { return ctx.stats; },
    get warnings() { return ctx.warnings; },
    [Symbol.iterator]() { return { next }; },
  };
  return cursor;
}
