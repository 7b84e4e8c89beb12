import type { CompareOp } from './ast.ts';
import type { ExecContext } from './exec-context.ts';
import type { RExpr, RQuantifier } from './plan-types.ts';
import { compareValues, isObject, toBool, toNumber, toStringValue, valueKey, valuesEqual } from './values.ts';
import { compileRegex, likeToRegExp } from './functions/string-functions.ts';
import { flatten } from './functions/array-functions.ts';

/** A compiled expression: reads the frame (one slot per variable) and returns a value. */
export type Compiled = (f: unknown[]) => unknown;

/** Reads an attribute the AQL way: non-objects and missing attributes yield null. */
export function getAttr(o: unknown, name: string): unknown {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
  const v = (o as Record<string, unknown>)[name];
  // inherited members of Object.prototype are functions (or __proto__); they are not attributes
  if (v === undefined || typeof v === 'function') return null;
  if (name === '__proto__' && !Object.prototype.hasOwnProperty.call(o, name)) return null;
  return v;
}

/** `value[index]` with AQL semantics (negative array positions count from the end). */
export function getIndex(o: unknown, idx: unknown): unknown {
  if (Array.isArray(o)) {
    let i: number;
    if (typeof idx === 'number') i = idx;
    else if (typeof idx === 'string' && /^-?\d+$/.test(idx.trim())) i = Number(idx);
    else return null;
    i = Math.trunc(i);
    if (i < 0) i += o.length;
    return o[i] ?? null;
  }
  if (isObject(o)) {
    if (idx === null || idx === undefined) return null;
    return getAttr(o, typeof idx === 'string' ? idx : toStringValue(idx));
  }
  return null;
}

/** Builds the integer range `a..b` (ascending or descending). */
export function makeRange(ctx: ExecContext, a: unknown, b: unknown): number[] {
  const lo = Math.trunc(toNumber(a));
  const hi = Math.trunc(toNumber(b));
  const n = Math.abs(hi - lo) + 1;
  ctx.track(n * 8);
  const out = new Array<number>(n);
  const step = lo <= hi ? 1 : -1;
  for (let i = 0, x = lo; i < n; i++, x += step) out[i] = x;
  ctx.track(-n * 8);
  return out;
}

function arith(op: string, ctx: ExecContext, a: unknown, b: unknown): number | null {
  const x = typeof a === 'number' ? a : toNumber(a);
  const y = typeof b === 'number' ? b : toNumber(b);
  let r: number;
  switch (op) {
    case '+': r = x + y; break;
    case '-': r = x - y; break;
    case '*': r = x * y; break;
    case '/':
      if (y === 0) { ctx.warn(1562, 'division by zero'); return null; }
      r = x / y;
      break;
    default:
      if (y === 0) { ctx.warn(1562, 'division by zero'); return null; }
      r = x % y;
  }
  return Number.isFinite(r) ? r : null;
}

/** Evaluates one comparison operator (also used by array comparisons). */
export function compareOp(op: CompareOp, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==': return valuesEqual(a, b);
    case '!=': return !valuesEqual(a, b);
    case '<': return compareValues(a, b) < 0;
    case '<=': return compareValues(a, b) <= 0;
    case '>': return compareValues(a, b) > 0;
    case '>=': return compareValues(a, b) >= 0;
    case 'IN': return inArray(a, b);
    case 'NOT IN': return !inArray(a, b);
  }
}

function inArray(a: unknown, b: unknown): boolean {
  if (!Array.isArray(b)) return false;
  for (const x of b) if (valuesEqual(a, x)) return true;
  return false;
}

function compileQuantifier(q: RQuantifier, ctx: ExecContext): (f: unknown[], hits: number, total: number) => boolean {
  switch (q.kind) {
    case 'any': return (_f, h) => h > 0;
    case 'all': return (_f, h, t) => h === t;
    case 'none': return (_f, h) => h === 0;
    case 'atLeast': { const n = compileExpr(q.count, ctx); return (f, h) => h >= toNumber(n(f)); }
    case 'exact': { const n = compileExpr(q.count, ctx); return (f, h) => h === toNumber(n(f)); }
    case 'between': {
      const lo = compileExpr(q.min, ctx);
      const hi = compileExpr(q.max, ctx);
      return (f, h) => h >= toNumber(lo(f)) && h <= toNumber(hi(f));
    }
  }
}

/** Compiles an expression tree into nested closures, once per execution. */
export function compileExpr(e: RExpr, ctx: ExecContext): Compiled {
  switch (e.k) {
    case 'const': { const v = e.v; return () => v; }
    case 'var': { const id = e.v.id; return (f) => f[id]; }
    case 'array': {
      const items = e.items.map((x) => compileExpr(x, ctx));
      return (f) => items.map((it) => it(f));
    }
    case 'object': {
      const entries = e.entries.map((en) => ({ key: en.key, ck: typeof en.key === 'string' ? undefined : compileExpr(en.key, ctx), value: compileExpr(en.value, ctx) }));
      return (f) => {
        const o: Record<string, unknown> = {};
        for (const en of entries) {
          const k = en.ck === undefined ? (en.key as string) : en.ck(f);
          if (en.ck !== undefined && typeof k !== 'string') {
            if (k === null || k === undefined) continue;
          }
          const key = typeof k === 'string' ? k : toStringValue(k);
          if (!(key in o)) o[key] = en.value(f) ?? null;
        }
        return o;
      };
    }
    case 'attr': {
      const name = e.name;
      if (e.obj.k === 'var') {
        const id = e.obj.v.id;
        return (f) => getAttr(f[id], name);
      }
      const obj = compileExpr(e.obj, ctx);
      return (f) => getAttr(obj(f), name);
    }
    case 'index': {
      const obj = compileExpr(e.obj, ctx);
      const idx = compileExpr(e.idx, ctx);
      return (f) => getIndex(obj(f), idx(f));
    }
    case 'expand': {
      const obj = compileExpr(e.obj, ctx);
      const slot = e.current.id;
      const depth = e.depth;
      const filter = e.filter === undefined ? undefined : compileExpr(e.filter, ctx);
      const offset = e.offset === undefined ? undefined : compileExpr(e.offset, ctx);
      const count = e.count === undefined ? undefined : compileExpr(e.count, ctx);
      const project = e.project === undefined ? undefined : compileExpr(e.project, ctx);
      return (f) => {
        let arr = obj(f);
        if (!Array.isArray(arr)) return [];
        if (depth > 1) arr = flatten(arr, depth - 1);
        const list = arr as unknown[];
        let skip = offset === undefined ? 0 : toNumber(offset(f));
        let left = count === undefined ? Infinity : toNumber(count(f));
        const out: unknown[] = [];
        for (const el of list) {
          if (left <= 0) break;
          f[slot] = el;
          if (filter !== undefined && !toBool(filter(f))) continue;
          if (skip > 0) { skip--; continue; }
          left--;
          out.push(project === undefined ? el : project(f) ?? null);
        }
        return out;
      };
    }
    case 'question': {
      const obj = compileExpr(e.obj, ctx);
      const slot = e.current.id;
      const filter = e.filter === undefined ? undefined : compileExpr(e.filter, ctx);
      const check = compileQuantifier(e.quant, ctx);
      return (f) => {
        const arr = obj(f);
        if (!Array.isArray(arr)) return false;
        let hits = 0;
        for (const el of arr) {
          f[slot] = el;
          if (filter === undefined || toBool(filter(f))) hits++;
        }
        return check(f, hits, arr.length);
      };
    }
    case 'unary': {
      const x = compileExpr(e.x, ctx);
      if (e.op === '!') return (f) => !toBool(x(f));
      if (e.op === '-') return (f) => { const n = -toNumber(x(f)); return Object.is(n, -0) ? 0 : n; };
      return (f) => toNumber(x(f));
    }
    case 'binary': return compileBinary(e, ctx);
    case 'arrayCmp': {
      const l = compileExpr(e.l, ctx);
      const r = compileExpr(e.r, ctx);
      const op = e.op;
      const check = compileQuantifier(e.quant, ctx);
      return (f) => {
        const arr = l(f);
        if (!Array.isArray(arr)) return false;
        const rv = r(f);
        let hits = 0;
        for (const el of arr) if (compareOp(op, el, rv)) hits++;
        return check(f, hits, arr.length);
      };
    }
    case 'ternary': {
      const cond = compileExpr(e.c, ctx);
      const other = compileExpr(e.e, ctx);
      if (e.t === undefined) return (f) => { const v = cond(f); return toBool(v) ? v : other(f); };
      const then = compileExpr(e.t, ctx);
      return (f) => (toBool(cond(f)) ? then(f) : other(f));
    }
    case 'call': {
      const args = e.args.map((x) => compileExpr(x, ctx));
      const impl = e.fn.impl;
      const name = e.name;
      if (args.length === 1) {
        const a0 = args[0] as Compiled;
        return (f) => impl(ctx, [a0(f)], name) ?? null;
      }
      return (f) => impl(ctx, args.map((a) => a(f)), name) ?? null;
    }
  }
}

function compileBinary(e: Extract<RExpr, { k: 'binary' }>, ctx: ExecContext): Compiled {
  const l = compileExpr(e.l, ctx);
  const r = compileExpr(e.r, ctx);
  switch (e.op) {
    case '&&': return (f) => { const a = l(f); return toBool(a) ? r(f) : a; };
    case '||': return (f) => { const a = l(f); return toBool(a) ? a : r(f); };
    case '+': case '-': case '*': case '/': case '%': {
      const op = e.op;
      return (f) => arith(op, ctx, l(f), r(f));
    }
    case '==': return (f) => {
      const a = l(f);
      const b = r(f);
      if (a === b) return true;
      if (typeof a !== 'object' && typeof b !== 'object') return (a ?? null) === (b ?? null);
      return compareValues(a, b) === 0;
    };
    case '!=': return (f) => {
      const a = l(f);
      const b = r(f);
      if (a === b) return false;
      if (typeof a !== 'object' && typeof b !== 'object') return (a ?? null) !== (b ?? null);
      return compareValues(a, b) !== 0;
    };
    case '<': return (f) => compareValues(l(f), r(f)) < 0;
    case '<=': return (f) => compareValues(l(f), r(f)) <= 0;
    case '>': return (f) => compareValues(l(f), r(f)) > 0;
    case '>=': return (f) => compareValues(l(f), r(f)) >= 0;
    case 'IN': case 'NOT IN': {
      const neg = e.op === 'NOT IN';
      if (e.r.k === 'const' && Array.isArray(e.r.v) && e.r.v.length > 8) {
        const keys = new Set(e.r.v.map(valueKey));
        return (f) => keys.has(valueKey(l(f))) !== neg;
      }
      return (f) => inArray(l(f), r(f)) !== neg;
    }
    case 'LIKE': case 'NOT LIKE': {
      const neg = e.op === 'NOT LIKE';
      if (e.r.k === 'const') {
        const re = likeToRegExp(toStringValue(e.r.v), false);
        return (f) => re.test(toStringValue(l(f))) !== neg;
      }
      return (f) => likeToRegExp(toStringValue(r(f)), false).test(toStringValue(l(f))) !== neg;
    }
    case '=~': case '!~': {
      const neg = e.op === '!~';
      let lastPattern: string | undefined;
      let lastRe: RegExp | null = null;
      return (f) => {
        const p = toStringValue(r(f));
        if (p !== lastPattern) { lastPattern = p; lastRe = compileRegex(p, false); }
        if (lastRe === null) { ctx.warn(1543, 'invalid regex value'); return null; }
        return lastRe.test(toStringValue(l(f))) !== neg;
      };
    }
    case '..': return (f) => makeRange(ctx, l(f), r(f));
  }
}
