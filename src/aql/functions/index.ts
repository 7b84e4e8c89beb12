import { ArangoError } from '../../errors/index.ts';
import { fn, type AqlFunction, type FunctionContext, type FunctionTable } from './function-types.ts';
import { TYPE_FUNCTIONS } from './type-functions.ts';
import { STRING_FUNCTIONS } from './string-functions.ts';
import { NUMERIC_FUNCTIONS } from './numeric-functions.ts';
import { ARRAY_FUNCTIONS } from './array-functions.ts';
import { DOCUMENT_FUNCTIONS } from './document-functions.ts';
import { DATE_FUNCTIONS } from './date-functions.ts';
import { MISC_FUNCTIONS } from './misc-functions.ts';
import { EXTRA_STRING_FUNCTIONS } from './extra-string-functions.ts';
import { NETWORK_FUNCTIONS } from './network-functions.ts';
import { GEO_FUNCTIONS } from './geo-functions.ts';
import { DATE_ZONE_FUNCTIONS } from './date-zone-functions.ts';
import { BIT_FUNCTIONS } from './bit-functions.ts';
import { VECTOR_FUNCTIONS } from './vector-functions.ts';
import { MORE_MISC_FUNCTIONS } from './more-misc-functions.ts';
import { SEARCH_FUNCTIONS } from './search-functions.ts';

export type { AqlFunction, FunctionContext, FunctionTable } from './function-types.ts';

const BUILT_IN: FunctionTable = {
  ...TYPE_FUNCTIONS,
  ...STRING_FUNCTIONS,
  ...NUMERIC_FUNCTIONS,
  ...ARRAY_FUNCTIONS,
  ...DOCUMENT_FUNCTIONS,
  ...DATE_FUNCTIONS,
  ...MISC_FUNCTIONS,
  ...EXTRA_STRING_FUNCTIONS,
  ...NETWORK_FUNCTIONS,
  ...GEO_FUNCTIONS,
  ...DATE_ZONE_FUNCTIONS,
  ...BIT_FUNCTIONS,
  ...VECTOR_FUNCTIONS,
  ...MORE_MISC_FUNCTIONS,
  ...SEARCH_FUNCTIONS,
};

/** Functions CALL() / APPLY() refuse to call (as ArangoDB does: they need the query's own context). */
const NOT_CALLABLE = new Set(['CALL', 'APPLY', 'NOOPT', 'NOEVAL', 'V8', 'DOCUMENT', 'NEAR', 'WITHIN', 'WITHIN_RECTANGLE', 'FULLTEXT']);

/** Calls the built-in function `target` by name at run time with ArangoDB's arity check. */
function dynamicCall(target: unknown, args: readonly unknown[], caller: string): (ctx: FunctionContext) => unknown {
  if (typeof target !== 'string') {
    throw new ArangoError('ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH', `invalid argument type in call to function '${caller}()'`);
  }
  const name = target.toUpperCase();
  const f = BUILT_IN[name];
  if (f === undefined || NOT_CALLABLE.has(name)) {
    throw new ArangoError('ERROR_QUERY_FUNCTION_NAME_UNKNOWN', `usage of unknown function '${target}()'`);
  }
  if (args.length < f.minArgs || args.length > f.maxArgs) {
    const max = f.maxArgs === Infinity ? 65536 : f.maxArgs;
    throw new ArangoError('ERROR_QUERY_FUNCTION_ARGUMENT_NUMBER_MISMATCH',
      `invalid number of arguments for function '${name}()', expected number of arguments: minimum: ${f.minArgs}, maximum: ${max}`);
  }
  return (ctx) => f.impl(ctx, args, name);
}

/** Every built-in AQL function by upper-case name. */
export const FUNCTIONS: FunctionTable = Object.freeze({
  ...BUILT_IN,
  KEYS: DOCUMENT_FUNCTIONS['ATTRIBUTES'] as AqlFunction,
  CALL: fn(1, Infinity, (ctx, [target, ...args]) => dynamicCall(target, args, 'CALL')(ctx), false),
  APPLY: fn(1, 2, (ctx, [target, list]) => {
    if (list !== undefined && list !== null && !Array.isArray(list)) {
      throw new ArangoError('ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH', "invalid argument type in call to function 'APPLY()'");
    }
    return dynamicCall(target, Array.isArray(list) ? list : [], 'APPLY')(ctx);
  }, false),
});
