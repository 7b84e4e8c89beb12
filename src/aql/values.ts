/**
 * AQL value semantics: type order, comparison, truthiness and the casting rules
 * of TO_BOOL / TO_NUMBER / TO_STRING. Values are plain JSON-like JS values;
 * `undefined` (a missing attribute) always behaves as `null`.
 */

import { compareStrings } from '../common/collation.ts';

export { compareStrings };

/** Type rank in AQL's order: null < bool < number < string < array < object. */
export function typeRank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  switch (typeof v) {
    case 'boolean': return 1;
    case 'number': return 2;
    case 'string': return 3;
    case 'object': return Array.isArray(v) ? 4 : 5;
    default: return 0;
  }
}

/** Total order over AQL values; returns -1, 0 or 1. */
export function compareValues(a: unknown, b: unknown): number {
  const ta = typeRank(a);
  const tb = typeRank(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  switch (ta) {
    case 0: return 0;
    case 1: return a === b ? 0 : a === false ? -1 : 1;
    case 2: return (a as number) === (b as number) ? 0 : (a as number) < (b as number) ? -1 : 1;
    case 3: return compareStrings(a as string, b as string);
    case 4: {
      const x = a as unknown[];
      const y = b as unknown[];
      const n = Math.max(x.length, y.length);
      for (let i = 0; i < n; i++) {
        // a shorter array is padded with nulls
        const c = compareValues(i < x.length ? x[i] : null, i < y.length ? y[i] : null);
        if (c !== 0) return c;
      }
      return 0;
    }
    default: {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort(compareStrings);
      for (const k of keys) {
        const c = compareValues(x[k], y[k]);
        if (c !== 0) return c;
      }
      return 0;
    }
  }
}

/** Deep equality under AQL's comparison. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' && typeof b !== 'object') return (a ?? null) === (b ?? null);
  return compareValues(a, b) === 0;
}

/** AQL truthiness (TO_BOOL). */
export function toBool(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (v === true) return true;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v !== '';
  return true;
}

const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** AQL's TO_NUMBER cast; never returns NaN or an infinity. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : 0;
  if (v === null || v === undefined || v === false) return 0;
  if (v === true) return 1;
  if (typeof v === 'string') {
    if (!NUMERIC.test(v)) return 0;
    const r = Number(v.trim());
    return Number.isFinite(r) ? r : 0;
  }
  if (Array.isArray(v)) return v.length === 1 ? toNumber(v[0]) : 0;
  return 0;
}

/** Formats a number the way ArangoDB prints doubles. */
export function numberToString(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  if (Object.is(n, -0)) return '0';
  return String(n);
}

/** AQL's TO_STRING cast. */
export function toStringValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return numberToString(v);
  return JSON.stringify(normalize(v));
}

/** AQL's TO_ARRAY cast. */
export function toArray(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === 'object') return Object.values(v as Record<string, unknown>);
  return [v];
}

/** ArangoDB's TYPENAME. */
export function typeName(v: unknown): string {
  switch (typeRank(v)) {
    case 0: return 'null';
    case 1: return 'bool';
    case 2: return 'number';
    case 3: return 'string';
    case 4: return 'array';
    default: return 'object';
  }
}

/** True for a plain object (AQL "object"/"document"). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Replaces `undefined`, NaN and infinities by null so a value is valid JSON. */
export function normalize(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const n = normalize(v[i]);
      if (n !== v[i] && out === undefined) out = v.slice(0, i);
      if (out !== undefined) out.push(n);
    }
    return out ?? v;
  }
  let out: Record<string, unknown> | undefined;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const n = normalize(o[k]);
    if (n !== o[k] && out === undefined) out = { ...o };
    if (out !== undefined) out[k] = n;
  }
  return out ?? v;
}

/**
 * A string key that is equal for AQL-equal values (used for COLLECT groups,
 * RETURN DISTINCT and UNIQUE): object keys are sorted so attribute order does not matter.
 */
export function valueKey(v: unknown): string {
  switch (typeof v) {
    case 'string': return 's' + v;
    case 'number': return Number.isFinite(v) ? 'n' + (Object.is(v, -0) ? 0 : v) : 'z';
    case 'boolean': return v ? 't' : 'f';
    case 'object':
      if (v === null) return 'z';
      return 'j' + canonicalJson(v);
    default: return 'z';
  }
}

function canonicalJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  const o = v as Record<string, unknown>;
  return '{' + Object.keys(o).sort().map((k) => JSON.stringify(k) + ':' + canonicalJson(o[k])).join(',') + '}';
}

/** Rough memory footprint of a value in bytes (for memoryLimit accounting). */
export function estimateSize(v: unknown, depth = 0): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 8;
  if (typeof v === 'number') return 8;
  if (typeof v === 'string') return 16 + v.length * 2;
  if (depth > 3) return 64;
  if (Array.isArray(v)) {
    let s = 32;
    for (const x of v) s += estimateSize(x, depth + 1);
    return s;
  }
  let s = 48;
  const o = v as Record<string, unknown>;
  for (const k in o) s += 16 + k.length * 2 + estimateSize(o[k], depth + 1);
  return s;
}
