import { ArangoError } from '../../errors/index.ts';
import { fn, invalidArg, type FunctionTable } from './function-types.ts';
import { damerauLevenshtein } from './extra-string-functions.ts';
import { fulltextFunction } from './fulltext-function.ts';
import { validateJsonSchema } from '../../common/index.ts';
import { isObject, toBool, toStringValue } from '../values.ts';

/** ArangoDB's revision alphabet (a base-64 variant that sorts like the numbers it encodes). */
const REV_ALPHABET = '-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Plain Levenshtein distance over code points (no transpositions). */
function levenshtein(a: readonly string[], b: readonly string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_v, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * NEAR / WITHIN / WITHIN_RECTANGLE on a collection are planned as a subquery (planner-geo-legacy.ts); a call
 * that gets here names none. FULLTEXT needs a fulltext index, which kitsune does not have.
 */
function needsGeoIndex(_ctx: unknown, [coll]: readonly unknown[]): never {
  throw new ArangoError('ERROR_QUERY_GEO_INDEX_MISSING', `no suitable geo index found for geo restriction on '${toStringValue(coll)}'`);
}

/** Functions of the 3.12 miscellaneous/document pages not covered elsewhere. */
export const MORE_MISC_FUNCTIONS: FunctionTable = {
  NOEVAL: fn(1, 1, (_c, [v]) => v, false),
  // MIN_MATCH(expr1, ... exprN, minMatchCount): at least minMatchCount of the expressions are true
  MIN_MATCH: fn(2, Infinity, (ctx, args, name) => {
    const min = args[args.length - 1];
    if (typeof min !== 'number') return invalidArg(ctx, name);
    let n = 0;
    for (let i = 0; i < args.length - 1; i++) if (toBool(args[i])) n++;
    return n >= min;
  }),
  DECODE_REV: fn(1, 1, (ctx, [rev], name) => {
    if (typeof rev !== 'string' || rev.length === 0 || rev.length > 11) return invalidArg(ctx, name);
    let v = 0n;
    for (const c of rev) {
      const d = REV_ALPHABET.indexOf(c);
      if (d < 0) return invalidArg(ctx, name);
      v = v * 64n + BigInt(d);
    }
    // a hybrid logical clock: milliseconds since the epoch above 20 bits of counter
    const ms = Number(v >> 20n);
    const date = new Date(ms);
    if (Number.isNaN(date.getTime())) return invalidArg(ctx, name);
    return { date: date.toISOString(), count: Number(v & 0xfffffn) };
  }),
  CHECK_DOCUMENT: fn(1, 1, (_c, [d]) => isObject(d), false),
  SHARD_ID: fn(2, 2, (ctx, [coll, keys], name) => {
    if (typeof coll !== 'string' || !isObject(keys)) return invalidArg(ctx, name);
    if (ctx.dataSource.collection(coll) === undefined) throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND', `collection or view not found: ${coll}`);
    // outside a cluster the collection is its only shard
    return coll;
  }, false),
  SCHEMA_GET: fn(1, 1, (ctx, [coll]) => {
    const name = toStringValue(coll);
    const c = ctx.dataSource.collection(name);
    if (c === undefined) throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND', `collection or view not found: ${name}`);
    return c.schema ?? null;
  }, false),
  SCHEMA_VALIDATE: fn(2, 2, (ctx, [doc, schema], name) => {
    if (!isObject(doc)) return invalidArg(ctx, name);
    if (schema === null || (isObject(schema) && Object.keys(schema).length === 0)) return { valid: true };
    if (!isObject(schema) || !isObject(schema['rule'])) return invalidArg(ctx, name);
    // system attributes are not subject to a schema, as for collection schemas
    const { _key, _id, _rev, _from, _to, ...rest } = doc;
    void _key; void _id; void _rev; void _from; void _to;
    if (validateJsonSchema(schema['rule'], rest)) return { valid: true };
    return { valid: false, errorMessage: typeof schema['message'] === 'string' ? schema['message'] : 'Schema violation' };
  }),
  LEVENSHTEIN_MATCH: fn(3, 6, (ctx, [value, target, distance, transpositions, , prefix], name) => {
    if (typeof target !== 'string' || typeof distance !== 'number' || !Number.isInteger(distance)) return invalidArg(ctx, name);
    const damerau = transpositions !== false;
    if (distance < 0 || distance > (damerau ? 3 : 4)) return invalidArg(ctx, name);
    if (typeof value !== 'string') return false;
    let rest = value;
    if (typeof prefix === 'string' && prefix !== '') {
      if (!value.startsWith(prefix)) return false;
      rest = value.slice(prefix.length);
    }
    const d = damerau ? damerauLevenshtein([...rest], [...target]) : levenshtein([...rest], [...target]);
    return d <= distance;
  }),
  NEAR: fn(3, 5, needsGeoIndex, false),
  WITHIN: fn(4, 5, needsGeoIndex, false),
  WITHIN_RECTANGLE: fn(5, 5, needsGeoIndex, false),
  FULLTEXT: fn(3, 4, fulltextFunction, false),
};
