import type { DataSource } from '../data-source.ts';

/** What a function implementation may use besides its arguments. */
export interface FunctionContext {
  /** Records a query warning (`{code, message}` in the result's `extra.warnings`). */
  warn(code: number, message: string): void;
  readonly dataSource: DataSource;
  readonly user: string | null;
  readonly database: string;
  /** Throws ERROR_QUERY_KILLED when the query was killed or ran out of time. */
  checkAlive(): void;
  /** Throws ERROR_FORBIDDEN when the caller may not read a collection (checked by DOCUMENT() at run time). */
  requireRead(collection: string): void;
}

/** An AQL function: arity bounds, purity (for constant folding) and the implementation. */
export interface AqlFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  /** False for RAND(), DATE_NOW(), DOCUMENT(), FAIL() ...: never folded at plan time. */
  readonly deterministic: boolean;
  readonly impl: (ctx: FunctionContext, args: readonly unknown[], name: string) => unknown;
}

/** A table of functions by upper-case name. */
export type FunctionTable = Readonly<Record<string, AqlFunction>>;

/** Builds a table entry. */
export function fn(
  minArgs: number,
  maxArgs: number,
  impl: (ctx: FunctionContext, args: readonly unknown[], name: string) => unknown,
  deterministic = true,
): AqlFunction {
  return { minArgs, maxArgs, impl, deterministic };
}

/** Registers warning 1542 ("invalid argument type") and yields null, as ArangoDB does. */
export function invalidArg(ctx: FunctionContext, name: string): null {
  ctx.warn(1542, `invalid argument type in call to function '${name}()'`);
  return null;
}

/** Registers warning 1563 ("array expected") and yields null. */
export function arrayExpected(ctx: FunctionContext, name: string): null {
  ctx.warn(1563, `array expected in call to function '${name}()'`);
  return null;
}
