import { fn, invalidArg, type FunctionContext, type FunctionTable } from './function-types.ts';
import { isObject, toNumber, toStringValue } from '../values.ts';

/** Longest result REPEAT builds (ArangoDB refuses larger strings the same way). */
const MAX_REPEAT_CHARS = 16 * 1024 * 1024;

/** Optimal-string-alignment (Damerau-Levenshtein) distance over code points. */
export function damerauLevenshtein(a: readonly string[], b: readonly string[]): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push(Array.from({ length: b.length + 1 }, (_v, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] ?? [];
    const up = rows[i - 1] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row[j] = d;
    }
  }
  return rows[a.length]?.[b.length] ?? 0;
}

function ngrams(s: string, n: number): string[][] {
  const cps = [...s];
  const out: string[][] = [];
  for (let i = 0; i + n <= cps.length; i++) out.push(cps.slice(i, i + n));
  return out;
}

/**
 * ArangoDB's n-gram similarity: the best alignment (longest common subsequence) of the n-grams of
 * `input` with those of `target`, divided by the number of target n-grams. In the positional
 * variant two n-grams match partially, by the share of equal positions.
 */
function ngramSimilarity(input: string, target: string, n: number, positional: boolean): number {
  const a = ngrams(input, n);
  const b = ngrams(target, n);
  if (b.length === 0 || a.length === 0) return input === target ? 1 : 0;
  const score = (x: readonly string[], y: readonly string[]): number => {
    if (!positional) return x.every((c, i) => c === y[i]) ? 1 : 0;
    let same = 0;
    for (let i = 0; i < n; i++) if (x[i] === y[i]) same++;
    return same / n;
  };
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      const y = b[j - 1] ?? [];
      cur[j] = Math.max(prev[j] ?? 0, cur[j - 1] ?? 0, (prev[j - 1] ?? 0) + score(x, y));
    }
    prev = cur;
  }
  return (prev[b.length] ?? 0) / Math.max(a.length, b.length);
}

const SOUNDEX_CODES: Readonly<Record<string, string>> = {
  b: '1', f: '1', p: '1', v: '1', c: '2', g: '2', j: '2', k: '2', q: '2', s: '2', x: '2', z: '2',
  d: '3', t: '3', l: '4', m: '5', n: '5', r: '6',
};

/** American Soundex: first letter, then up to three digits (h and w do not separate equal codes). */
function soundex(s: string): string {
  const letters = s.toLowerCase().replace(/[^a-z]/g, '');
  const first = letters[0];
  if (first === undefined) return '';
  let out = first.toUpperCase();
  let last = SOUNDEX_CODES[first] ?? '';
  for (let i = 1; i < letters.length && out.length < 4; i++) {
    const c = letters[i] ?? '';
    const code = SOUNDEX_CODES[c];
    if (code === undefined) {
      if (c !== 'h' && c !== 'w') last = '';
      continue;
    }
    if (code !== last) out += code;
    last = code;
  }
  return out.padEnd(4, '0');
}

function str(ctx: FunctionContext, name: string, v: unknown): string | null {
  return typeof v === 'string' ? v : invalidArg(ctx, name);
}

/** String functions added for AQL 3.12 completeness (LEVENSHTEIN_DISTANCE, SOUNDEX, REPEAT, ...). */
export const EXTRA_STRING_FUNCTIONS: FunctionTable = {
  LEVENSHTEIN_DISTANCE: fn(2, 2, (_c, [a, b]) => damerauLevenshtein([...toStringValue(a)], [...toStringValue(b)])),
  NGRAM_SIMILARITY: fn(3, 3, (ctx, [a, b, n], name) => {
    const size = Math.trunc(toNumber(n));
    if (size < 1) return invalidArg(ctx, name);
    return ngramSimilarity(toStringValue(a), toStringValue(b), size, false);
  }),
  NGRAM_POSITIONAL_SIMILARITY: fn(3, 3, (ctx, [a, b, n], name) => {
    const size = Math.trunc(toNumber(n));
    if (size < 1) return invalidArg(ctx, name);
    return ngramSimilarity(toStringValue(a), toStringValue(b), size, true);
  }),
  SOUNDEX: fn(1, 1, (_c, [v]) => soundex(toStringValue(v))),
  REPEAT: fn(2, 3, (ctx, [v, n, sep], name) => {
    const s = toStringValue(v);
    const count = Math.trunc(toNumber(n));
    if (count <= 0) return '';
    const separator = sep === undefined || sep === null ? '' : toStringValue(sep);
    if ((s.length + separator.length) * count > MAX_REPEAT_CHARS) {
      ctx.warn(1542, `invalid argument type in call to function '${name}()': result too long`);
      return null;
    }
    return new Array<string>(count).fill(s).join(separator);
  }),
  TO_CHAR: fn(1, 1, (ctx, [v], name) => {
    const cp = Math.trunc(toNumber(v));
    if (cp < 0 || cp > 0x10ffff) return invalidArg(ctx, name);
    return String.fromCodePoint(cp);
  }),
  SUBSTRING_BYTES: fn(2, 5, (ctx, [v, off, len, left, right], name) => {
    const s = str(ctx, name, v);
    if (s === null) return null;
    const bytes = Buffer.from(s, 'utf8');
    let start = Math.trunc(toNumber(off));
    if (start < 0) start = Math.max(0, bytes.length + start);
    const end = len === undefined || len === null ? bytes.length : Math.min(bytes.length, start + Math.max(0, Math.trunc(toNumber(len))));
    if (start >= bytes.length) return '';
    const isContinuation = (i: number): boolean => i < bytes.length && ((bytes[i] ?? 0) & 0xc0) === 0x80;
    // a cut inside a UTF-8 sequence is an error, as in ArangoDB
    if (isContinuation(start) || isContinuation(end)) {
      ctx.warn(1542, `invalid argument type in call to function '${name}()': invalid UTF-8 offset`);
      return null;
    }
    // left / right widen the cut by whole characters (right defaults to left)
    const l = left === undefined || left === null ? 0 : Math.max(0, Math.trunc(toNumber(left)));
    const r = right === undefined || right === null ? l : Math.max(0, Math.trunc(toNumber(right)));
    let from = start;
    for (let n = 0; n < l && from > 0; n++) do from--; while (from > 0 && isContinuation(from));
    let to = end;
    for (let n = 0; n < r && to < bytes.length; n++) do to++; while (to < bytes.length && isContinuation(to));
    return bytes.subarray(from, to).toString('utf8');
  }),
  FNV64: fn(1, 1, (_c, [v]) => {
    let h = 0xcbf29ce484222325n;
    for (const b of Buffer.from(toStringValue(v), 'utf8')) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
    return h.toString(16).toUpperCase().padStart(16, '0');
  }),
  PARSE_COLLECTION: fn(1, 1, (ctx, [v], name) => {
    const id = isObject(v) ? v['_id'] : v;
    if (typeof id !== 'string' || !id.includes('/')) return invalidArg(ctx, name);
    return id.slice(0, id.indexOf('/'));
  }),
  PARSE_KEY: fn(1, 1, (ctx, [v], name) => {
    const id = isObject(v) ? v['_id'] : v;
    if (typeof id !== 'string' || !id.includes('/')) return invalidArg(ctx, name);
    return id.slice(id.indexOf('/') + 1);
  }),
};
