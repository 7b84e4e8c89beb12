import { arrayExpected, fn, invalidArg, type FunctionContext, type FunctionTable } from './function-types.ts';
import { compareValues, isObject, toNumber, toStringValue, valueKey, valuesEqual } from '../values.ts';
import { charLength } from './string-functions.ts';

function arr(ctx: FunctionContext, name: string, v: unknown): unknown[] | null {
  if (Array.isArray(v)) return v;
  return arrayExpected(ctx, name);
}

/** Removes AQL-equal duplicates keeping first occurrences. */
export function unique(xs: readonly unknown[]): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const x of xs) {
    const k = valueKey(x);
    if (!seen.has(k)) { seen.add(k); out.push(x); }
  }
  return out;
}

/** Flattens nested arrays up to `depth` levels. */
export function flatten(xs: readonly unknown[], depth: number): unknown[] {
  const out: unknown[] = [];
  for (const x of xs) {
    if (Array.isArray(x) && depth > 0) out.push(...flatten(x, depth - 1));
    else out.push(x);
  }
  return out;
}

/** AQL LENGTH for any value. */
export function lengthOf(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (Array.isArray(v)) return v.length;
  if (typeof v === 'string') return charLength(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return charLength(toStringValue(v));
  return Object.keys(v as object).length;
}

function indexOfValue(xs: readonly unknown[], v: unknown): number {
  for (let i = 0; i < xs.length; i++) if (valuesEqual(xs[i], v)) return i;
  return -1;
}

const position = fn(2, 3, (ctx, [a, v, ret], name) => {
  const xs = arr(ctx, name, a);
  if (xs === null) return null;
  const i = indexOfValue(xs, v);
  return ret === true ? i : i >= 0;
});

const length = fn(1, 1, (_c, [v]) => lengthOf(v));

/** Array functions (and LENGTH / REVERSE, which also take strings). */
export const ARRAY_FUNCTIONS: FunctionTable = {
  LENGTH: length,
  COUNT: length,
  FIRST: fn(1, 1, (ctx, [a], name) => { const xs = arr(ctx, name, a); return xs === null ? null : xs[0] ?? null; }),
  LAST: fn(1, 1, (ctx, [a], name) => { const xs = arr(ctx, name, a); return xs === null ? null : xs[xs.length - 1] ?? null; }),
  NTH: fn(2, 2, (ctx, [a, p], name) => {
    const xs = arr(ctx, name, a);
    if (xs === null) return null;
    const i = Math.trunc(toNumber(p));
    return i < 0 ? null : xs[i] ?? null;
  }),
  PUSH: fn(2, 3, (ctx, [a, v, u], name) => {
    if (a === null || a === undefined) return [v];
    const xs = arr(ctx, name, a);
    if (xs === null) return null;
    if (u === true && indexOfValue(xs, v) >= 0) return xs;
    return [...xs, v];
  }),
  APPEND: fn(2, 3, (ctx, [a, v, u], name) => {
    const base = a === null || a === undefined ? [] : arr(ctx, name, a);
    if (base === null) return null;
    const add = Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
    const out = [...base, ...add];
    return u === true ? unique(out) : out;
  }),
  UNSHIFT: fn(2, 3, (ctx, [a, v, u], name) => {
    if (a === null || a === undefined) return [v];
    const xs = arr(ctx, name, a);
    if (xs === null) return null;
    if (u === true && indexOfValue(xs, v) >= 0) return xs;
    return [v, ...xs];
  }),
  POP: fn(1, 1, (ctx, [a], name) => { const xs = arr(ctx, name, a); return xs === null ? null : xs.slice(0, -1); }),
  SHIFT: fn(1, 1, (ctx, [a], name) => { const xs = arr(ctx, name, a); return xs === null ? null : xs.slice(1); }),
  UNION: fn(2, Infinity, (ctx, args, name) => {
    const out: unknown[] = [];
    for (const a of args) { const xs = arr(ctx, name, a); if (xs === null) return null; out.push(...xs); }
    return out;
  }),
  UNION_DISTINCT: fn(2, Infinity, (ctx, args, name) => {
    const out: unknown[] = [];
    for (const a of args) { const xs = arr(ctx, name, a); if (xs === null) return null; out.push(...xs); }
    return unique(out);
  }),
  INTERSECTION: fn(2, Infinity, (ctx, args, name) => {
    let result: unknown[] | null = null;
    for (const a of args) {
      const xs = arr(ctx, name, a);
      if (xs === null) return null;
      if (result === null) result = unique(xs);
      else {
        const keys = new Set(xs.map(valueKey));
        result = result.filter((x) => keys.has(valueKey(x)));
      }
    }
    return result ?? [];
  }),
  OUTERSECTION: fn(2, Infinity, (ctx, args, name) => {
    const counts = new Map<string, { v: unknown; n: number }>();
    for (const a of args) {
      const xs = arr(ctx, name, a);
      if (xs === null) return null;
      for (const x of unique(xs)) {
        const k = valueKey(x);
        const e = counts.get(k);
        if (e === undefined) counts.set(k, { v: x, n: 1 });
        else e.n++;
      }
    }
    return [...counts.values()].filter((e) => e.n === 1).map((e) => e.v);
  }),
  MINUS: fn(2, Infinity, (ctx, args, name) => {
    const first = arr(ctx, name, args[0]);
    if (first === null) return null;
    const drop = new Set<string>();
    for (const a of args.slice(1)) {
      const xs = arr(ctx, name, a);
      if (xs === null) return null;
      for (const x of xs) drop.add(valueKey(x));
    }
    return unique(first).filter((x) => !drop.has(valueKey(x)));
  }),
  UNIQUE: fn(1, 1, (ctx, [a], name) => { const xs = arr(ctx, name, a); return xs === null ? null : unique(xs); }),
  SORTED: fn(1, 1, (ctx, [a], name) => { const xs = arr(ctx, name, a); return xs === null ? null : [...xs].sort(compareValues); }),
  SORTED_UNIQUE: fn(1, 1, (ctx, [a], name) => { const xs = arr(ctx, name, a); return xs === null ? null : unique(xs).sort(compareValues); }),
  COUNT_DISTINCT: fn(1, 1, (ctx, [a], name) => { const xs = arr(ctx, name, a); return xs === null ? null : unique(xs).length; }),
  COUNT_UNIQUE: fn(1, 1, (ctx, [a], name) => { const xs = arr(ctx, name, a); return xs === null ? null : unique(xs).length; }),
  FLATTEN: fn(1, 2, (ctx, [a, d], name) => {
    const xs = arr(ctx, name, a);
    return xs === null ? null : flatten(xs, d === undefined || d === null ? 1 : Math.max(0, Math.trunc(toNumber(d))));
  }),
  SLICE: fn(2, 3, (ctx, [a, s, l], name) => {
    const xs = arr(ctx, name, a);
    if (xs === null) return null;
    let start = Math.trunc(toNumber(s));
    if (start < 0) start = Math.max(0, xs.length + start);
    if (l === undefined || l === null) return xs.slice(start);
    const len = Math.trunc(toNumber(l));
    if (len < 0) return xs.slice(start, Math.max(start, xs.length + len));
    return xs.slice(start, start + len);
  }),
  REVERSE: fn(1, 1, (ctx, [a], name) => {
    if (typeof a === 'string') return Array.from(a).reverse().join('');
    const xs = arr(ctx, name, a);
    return xs === null ? null : [...xs].reverse();
  }),
  POSITION: position,
  CONTAINS_ARRAY: position,
  REMOVE_VALUE: fn(2, 3, (ctx, [a, v, l], name) => {
    const xs = arr(ctx, name, a);
    if (xs === null) return null;
    let limit = l === undefined || l === null ? Infinity : toNumber(l);
    const out: unknown[] = [];
    for (const x of xs) {
      if (limit > 0 && valuesEqual(x, v)) { limit--; continue; }
      out.push(x);
    }
    return out;
  }),
  REMOVE_VALUES: fn(2, 2, (ctx, [a, vs], name) => {
    const xs = arr(ctx, name, a);
    if (xs === null) return null;
    const drop = new Set((Array.isArray(vs) ? vs : [vs]).map(valueKey));
    return xs.filter((x) => !drop.has(valueKey(x)));
  }),
  REMOVE_NTH: fn(2, 2, (ctx, [a, p], name) => {
    const xs = arr(ctx, name, a);
    if (xs === null) return null;
    let i = Math.trunc(toNumber(p));
    if (i < 0) i += xs.length;
    if (i < 0 || i >= xs.length) return xs;
    return [...xs.slice(0, i), ...xs.slice(i + 1)];
  }),
  REPLACE_NTH: fn(3, 4, (ctx, [a, p, v, pad], name) => {
    const xs = arr(ctx, name, a);
    if (xs === null) return null;
    let i = Math.trunc(toNumber(p));
    if (i < 0) i += xs.length;
    if (i < 0) return invalidArg(ctx, name);
    const out = [...xs];
    while (out.length < i) out.push(pad ?? null);
    out[i] = v;
    return out;
  }),
  JACCARD: fn(2, 2, (ctx, [a, b], name) => {
    const xs = arr(ctx, name, a);
    const ys = arr(ctx, name, b);
    if (xs === null || ys === null) return null;
    const ka = new Set(xs.map(valueKey));
    const kb = new Set(ys.map(valueKey));
    const union = new Set([...ka, ...kb]).size;
    if (union === 0) return 1;
    let inter = 0;
    for (const k of ka) if (kb.has(k)) inter++;
    return inter / union;
  }),
  INTERLEAVE: fn(2, Infinity, (ctx, args, name) => {
    const lists: unknown[][] = [];
    for (const a of args) { const xs = arr(ctx, name, a); if (xs === null) return null; lists.push(xs); }
    const out: unknown[] = [];
    const max = Math.max(0, ...lists.map((l) => l.length));
    for (let i = 0; i < max; i++) for (const l of lists) if (i < l.length) out.push(l[i]);
    return out;
  }),
};
void isObject;
