import type { Compiled, compileExpr } from './compile-expr.ts';

/** A row stream: yields `undefined` per row, or the returned value after a ReturnNode. */
export type Rows = Iterable<unknown>;
/** A step fused into the preceding loop (FILTER, LET, …): false drops the row. */
export type Op = (f: unknown[]) => boolean;
/** Builds one enumerating stage over its upstream rows; `post` runs the fused steps per row. */
export type StageFactory = (up: Rows, post: Op | undefined) => Rows;
/** Compiles an expression of the plan against the query's context. */
export type CompileFn = (e: Parameters<typeof compileExpr>[0]) => Compiled;
