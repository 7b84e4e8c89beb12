import { arrayExpected, fn, invalidArg, type FunctionContext, type FunctionTable } from './function-types.ts';
import { compareValues, toNumber } from '../values.ts';

function num(f: (x: number) => number) {
  return (_c: FunctionContext, args: readonly unknown[]): number | null => {
    const r = f(toNumber(args[0]));
    return Number.isFinite(r) ? r : null;
  };
}

/** The numbers of an array argument, nulls skipped; null when a member is not a number. */
function numbers(ctx: FunctionContext, name: string, v: unknown): number[] | null {
  if (!Array.isArray(v)) return arrayExpected(ctx, name);
  const out: number[] = [];
  for (const x of v) {
    if (x === null || x === undefined) continue;
    if (typeof x !== 'number') return null;
    out.push(x);
  }
  return out;
}

function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/** Variance of numbers; `sample` divides by n-1. */
export function variance(xs: readonly number[], sample: boolean): number | null {
  const n = xs.length;
  if (n === 0 || (sample && n < 2)) return null;
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= n;
  let s = 0;
  for (const x of xs) s += (x - mean) * (x - mean);
  return s / (sample ? n - 1 : n);
}

/** Numeric functions (and the array statistics SUM, AVERAGE, MIN, MAX, ...). */
export const NUMERIC_FUNCTIONS: FunctionTable = {
  FLOOR: fn(1, 1, num(Math.floor)),
  CEIL: fn(1, 1, num(Math.ceil)),
  ROUND: fn(1, 1, num(Math.round)),
  ABS: fn(1, 1, num(Math.abs)),
  SQRT: fn(1, 1, num(Math.sqrt)),
  EXP: fn(1, 1, num(Math.exp)),
  EXP2: fn(1, 1, num((x) => 2 ** x)),
  LOG: fn(1, 1, num(Math.log)),
  LOG2: fn(1, 1, num(Math.log2)),
  LOG10: fn(1, 1, num(Math.log10)),
  SIN: fn(1, 1, num(Math.sin)),
  COS: fn(1, 1, num(Math.cos)),
  TAN: fn(1, 1, num(Math.tan)),
  ASIN: fn(1, 1, num(Math.asin)),
  ACOS: fn(1, 1, num(Math.acos)),
  ATAN: fn(1, 1, num(Math.atan)),
  ATAN2: fn(2, 2, (_c, [a, b]) => finite(Math.atan2(toNumber(a), toNumber(b)))),
  RADIANS: fn(1, 1, num((x) => (x * Math.PI) / 180)),
  DEGREES: fn(1, 1, num((x) => (x * 180) / Math.PI)),
  PI: fn(0, 0, () => Math.PI),
  POW: fn(2, 2, (_c, [a, b]) => finite(toNumber(a) ** toNumber(b))),
  RAND: fn(0, 0, () => Math.random(), false),
  RANGE: fn(2, 3, (ctx, [a, b, s], name) => {
    // start and stop are truncated to integers unless a step is given
    const noStep = s === undefined || s === null;
    const start = noStep ? Math.trunc(toNumber(a)) : toNumber(a);
    const stop = noStep ? Math.trunc(toNumber(b)) : toNumber(b);
    let step = s === undefined || s === null ? (start <= stop ? 1 : -1) : toNumber(s);
    if (step === 0 || (start < stop && step < 0) || (start > stop && step > 0)) return invalidArg(ctx, name);
    if (Math.abs((stop - start) / step) > 1e7) {
      ctx.warn(32, 'resource limit exceeded in RANGE()');
      return null;
    }
    const out: number[] = [];
    if (step > 0) for (let x = start; x <= stop; x += step) out.push(x);
    else for (let x = start; x >= stop; x += step) out.push(x);
    step = 0;
    return out;
  }),
  SUM: fn(1, 1, (ctx, [v], name) => {
    const xs = numbers(ctx, name, v);
    if (xs === null) return null;
    let s = 0;
    for (const x of xs) s += x;
    return finite(s);
  }),
  PRODUCT: fn(1, 1, (ctx, [v], name) => {
    const xs = numbers(ctx, name, v);
    if (xs === null) return null;
    let s = 1;
    for (const x of xs) s *= x;
    return finite(s);
  }),
  AVERAGE: fn(1, 1, (ctx, [v], name) => average(numbers(ctx, name, v))),
  AVG: fn(1, 1, (ctx, [v], name) => average(numbers(ctx, name, v))),
  MIN: fn(1, 1, (ctx, [v], name) => {
    if (!Array.isArray(v)) return arrayExpected(ctx, name);
    let best: unknown = null;
    for (const x of v) if (x !== null && x !== undefined && (best === null || compareValues(x, best) < 0)) best = x;
    return best;
  }),
  MAX: fn(1, 1, (ctx, [v], name) => {
    if (!Array.isArray(v)) return arrayExpected(ctx, name);
    let best: unknown = null;
    for (const x of v) if (x !== null && x !== undefined && (best === null || compareValues(x, best) > 0)) best = x;
    return best;
  }),
  MEDIAN: fn(1, 1, (ctx, [v], name) => {
    const xs = numbers(ctx, name, v);
    if (xs === null || xs.length === 0) return null;
    xs.sort((p, q) => p - q);
    const m = xs.length >> 1;
    return xs.length % 2 === 1 ? xs[m] : ((xs[m - 1] ?? 0) + (xs[m] ?? 0)) / 2;
  }),
  PERCENTILE: fn(2, 3, (ctx, [v, p, method], name) => {
    const xs = numbers(ctx, name, v);
    const pct = toNumber(p);
    if (xs === null || xs.length === 0) return null;
    if (!(pct > 0 && pct <= 100)) return invalidArg(ctx, name);
    xs.sort((a, b) => a - b);
    const n = xs.length;
    if (method === 'interpolation') {
      const pos = (pct / 100) * (n + 1);
      if (pos < 1) return xs[0] ?? null;
      if (pos >= n) return xs[n - 1] ?? null;
      const lo = Math.floor(pos);
      const a = xs[lo - 1] ?? 0;
      const b = xs[lo] ?? 0;
      return a + (pos - lo) * (b - a);
    }
    if (method !== undefined && method !== null && method !== 'rank') return invalidArg(ctx, name);
    const idx = Math.max(0, Math.ceil((pct / 100) * n) - 1);
    return xs[Math.min(idx, n - 1)] ?? null;
  }),
  VARIANCE_POPULATION: fn(1, 1, (ctx, [v], name) => { const xs = numbers(ctx, name, v); return xs === null ? null : variance(xs, false); }),
  VARIANCE: fn(1, 1, (ctx, [v], name) => { const xs = numbers(ctx, name, v); return xs === null ? null : variance(xs, false); }),
  VARIANCE_SAMPLE: fn(1, 1, (ctx, [v], name) => { const xs = numbers(ctx, name, v); return xs === null ? null : variance(xs, true); }),
  STDDEV_POPULATION: fn(1, 1, (ctx, [v], name) => { const xs = numbers(ctx, name, v); const r = xs === null ? null : variance(xs, false); return r === null ? null : Math.sqrt(r); }),
  STDDEV: fn(1, 1, (ctx, [v], name) => { const xs = numbers(ctx, name, v); const r = xs === null ? null : variance(xs, false); return r === null ? null : Math.sqrt(r); }),
  STDDEV_SAMPLE: fn(1, 1, (ctx, [v], name) => { const xs = numbers(ctx, name, v); const r = xs === null ? null : variance(xs, true); return r === null ? null : Math.sqrt(r); }),
  IN_RANGE: fn(5, 5, (_c, [v, lo, hi, il, ih]) => {
    const a = compareValues(v, lo);
    const b = compareValues(v, hi);
    return (il === true ? a >= 0 : a > 0) && (ih === true ? b <= 0 : b < 0);
  }),
};

function average(xs: number[] | null): number | null {
  if (xs === null || xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return finite(s / xs.length);
}
