import { ArangoError } from '../errors/index.ts';
import { createAggregator } from './aggregators.ts';
import type { Compiled } from './compile-expr.ts';
import type { ExecContext } from './exec-context.ts';
import { parseDate } from './functions/date-functions.ts';
import type { PlanNode, RExpr, WindowBound } from './plan-types.ts';

type WindowNode = Extract<PlanNode, { type: 'WindowNode' }>;

const DURATION_RE = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+(?:\.\d+)?)?)S)?)?$/;

/** `t` shifted by an ISO 8601 duration (`sign` -1 subtracts); calendar units move the calendar date. */
function shiftByDuration(t: number, iso: string, sign: 1 | -1): number {
  const m = DURATION_RE.exec(iso);
  if (m === null) return t;
  const n = (i: number): number => Number(m[i] ?? 0);
  const d = new Date(t);
  d.setUTCFullYear(d.getUTCFullYear() + sign * n(1), d.getUTCMonth() + sign * n(2));
  return d.getTime() + sign * (n(3) * 604800000 + n(4) * 86400000 + n(5) * 3600000 + n(6) * 60000 + n(7) * 1000);
}

/** True when `s` is a valid ISO 8601 duration for a WINDOW bound. */
export function isWindowDuration(s: string): boolean {
  return s !== 'P' && !s.endsWith('T') && DURATION_RE.test(s);
}

function lowerOf(v: number, b: WindowBound, isDate: boolean): number {
  if (typeof b === 'number') return v - b;
  return isDate ? shiftByDuration(v, b.duration, -1) : v;
}

function upperOf(v: number, b: WindowBound, isDate: boolean): number {
  if (typeof b === 'number') return v + b;
  return isDate ? shiftByDuration(v, b.duration, 1) : v;
}

/**
 * WINDOW: buffers the rows, then emits each row with the aggregates over its window. Row-based
 * windows span `preceding` rows before to `following` rows after (Infinity = unbounded); range-based
 * windows span the rows whose range value lies within [value - preceding, value + following]
 * (durations for dates). As in ArangoDB, a range window needs the rows sorted by the range value.
 * A numeric range value that is not a number counts as 0; a duration window over a value that is
 * not a date throws ERROR_QUERY_INVALID_DATE_VALUE (1572).
 */
export function windowStage(
  n: WindowNode,
  ctx: ExecContext,
  f: unknown[],
  c: (e: RExpr) => Compiled,
): (up: Iterable<unknown>, post: ((f: unknown[]) => boolean) | undefined) => Iterable<unknown> {
  const aggFns = n.aggregates.map((a) => (a.expr === undefined ? () => null : c(a.expr)));
  const rangeFn = n.range === undefined ? undefined : c(n.range);
  const isDuration = typeof n.preceding !== 'number' || typeof n.following !== 'number';
  return function* (up, post) {
    const frames: unknown[][] = [];
    const values: unknown[][] = n.aggregates.map(() => []);
    const ranges: number[] = [];
    let isDate = false;
    let bytes = 0;
    for (const _ of up) {
      frames.push(f.slice());
      for (let i = 0; i < aggFns.length; i++) values[i]?.push(aggFns[i]?.(f));
      if (rangeFn !== undefined) {
        const r = rangeFn(f);
        if (isDuration) {
          const t = parseDate(r);
          if (t === null) throw new ArangoError('ERROR_QUERY_INVALID_DATE_VALUE', 'invalid date value in WINDOW range value');
          isDate = true;
          ranges.push(t);
        } else ranges.push(typeof r === 'number' ? r : 0);
      }
      const size = 16 * (f.length + aggFns.length + 1);
      bytes += size;
      ctx.track(size);
    }
    try {
      const count = frames.length;
      let lo = 0;
      let hi = -1;
      const states: ({ agg: ReturnType<typeof createAggregator>; from: number; to: number } | undefined)[] = [];
      for (let row = 0; row < count; row++) {
        ctx.tick();
        let from: number;
        let to: number;
        if (rangeFn === undefined) {
          const p = typeof n.preceding === 'number' ? n.preceding : 0;
          const q = typeof n.following === 'number' ? n.following : 0;
          from = Math.max(0, row - p);
          to = Math.min(count - 1, row + q);
        } else {
          const v = ranges[row] ?? 0;
          const low = lowerOf(v, n.preceding, isDate);
          const high = upperOf(v, n.following, isDate);
          while (lo < row && (ranges[lo] ?? 0) < low) lo++;
          if (hi < row) hi = row;
          while (hi + 1 < count && (ranges[hi + 1] ?? 0) <= high) hi++;
          from = lo;
          to = hi;
        }
        const frame = frames[row] ?? [];
        for (let i = 0; i < frame.length; i++) f[i] = frame[i];
        for (let i = 0; i < n.aggregates.length; i++) {
          const a = n.aggregates[i];
          const vs = values[i];
          if (a === undefined || vs === undefined) continue;
          // a window that only grows at its end (unbounded preceding) keeps adding to one aggregator
          let st = states[i];
          if (st === undefined || st.from !== from || st.to > to) {
            st = { agg: createAggregator(a.func), from, to: from - 1 };
            states[i] = st;
          }
          for (let j = st.to + 1; j <= to; j++) st.agg.add(vs[j]);
          st.to = to;
          // PUSH / UNIQUE hand out their live array: copy it, the aggregator goes on growing
          const r = st.agg.result();
          f[a.out.id] = Array.isArray(r) ? r.slice() : r;
        }
        if (post !== undefined && !post(f)) continue;
        yield undefined;
      }
    } finally {
      ctx.track(-bytes);
    }
  };
}

function bound(v: unknown, name: string, isRange: boolean): WindowBound {
  if (v === undefined || v === null) return 0;
  if (v === 'unbounded') return Infinity;
  if (typeof v === 'number' && v >= 0) return isRange ? v : Math.trunc(v);
  if (typeof v === 'string') {
    if (/^\d+(\.\d+)?$/.test(v)) return isRange ? Number(v) : Math.trunc(Number(v));
    if (isRange && isWindowDuration(v)) return { duration: v };
  }
  throw new ArangoError('ERROR_BAD_PARAMETER', `WINDOW: invalid '${name}' value`);
}

/** The `preceding` / `following` bounds of a WINDOW's constant options object. */
export function windowBounds(options: Readonly<Record<string, unknown>>, isRange: boolean): { preceding: WindowBound; following: WindowBound } {
  for (const k of Object.keys(options)) {
    if (k !== 'preceding' && k !== 'following') throw new ArangoError('ERROR_BAD_PARAMETER', `WINDOW: unknown attribute '${k}'`);
  }
  const preceding = bound(options['preceding'], 'preceding', isRange);
  const following = bound(options['following'], 'following', isRange);
  if ((typeof preceding === 'number') !== (typeof following === 'number') && !(preceding === 0 || following === 0)) {
    throw new ArangoError('ERROR_BAD_PARAMETER', 'WINDOW: durations and numbers cannot be mixed');
  }
  return { preceding, following };
}
