import { variance } from './functions/numeric-functions.ts';
import { unique } from './functions/array-functions.ts';
import { compareValues, toNumber, valueKey } from './values.ts';

/** Incremental state of one COLLECT ... AGGREGATE expression. */
export interface Aggregator {
  add(v: unknown): void;
  result(): unknown;
}

/** Creates an aggregator for an AGGREGATE function name (validated by the planner). */
export function createAggregator(func: string): Aggregator {
  switch (func) {
    case 'LENGTH': case 'COUNT': {
      let n = 0;
      return { add() { n++; }, result: () => n };
    }
    case 'MIN': case 'MAX': {
      const sign = func === 'MIN' ? -1 : 1;
      let best: unknown = null;
      return {
        add(v) { if (v !== null && v !== undefined && (best === null || compareValues(v, best) * sign > 0)) best = v; },
        result: () => best,
      };
    }
    case 'SUM': case 'AVERAGE': case 'AVG': {
      let sum = 0;
      let n = 0;
      let invoked = false;
      let invalid = false;
      const avg = func !== 'SUM';
      return {
        add(v) {
          if (invalid) return;
          invoked = true;
          if (v === null || v === undefined) return;
          if (typeof v === 'number' && Number.isFinite(v)) { sum += v; n++; return; }
          invalid = true;
        },
        result: () => {
          if (invalid || !invoked) return null;
          if (avg) return n === 0 ? null : sum / n;
          return Number.isFinite(sum) ? sum : null;
        },
      };
    }
    case 'VARIANCE_POPULATION': case 'VARIANCE': case 'VARIANCE_SAMPLE':
    case 'STDDEV_POPULATION': case 'STDDEV': case 'STDDEV_SAMPLE': {
      const xs: number[] = [];
      const sample = func.endsWith('SAMPLE');
      const sqrt = func.startsWith('STDDEV');
      return {
        add(v) { if (typeof v === 'number') xs.push(v); },
        result: () => { const r = variance(xs, sample); return r === null ? null : sqrt ? Math.sqrt(r) : r; },
      };
    }
    case 'UNIQUE': case 'SORTED_UNIQUE': case 'COUNT_DISTINCT': case 'COUNT_UNIQUE': {
      const seen = new Map<string, unknown>();
      return {
        add(v) { if (v !== null && v !== undefined) { const k = valueKey(v); if (!seen.has(k)) seen.set(k, v); } },
        result: () => {
          const vals = [...seen.values()];
          if (func === 'SORTED_UNIQUE') return vals.sort(compareValues);
          if (func === 'UNIQUE') return unique(vals);
          return vals.length;
        },
      };
    }
    case 'PUSH': {
      const xs: unknown[] = [];
      return { add(v) { xs.push(v ?? null); }, result: () => xs };
    }
    default: {
      // BIT_AND / BIT_OR / BIT_XOR
      let acc: number | null = null;
      return {
        add(v) {
          if (v === null || v === undefined) return;
          const x = toNumber(v) >>> 0;
          if (acc === null) acc = x;
          else if (func === 'BIT_AND') acc = (acc & x) >>> 0;
          else if (func === 'BIT_OR') acc = (acc | x) >>> 0;
          else acc = (acc ^ x) >>> 0;
        },
        result: () => acc,
      };
    }
  }
}
