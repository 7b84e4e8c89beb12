import { stringSortKey } from '../common/index.ts';
import { ArangoError } from '../errors/index.ts';
import type { AnalyzerProperties, AnalyzerType, NestedAnalyzer } from './analyzer-definition.ts';
import { stem } from './stemmers.ts';

/** What tokenizing needs from outside: the MinHash signature function AQL's `MINHASH()` uses. */
export interface TokenizeHooks {
  minHash(values: readonly string[], numHashes: number): string[];
}

/** Longest input one call tokenizes (bounds time and memory of n-gram and pipeline expansion). */
const MAX_INPUT_CHARS = 1 << 20;
/** Most tokens one input may produce. */
const MAX_TOKENS = 1 << 20;
/** Most characters the tokens of one input may hold together (n-grams of long inputs grow quadratically). */
const MAX_OUTPUT_CHARS = 32 << 20;

/** Collects tokens under the count and size bounds (errorNum 32 beyond them, before the memory is spent). */
class TokenSink {
  readonly out: string[] = [];
  #chars = 0;
  push(t: string): void {
    this.#chars += t.length;
    if (this.out.length >= MAX_TOKENS || this.#chars > MAX_OUTPUT_CHARS) {
      throw new ArangoError('ERROR_RESOURCE_LIMIT', 'an analyzer produced too many tokens for one input');
    }
    this.out.push(t);
  }
}

const str = (p: AnalyzerProperties, k: string): string => {
  const v = p[k];
  return typeof v === 'string' ? v : '';
};
const num = (p: AnalyzerProperties, k: string): number => {
  const v = p[k];
  return typeof v === 'number' ? v : 0;
};
const strings = (p: AnalyzerProperties, k: string): readonly string[] => {
  const v = p[k];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
};

function removeAccents(s: string): string {
  return s.normalize('NFD').replace(/\p{Mn}/gu, '').normalize('NFC');
}

function applyCase(s: string, mode: string, locale: string): string {
  const tag = icuTag(locale);
  if (mode === 'lower') return s.toLocaleLowerCase(tag);
  if (mode === 'upper') return s.toLocaleUpperCase(tag);
  return s;
}

/** An ICU locale (`de_DE`, `es__TRADITIONAL`, `en.utf-8`) as a BCP 47 tag; `und` when unusable. */
const tags = new Map<string, string>();

function icuTag(locale: string): string {
  const hit = tags.get(locale);
  if (hit !== undefined) return hit;
  const lang = locale.split(/[_.@]/)[0] ?? '';
  let tag = 'und';
  try {
    tag = Intl.getCanonicalLocales(lang)[0] ?? 'und';
  } catch {
    // not a language ICU knows: ArangoDB accepts such locales too and falls back to the root locale
  }
  if (tags.size < 256) tags.set(locale, tag);
  return tag;
}

/** RFC 4180 fields without new records on newlines: a field in double quotes may hold the delimiter. */
function splitDelimited(input: string, delimiter: string): string[] {
  if (delimiter === '') return [...input];
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (input[i] === '"') {
      let j = i + 1;
      for (;;) {
        const q = input.indexOf('"', j);
        if (q < 0) { field = input.slice(i); j = input.length; break; }
        field += input.slice(j, q);
        if (input[q + 1] === '"') { field += '"'; j = q + 2; continue; }
        j = q + 1;
        break;
      }
      const next = input.indexOf(delimiter, j);
      if (next < 0) { field += input.slice(j); out.push(field); return out; }
      out.push(field + input.slice(j, next));
      i = next + delimiter.length;
    } else {
      const next = input.indexOf(delimiter, i);
      if (next < 0) { out.push(input.slice(i)); return out; }
      out.push(input.slice(i, next));
      i = next + delimiter.length;
    }
  }
}

function splitMulti(input: string, delimiters: readonly string[]): string[] {
  const ds = delimiters.filter((d) => d !== '').sort((a, b) => b.length - a.length);
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < input.length) {
    const d = ds.find((x) => input.startsWith(x, i));
    if (d === undefined) { i++; continue; }
    if (i > start) out.push(input.slice(start, i));
    i += d.length;
    start = i;
  }
  if (start < input.length) out.push(input.slice(start));
  return out;
}

/** Units of an n-gram stream: bytes (`binary`, decoded back to strings) or code points (`utf8`). */
function ngrams(input: string, p: AnalyzerProperties): string[] {
  const min = num(p, 'min');
  const max = num(p, 'max');
  const start = str(p, 'startMarker');
  const end = str(p, 'endMarker');
  const isBinary = p['streamType'] !== 'utf8';
  const units: readonly (string | number)[] = isBinary ? [...Buffer.from(input, 'utf8')] : [...input];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const text = (from: number, to: number): string => {
    if (!isBinary) return (units.slice(from, to) as string[]).join('');
    try {
      return decoder.decode(Uint8Array.from(units.slice(from, to) as number[]));
    } catch (err) {
      throw new ArangoError('ERROR_BAD_PARAMETER', 'Invalid UTF-8 sequence', { cause: err });
    }
  };
  const n = units.length;
  const out = new TokenSink();
  for (let i = 0; i < n; i++) {
    for (let len = min; len <= max && i + len <= n; len++) {
      out.push((i === 0 ? start : '') + text(i, i + len) + (i + len === n ? end : ''));
    }
    if (i === 0 && p['preserveOriginal'] === true && (n < min || n > max)) {
      if (start === '' && end === '') out.push(input);
      else {
        if (start !== '') out.push(start + input);
        if (end !== '') out.push(input + end);
      }
    }
  }
  if (n === 0 && p['preserveOriginal'] === true) out.push(input);
  return out.out;
}

/** Word segmenters by BCP 47 tag (creating one costs far more than segmenting a sentence). */
const segmenters = new Map<string, Intl.Segmenter>();

function segmenter(tag: string): Intl.Segmenter {
  let seg = segmenters.get(tag);
  if (seg === undefined) {
    seg = new Intl.Segmenter(tag, { granularity: 'word' });
    if (segmenters.size < 64) segmenters.set(tag, seg);
  }
  return seg;
}

function words(input: string, locale: string): string[] {
  const seg = segmenter(icuTag(locale));
  const out: string[] = [];
  for (const s of seg.segment(input)) if (s.isWordLike === true) out.push(s.segment);
  return out;
}

function edgeNgrams(token: string, edge: AnalyzerProperties, out: TokenSink): void {
  const chars = [...token];
  const min = typeof edge['min'] === 'number' ? edge['min'] : 1;
  const max = typeof edge['max'] === 'number' ? edge['max'] : chars.length;
  let prefix = '';
  for (let len = 1; len <= Math.min(max, chars.length); len++) {
    prefix += chars[len - 1] ?? '';
    if (len >= min) out.push(prefix);
  }
  if (edge['preserveOriginal'] === true && (chars.length < min || chars.length > max)) out.push(token);
}

function text(input: string, p: AnalyzerProperties): string[] {
  const locale = str(p, 'locale');
  const stop = new Set(strings(p, 'stopwords'));
  const edge = p['edgeNgram'];
  const out = new TokenSink();
  for (const w of words(input, locale)) {
    let t = p['accent'] === true ? w : removeAccents(w);
    t = applyCase(t, str(p, 'case'), locale);
    if (stop.has(t)) continue;
    if (p['stemming'] !== false) t = stem(t, locale);
    if (typeof edge === 'object' && edge !== null && !Array.isArray(edge)) edgeNgrams(t, edge as AnalyzerProperties, out);
    else out.push(t);
  }
  return out.out;
}

// the whitespace `break: "graphic"` drops, as the 3.12 page lists it (line breaks other than U+2028 stay)
const GRAPHIC_SPACE = /^[\u0009\u0020\u0085\u00a0\u1680\u2000\u2028\u202f\u205f\u3000]+$/u;

function segmentation(input: string, p: AnalyzerProperties): string[] {
  const seg = segmenter('und');
  const mode = str(p, 'break');
  const out: string[] = [];
  for (const s of seg.segment(input)) {
    const t = s.segment;
    if (mode === 'alpha' && !/[\p{L}\p{N}]/u.test(t)) continue;
    if (mode === 'graphic' && GRAPHIC_SPACE.test(t)) continue;
    out.push(applyCase(t, str(p, 'case'), 'und'));
  }
  return out;
}

function wildcard(input: string, p: AnalyzerProperties, hooks: TokenizeHooks): string[] {
  const size = num(p, 'ngramSize');
  const inner = p['analyzer'] as NestedAnalyzer | undefined;
  const base = inner === undefined ? [input] : tokenizeWith(inner.type, inner.properties, input, hooks);
  const out = new TokenSink();
  for (const t of base) {
    const chars = ['\ufffd', ...t, '\ufffd'];
    // one start n-gram and `ngramSize - 1` end n-grams (the last ones shorter), as 3.12 documents
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars.slice(i, i + size).join(''));
  }
  return out.out;
}

/**
 * The tokens `type`/`properties` (already normalized) produce for one string, in ArangoDB's
 * order. Throws 400 / errorNum 10 for binary n-grams that cut a multi-byte character, errorNum 32
 * when one input expands to more than ~1 M tokens.
 */
export function tokenizeWith(type: AnalyzerType, p: AnalyzerProperties, input: string, hooks: TokenizeHooks): string[] {
  if (input.length > MAX_INPUT_CHARS) throw new ArangoError('ERROR_RESOURCE_LIMIT', 'input too long for an analyzer');
  switch (type) {
    case 'identity':
      return [input];
    case 'delimiter':
      return splitDelimited(input, str(p, 'delimiter'));
    case 'multi_delimiter':
      return splitMulti(input, strings(p, 'delimiters'));
    case 'stem':
      return [stem(input, str(p, 'locale'))];
    case 'norm': {
      const t = p['accent'] === false ? removeAccents(input) : input;
      return [applyCase(t, str(p, 'case'), str(p, 'locale'))];
    }
    case 'ngram':
      return ngrams(input, p);
    case 'text':
      return text(input, p);
    case 'segmentation':
      return segmentation(input, p);
    case 'collation':
      // order-preserving key under the server's collation (not the Analyzer's locale; see README)
      return [stringSortKey(input)];
    case 'stopwords': {
      const words = strings(p, 'stopwords').map((w) => (p['hex'] === true ? Buffer.from(w, 'hex').toString('utf8') : w));
      return words.includes(input) ? [] : [input];
    }
    case 'pipeline': {
      let tokens = [input];
      for (const m of (p['pipeline'] ?? []) as readonly NestedAnalyzer[]) {
        const next = new TokenSink();
        for (const t of tokens) for (const x of tokenizeWith(m.type, m.properties, t, hooks)) next.push(x);
        tokens = next.out;
      }
      return tokens;
    }
    case 'minhash': {
      const inner = p['analyzer'] as NestedAnalyzer;
      const base = tokenizeWith(inner.type, inner.properties, input, hooks);
      return base.length === 0 ? [] : hooks.minHash(base, num(p, 'numHashes'));
    }
    case 'wildcard':
      return wildcard(input, p, hooks);
  }
}
