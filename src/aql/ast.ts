/**
 * The AQL abstract syntax tree: readonly nodes tagged by `kind`. Produced by
 * `parser.ts`, consumed by `planner.ts`. Expressions and operations are separate unions.
 */

/** Binary operators (arithmetic, comparison, logical, membership, pattern, range). */
export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'IN' | 'NOT IN' | 'LIKE' | 'NOT LIKE' | '=~' | '!~'
  | '&&' | '||' | '..';

/** Comparison operators usable with ANY / ALL / NONE / AT LEAST. */
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'NOT IN';

/** Quantifier of an array comparison or of the `[? ...]` operator. */
export type Quantifier =
  | { readonly kind: 'any' }
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  | { readonly kind: 'atLeast'; readonly count: Expr }
  | { readonly kind: 'exact'; readonly count: Expr }
  | { readonly kind: 'between'; readonly min: Expr; readonly max: Expr };

/** An AQL expression. */
export type Expr =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'array'; readonly elements: readonly Expr[] }
  | { readonly kind: 'object'; readonly entries: readonly ObjectEntry[] }
  | { readonly kind: 'ref'; readonly name: string; readonly offset: number }
  | { readonly kind: 'bind'; readonly name: string }
  | { readonly kind: 'attr'; readonly object: Expr; readonly name: string }
  | { readonly kind: 'index'; readonly object: Expr; readonly index: Expr }
  | {
      readonly kind: 'expand';
      readonly object: Expr;
      /** 1 for `[*]`, 2 for `[**]` (flatten one level first), ... */
      readonly depth: number;
      readonly filter: Expr | undefined;
      readonly limit: { readonly offset: Expr; readonly count: Expr } | undefined;
      /** Projection of CURRENT (inline RETURN and trailing attribute accesses). */
      readonly project: Expr | undefined;
    }
  | { readonly kind: 'question'; readonly object: Expr; readonly quantifier: Quantifier; readonly filter: Expr | undefined }
  | { readonly kind: 'unary'; readonly op: '!' | '-' | '+'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'arrayCompare'; readonly quantifier: Quantifier; readonly op: CompareOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'ternary'; readonly condition: Expr; readonly then: Expr | undefined; readonly otherwise: Expr }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly offset: number }
  | { readonly kind: 'subquery'; readonly query: QueryBody };

/** One `key: value` of an object literal; `key` is an expression for `[expr]: value`. */
export interface ObjectEntry {
  readonly key: string | Expr;
  readonly value: Expr;
}

/** Where a FOR / modification reads or writes: a collection name or `@@param`. */
export type CollectionRef =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'bindCollection'; readonly name: string };

/** Traversal direction. */
export type Direction = 'OUTBOUND' | 'INBOUND' | 'ANY';

/** An edge collection of a traversal, optionally with its own direction. */
export interface EdgeCollectionRef {
  readonly collection: CollectionRef;
  readonly direction: Direction | undefined;
}

/** The graph of a traversal: an explicit edge collection list or a named graph. */
export type GraphRef =
  | { readonly kind: 'collections'; readonly collections: readonly EdgeCollectionRef[] }
  | { readonly kind: 'named'; readonly name: Expr };

/** One SORT key. */
export interface SortElement {
  readonly expr: Expr;
  readonly ascending: boolean;
}

/** One AGGREGATE assignment: `name = FUNC(args)`. */
export interface AggregateAssignment {
  readonly name: string;
  readonly func: string;
  readonly args: readonly Expr[];
}

/** A query operation (statement). */
export type Operation =
  | { readonly kind: 'for'; readonly variable: string; readonly source: Expr; readonly options: Expr | undefined; readonly offset: number }
  | {
      readonly kind: 'traversal';
      readonly vertex: string;
      readonly edge: string | undefined;
      readonly path: string | undefined;
      readonly min: Expr;
      readonly max: Expr;
      readonly direction: Direction;
      readonly start: Expr;
      readonly graph: GraphRef;
      readonly prune: { readonly expr: Expr; readonly variable: string | undefined } | undefined;
      readonly options: Expr | undefined;
    }
  | {
      readonly kind: 'kPaths';
      readonly mode: 'K_PATHS' | 'K_SHORTEST_PATHS' | 'ALL_SHORTEST_PATHS';
      readonly path: string;
      readonly direction: Direction;
      readonly start: Expr;
      readonly target: Expr;
      readonly graph: GraphRef;
      readonly min: Expr;
      readonly max: Expr;
      readonly options: Expr | undefined;
    }
  | {
      readonly kind: 'shortestPath';
      readonly vertex: string;
      readonly edge: string | undefined;
      readonly direction: Direction;
      readonly start: Expr;
      readonly target: Expr;
      readonly graph: GraphRef;
      readonly options: Expr | undefined;
    }
  | { readonly kind: 'let'; readonly name: string; readonly expr: Expr }
  | { readonly kind: 'window'; readonly range: Expr | undefined; readonly bounds: Expr; readonly aggregates: readonly AggregateAssignment[] }
  | { readonly kind: 'filter'; readonly expr: Expr }
  | { readonly kind: 'sort'; readonly elements: readonly SortElement[] }
  | { readonly kind: 'limit'; readonly offset: Expr; readonly count: Expr }
  | {
      readonly kind: 'collect';
      readonly groups: readonly { readonly name: string; readonly expr: Expr }[];
      readonly aggregates: readonly AggregateAssignment[];
      readonly into: { readonly name: string; readonly expr: Expr | undefined } | undefined;
      readonly keep: readonly string[] | undefined;
      readonly count: string | undefined;
      readonly options: Expr | undefined;
    }
  | { readonly kind: 'return'; readonly expr: Expr; readonly distinct: boolean }
  | { readonly kind: 'insert'; readonly doc: Expr; readonly collection: CollectionRef; readonly options: Expr | undefined }
  | {
      readonly kind: 'update' | 'replace';
      readonly key: Expr | undefined;
      readonly doc: Expr;
      readonly collection: CollectionRef;
      readonly options: Expr | undefined;
    }
  | { readonly kind: 'remove'; readonly key: Expr; readonly collection: CollectionRef; readonly options: Expr | undefined }
  | {
      readonly kind: 'upsert';
      /** The search object, or with `filter` the `UPSERT FILTER` condition over CURRENT (3.12). */
      readonly search: Expr;
      readonly filter?: boolean;
      readonly insert: Expr;
      readonly update: Expr;
      readonly replace: boolean;
      readonly collection: CollectionRef;
      readonly options: Expr | undefined;
    };

/** A query or subquery: its operations in order. */
export interface QueryBody {
  readonly operations: readonly Operation[];
}

/** A parsed query: the top-level body and the `WITH` collection list. */
export interface QueryAst {
  readonly kind: 'query';
  readonly withCollections: readonly string[];
  readonly body: QueryBody;
  /** Names of all `@value` bind parameters used. */
  readonly bindParams: readonly string[];
  /** Names of all `@@collection` bind parameters used. */
  readonly bindCollections: readonly string[];
}
