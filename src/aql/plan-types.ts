import type { BinaryOp, CompareOp, Direction } from './ast.ts';
import type { AqlFunction } from './functions/index.ts';
import type { IndexDescription } from './data-source.ts';

/** A query variable; `id` is also its register slot in the execution frame. */
export interface Variable {
  readonly id: number;
  readonly name: string;
  /** False for planner temporaries (subquery results, CURRENT, ...). */
  readonly isUser: boolean;
}

/** Quantifier with resolved expressions. */
export type RQuantifier =
  | { readonly kind: 'any' | 'all' | 'none' }
  | { readonly kind: 'atLeast' | 'exact'; readonly count: RExpr }
  | { readonly kind: 'between'; readonly min: RExpr; readonly max: RExpr };

/** A resolved expression: variables are bound, bind parameters substituted, subqueries hoisted. */
export type RExpr =
  | { readonly k: 'const'; readonly v: unknown }
  | { readonly k: 'var'; readonly v: Variable }
  | { readonly k: 'array'; readonly items: readonly RExpr[] }
  | { readonly k: 'object'; readonly entries: readonly { readonly key: string | RExpr; readonly value: RExpr }[] }
  | { readonly k: 'attr'; readonly obj: RExpr; readonly name: string }
  | { readonly k: 'index'; readonly obj: RExpr; readonly idx: RExpr }
  | {
      readonly k: 'expand'; readonly obj: RExpr; readonly depth: number; readonly current: Variable;
      readonly filter: RExpr | undefined; readonly offset: RExpr | undefined; readonly count: RExpr | undefined; readonly project: RExpr | undefined;
    }
  | { readonly k: 'question'; readonly obj: RExpr; readonly current: Variable; readonly quant: RQuantifier; readonly filter: RExpr | undefined }
  | { readonly k: 'unary'; readonly op: '!' | '-' | '+'; readonly x: RExpr }
  | { readonly k: 'binary'; readonly op: BinaryOp; readonly l: RExpr; readonly r: RExpr }
  | { readonly k: 'arrayCmp'; readonly quant: RQuantifier; readonly op: CompareOp; readonly l: RExpr; readonly r: RExpr }
  | { readonly k: 'ternary'; readonly c: RExpr; readonly t: RExpr | undefined; readonly e: RExpr }
  | { readonly k: 'call'; readonly name: string; readonly fn: AqlFunction; readonly args: readonly RExpr[] };

/** How an IndexNode looks documents up. */
export type IndexLookup =
  /** Primary index: `_key` / `_id` equality or IN (values evaluate to keys or ids). */
  | { readonly kind: 'primary'; readonly values: RExpr; readonly many: boolean; readonly byId: boolean }
  /** Edge index: `_from` / `_to` equality or IN. */
  | { readonly kind: 'edge'; readonly direction: 'out' | 'in'; readonly values: RExpr; readonly many: boolean }
  /** Persistent index: equality on leading fields (one of them possibly IN), range on the next. */
  | {
      readonly kind: 'persistent';
      readonly equal: readonly { readonly expr: RExpr; readonly many: boolean }[];
      readonly lower: readonly { readonly expr: RExpr; readonly inclusive: boolean }[];
      readonly upper: readonly { readonly expr: RExpr; readonly inclusive: boolean }[];
    }
  /**
   * Geo index (optimizer-geo.ts). Without `region`: documents in ascending distance from `near`
   * (`[point]` as GEO_DISTANCE reads it, or `[lat, lon]` as DISTANCE takes them), only those within
   * `maxDistance` meters when set; `distance` is the SORT key the lookup replaced (the scan fallback
   * sorts by it), undefined when it replaced none. With `region`: the candidates of a GEO_CONTAINS
   * (`contains`) or GEO_INTERSECTS filter on that shape, unordered. The filters stay and re-check.
   */
  | {
      readonly kind: 'geo'; readonly near: readonly RExpr[]; readonly distance: RExpr | undefined;
      readonly maxDistance: RExpr | undefined; readonly region: RExpr | undefined; readonly contains: boolean;
    }
  /**
   * mdi / mdi-prefixed index (optimizer-mdi.ts): `equal` for the prefix fields, then per field the
   * bounds found (any inclusiveness: the filters stay and re-check); the box is their tightest numbers.
   */
  | { readonly kind: 'mdi'; readonly equal: readonly RExpr[]; readonly lower: readonly (readonly RExpr[])[]; readonly upper: readonly (readonly RExpr[])[] };

/** One element of a SORT. */
export interface SortKey {
  readonly expr: RExpr;
  readonly ascending: boolean;
}

/** One AGGREGATE of a COLLECT. */
export interface Aggregate {
  readonly out: Variable;
  readonly func: string;
  readonly expr: RExpr | undefined;
}

/** A WINDOW bound: a row count or value distance (Infinity = unbounded), or an ISO 8601 duration. */
export type WindowBound = number | { readonly duration: string };

/** Traversal options after evaluation of the OPTIONS object. */
export interface TraversalOptions {
  readonly order: 'bfs' | 'dfs';
  readonly uniqueVertices: 'none' | 'path' | 'global';
  readonly uniqueEdges: 'none' | 'path';
  readonly weightAttribute: string | undefined;
  readonly defaultWeight: number;
  /** Only vertices of these collections are visited (`vertexCollections`); undefined: all. */
  readonly vertexCollections: ReadonlySet<string> | undefined;
  /** Only edges of these collections are followed (`edgeCollections`), applied to the edge specs at plan time. */
  readonly edgeCollections: ReadonlySet<string> | undefined;
}

/** FOR-loop hints over a collection (`OPTIONS {indexHint, forceIndexHint, disableIndex}`). */
export interface ForHints {
  readonly indexHint: readonly string[];
  readonly forceIndexHint: boolean;
  readonly disableIndex: boolean;
}

/** An edge collection with its effective direction. */
export interface EdgeSpec {
  readonly collection: string;
  readonly direction: Direction;
}

/** Modification options evaluated at plan time. */
export interface ModifyOptions {
  readonly ignoreErrors: boolean;
  readonly keepNull: boolean;
  readonly mergeObjects: boolean;
  readonly ignoreRevs: boolean;
  readonly waitForSync: boolean;
  readonly overwriteMode: 'ignore' | 'replace' | 'update' | 'conflict' | undefined;
  /** UPSERT: indexes to try first for the lookup, and whether one of them must serve it. */
  readonly indexHint: readonly string[];
  readonly forceIndexHint: boolean;
}

/** A node of an execution plan; a plan is a pipeline (array) starting with a Singleton. */
export type PlanNode =
  | { readonly type: 'SingletonNode' }
  | { type: 'EnumerateCollectionNode'; readonly collection: string; readonly out: Variable; materialize: boolean; readonly hints?: ForHints }
  | {
      type: 'IndexNode'; readonly collection: string; readonly out: Variable; readonly index: IndexDescription;
      readonly lookup: IndexLookup; reverse: boolean; materialize: boolean; readonly condition: RExpr | undefined;
    }
  | { readonly type: 'EnumerateListNode'; readonly expr: RExpr; readonly out: Variable }
  | { readonly type: 'CalculationNode'; readonly expr: RExpr; readonly out: Variable }
  | { readonly type: 'FilterNode'; readonly expr: RExpr }
  | {
      readonly type: 'SubqueryNode'; readonly plan: PlanNode[]; readonly out: Variable; readonly isModification: boolean;
      /** Runs the subquery only when this is truthy (a subquery in a ternary branch or right of AND/OR); else `[]`. */
      readonly guard?: RExpr;
    }
  | { type: 'SortNode'; readonly keys: readonly SortKey[]; limit: number | undefined }
  | { readonly type: 'LimitNode'; readonly offset: number; readonly count: number; fullCount: boolean }
  | {
      readonly type: 'CollectNode';
      readonly groups: readonly { readonly out: Variable; readonly expr: RExpr }[];
      readonly aggregates: readonly Aggregate[];
      readonly into: { readonly out: Variable; readonly expr: RExpr | undefined; readonly keep: readonly Variable[] } | undefined;
      readonly count: Variable | undefined;
      /** OPTIONS {method}: "sorted" or "hash" (undefined: the engine's choice, hash). */
      readonly method: 'sorted' | 'hash' | undefined;
    }
  | { readonly type: 'ReturnNode'; readonly expr: RExpr; readonly distinct: boolean }
  | {
      readonly type: 'KPathsNode'; readonly mode: 'K_PATHS' | 'K_SHORTEST_PATHS' | 'ALL_SHORTEST_PATHS'; readonly path: Variable;
      readonly start: RExpr; readonly target: RExpr; readonly edges: readonly EdgeSpec[]; readonly options: TraversalOptions;
      readonly min: number; readonly max: number;
    }
  | {
      readonly type: 'WindowNode'; readonly range: RExpr | undefined; readonly preceding: WindowBound;
      readonly following: WindowBound; readonly aggregates: readonly Aggregate[];
    }
  | {
      readonly type: 'TraversalNode'; readonly vertex: Variable; readonly edge: Variable; readonly path: Variable;
      readonly min: number; readonly max: number; readonly start: RExpr; readonly edges: readonly EdgeSpec[];
      readonly prune: RExpr | undefined; readonly pruneVar: Variable | undefined; readonly options: TraversalOptions;
    }
  | {
      readonly type: 'ShortestPathNode'; readonly vertex: Variable; readonly edge: Variable | undefined;
      readonly start: RExpr; readonly target: RExpr; readonly edges: readonly EdgeSpec[]; readonly options: TraversalOptions;
    }
  | {
      readonly type: 'InsertNode' | 'UpdateNode' | 'ReplaceNode' | 'RemoveNode';
      readonly collection: string; readonly key: RExpr | undefined; readonly doc: RExpr | undefined;
      readonly options: ModifyOptions; readonly outNew: Variable | undefined; readonly outOld: Variable | undefined;
    }
  | {
      readonly type: 'UpsertNode'; readonly collection: string; readonly search: RExpr; readonly insert: RExpr; readonly update: RExpr;
      /** UPSERT FILTER: `search` is a condition evaluated with `current` bound to each candidate document. */
      readonly current: Variable | undefined;
      readonly replace: boolean; readonly options: ModifyOptions; readonly oldTmp: Variable;
      readonly outNew: Variable | undefined; readonly outOld: Variable | undefined;
    };

/** A whole plan: the top pipeline and bookkeeping for explain and execution. */
export interface Plan {
  readonly root: PlanNode[];
  readonly variables: readonly Variable[];
  readonly collections: readonly { readonly name: string; readonly type: 'read' | 'write' }[];
  readonly rules: readonly string[];
  readonly isModification: boolean;
  /** Number of frame slots (one per variable). */
  readonly frameSize: number;
  readonly warnings: readonly { readonly code: number; readonly message: string }[];
}
