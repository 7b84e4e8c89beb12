import { BudgetExceeded, prepareQuery, type PreparedQuery, type QueryCursor, type QueryOptions } from '../aql/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { GuardedDataSource, requireAccess, type AccessSnapshot } from './guarded-data-source.ts';
import { LmdbDataSource } from './lmdb-data-source.ts';
import { PlanCache } from './worker/plan-cache.ts';

/** Time an inline execution may take before it gives up and the query goes to the pool. */
export const INLINE_BUDGET_MS = 2;
/** Query texts longer than this are parsed and planned in a worker, never on the main thread. */
const MAX_INLINE_TEXT = 4096;
/** Bind values larger than this (values counted, string lengths summed) keep a query off the main thread. */
const MAX_INLINE_BIND_NODES = 256;
const MAX_INLINE_BIND_CHARS = 16 * 1024;
/** Query texts remembered with their budget overruns. */
const MAX_TEXTS = 1024;
/** Overruns (more than successes) after which a text goes to the pool. */
const STRIKES_TO_POOL = 3;
/** A text sent to the pool by its overruns is tried inline again once in this many runs. */
const RETRY_EVERY = 64;

/** Plan node types whose work is a bounded index lookup and per-row expressions. */
const INLINE_NODES = new Set(['SingletonNode', 'IndexNode', 'CalculationNode', 'FilterNode', 'SortNode', 'LimitNode', 'ReturnNode']);
/** Operators whose single evaluation can take long (regular expressions can backtrack, ranges allocate). */
const SLOW_OPERATORS = new Set(['..', '=~', '!~', 'LIKE', 'NOT LIKE']);

/**
 * True when a read plan may be tried on the main thread: only index lookups (no full scans,
 * traversals, subqueries, COLLECT or WINDOW), no function calls and no operator whose one
 * evaluation is unbounded. Everything else it does is checked against the time budget every 16 rows.
 */
export function inlineEligible(prepared: PreparedQuery): boolean {
  if (prepared.isModification) return false;
  const seen = new Set<object>();
  const safe = (v: unknown): boolean => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return true;
    seen.add(v);
    if (Array.isArray(v)) return v.every(safe);
    const o = v as Record<string, unknown>;
    if (typeof o['type'] === 'string' && o['type'].endsWith('Node') && !INLINE_NODES.has(o['type'])) return false;
    if (o['k'] === 'call' || (o['k'] === 'binary' && SLOW_OPERATORS.has(String(o['op'])))) return false;
    // constants (bind values, folded literals) are data, not code: nothing in them runs
    if (o['k'] === 'const') return true;
    return Object.values(o).every(safe);
  };
  const root = prepared.plan.root;
  return root.some((n) => n.type === 'IndexNode') && safe(root);
}

/** Removes the entry added first (Maps and Sets iterate in insertion order). */
function dropOldest(c: Map<string, unknown> | Set<string>): void {
  const first = c.keys().next();
  if (first.done !== true) c.delete(first.value);
}

/** True when a query's text and bind values are small enough to parse and plan on the main thread. */
export function smallEnoughInline(query: string, bindVars: Readonly<Record<string, unknown>>): boolean {
  if (query.length > MAX_INLINE_TEXT) return false;
  let nodes = 0;
  let chars = 0;
  const walk = (v: unknown): boolean => {
    if (++nodes > MAX_INLINE_BIND_NODES) return false;
    if (typeof v === 'string') return (chars += v.length) <= MAX_INLINE_BIND_CHARS;
    if (typeof v !== 'object' || v === null) return true;
    return (Array.isArray(v) ? v : Object.values(v)).every(walk);
  };
  return walk(bindVars);
}

/**
 * Decides, per event-loop turn, which small read queries run inline on the main thread. A query
 * costs tens of microseconds to hand to a worker and back, often more than running it: the first
 * candidate of a turn runs inline (under {@link INLINE_BUDGET_MS}); the others of the same turn go
 * to the pool, so a burst of queries still spreads over the query threads and the main thread does
 * at most about one budget of query work per turn. Texts whose plans are not eligible, or whose
 * executions keep running out of budget, go to the pool from then on.
 */
export class InlineLane {
  /** Texts with their strikes: a budget overrun adds one, an inline success takes one away. */
  readonly #strikes = new Map<string, number>();
  /**
   * Texts whose plan passed {@link inlineEligible}. What makes a plan ineligible besides its
   * index use (calls, slow operators, node types) comes from the text alone, and a plan that
   * scans instead for other bind values is stopped by the budget.
   */
  readonly #eligible = new Set<string>();
  /** Plans of eligible queries by text, bind values, user and options (bounded by entries and bytes). */
  readonly #plans = new PlanCache<PreparedQuery>(256, 16 * 1024 * 1024);
  #waiting: Array<(first: boolean) => void> = [];
  #tries = 0;

  /**
   * False when `query` belongs in the pool: its plan is not eligible, or it ran out of budget
   * more often than not (then one call in {@link RETRY_EVERY} tries again: a cold start or a
   * loaded moment must not send a text to the pool for good).
   */
  mayTry(query: string): boolean {
    const n = this.#strikes.get(query) ?? 0;
    if (n < STRIKES_TO_POOL) return true;
    return n !== Number.POSITIVE_INFINITY && ++this.#tries % RETRY_EVERY === 0;
  }

  /** Whether `prepared` (planned from `query`) may run inline; remembered for the text. */
  eligible(query: string, prepared: PreparedQuery): boolean {
    if (this.#eligible.has(query)) return true;
    if (!inlineEligible(prepared)) {
      this.toPool(query);
      return false;
    }
    if (this.#eligible.size >= MAX_TEXTS) dropOldest(this.#eligible);
    this.#eligible.add(query);
    return true;
  }

  /** Remembers that `query` runs in the pool from now on (its plan is not eligible). */
  toPool(query: string): void {
    this.#set(query, Number.POSITIVE_INFINITY);
  }

  /** Counts a budget overrun of `query` (a GC pause can cause one; a query that scans causes many). */
  overran(query: string): void {
    this.#set(query, Math.min(STRIKES_TO_POOL + 2, (this.#strikes.get(query) ?? 0) + 1));
  }

  /** Counts an inline success of `query`. */
  succeeded(query: string): void {
    const n = this.#strikes.get(query);
    if (n === undefined) return;
    if (n <= 1) this.#strikes.delete(query);
    else this.#strikes.set(query, n - 1);
  }

  #set(query: string, n: number): void {
    if (!this.#strikes.has(query) && this.#strikes.size >= MAX_TEXTS) dropOldest(this.#strikes);
    this.#strikes.set(query, n);
  }

  /**
   * Plans and runs `q` here, on the main thread, if its plan is eligible and it finishes within
   * the budget: rows and the finished cursor, or undefined (nothing was answered; the query goes
   * to the pool). Throws the query's own errors (parse, bind, 403 / 11, run time).
   */
  run(engine: StorageEngine, q: { readonly query: string; readonly database: string; readonly bindVars: Readonly<Record<string, unknown>> }, access: AccessSnapshot, options: QueryOptions, user: string | null): { rows: unknown[]; cursor: QueryCursor } | undefined {
    const aqlOptions: QueryOptions = { ...options, budgetMs: INLINE_BUDGET_MS };
    const context = { user, database: q.database };
    const { cache: _parsed, ...planOptions } = options;
    // plans are reused while their collections keep the definitions they were planned on (as in the workers)
    const key = PlanCache.key(q.database, user, q.query, q.bindVars, planOptions);
    let prepared = key === undefined ? undefined : this.#plans.get(key, (names) => names.every(([n, def]) => engine.findCollection(q.database, n)?.definition === def));
    if (prepared === undefined) {
      prepared = prepareQuery(q.query, q.bindVars, new LmdbDataSource(engine, q.database), aqlOptions, context);
      if (!this.eligible(q.query, prepared)) return undefined;
      if (key !== undefined) {
        const names = [...new Set(prepared.collections.read)];
        this.#plans.set(key, prepared, names.map((n) => [n, engine.findCollection(q.database, n)?.definition]), key.length * 2);
      }
    }
    for (const c of prepared.collections.read) requireAccess(access, c, 'ro');
    const cursor = prepared.rebind(new GuardedDataSource(new LmdbDataSource(engine, q.database), access), aqlOptions, context).execute();
    try {
      const rows = cursor.all();
      this.succeeded(q.query);
      return { rows, cursor };
    } catch (err) {
      if (!(err instanceof BudgetExceeded)) throw err;
      this.overran(q.query);
      return undefined;
    }
  }

  /** Resolves at the end of this turn with true for the turn's first candidate only. */
  slot(): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      if (this.#waiting.push(resolve) === 1) {
        setImmediate(() => {
          const waiting = this.#waiting;
          this.#waiting = [];
          waiting.forEach((r, i) => r(i === 0));
        });
      }
    });
  }
}
