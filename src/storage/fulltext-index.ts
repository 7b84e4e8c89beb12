import type { Database, Transaction } from 'lmdb';
import { ArangoError } from '../errors/index.ts';
import { readPath, type IndexKeyPart } from './index-codec.ts';
import type { IndexDefinition } from './types.ts';

/**
 * The fulltext index (deprecated in ArangoDB 3.12, still accepted) and the FULLTEXT() query syntax.
 *
 * Words: maximal runs of Unicode letters, digits and combining marks of the attribute's string
 * value (or, one level deep, of the strings in an array or the string values of an object),
 * NFC-normalized and lower-cased; words shorter than the index's `minLength` (characters) are not
 * indexed, longer ones are cut to {@link FULLTEXT_MAX_WORD_LENGTH} characters. ArangoDB splits
 * words with ICU's word-boundary analysis; the letter/digit rule agrees for ordinary text.
 *
 * Entries: one lmdb key `[word, _key]` (value '') per distinct word of a document.
 *
 * Queries: a comma-separated list of terms, each an optional operator (`+` and, the default;
 * `|` or; `-` and not), an optional `prefix:` or `complete:` (the default) qualifier and a word
 * (lower-cased and cut like indexed words). Terms combine left to right on the documents of the
 * first term: `a,|b,-c` is `(a ∪ b) \ c`. At most {@link FULLTEXT_MAX_TERMS} terms.
 */

export const FULLTEXT_MAX_WORD_LENGTH = 40;
export const FULLTEXT_MAX_TERMS = 32;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

export interface FulltextTerm {
  readonly op: 'and' | 'or' | 'not';
  readonly prefix: boolean;
  readonly word: string;
}

const cut = (w: string): string => {
  if (w.length <= FULLTEXT_MAX_WORD_LENGTH) return w;
  const chars = [...w];
  return chars.length <= FULLTEXT_MAX_WORD_LENGTH ? w : chars.slice(0, FULLTEXT_MAX_WORD_LENGTH).join('');
};

/** The distinct indexed words of an attribute value. */
export function fulltextWords(value: unknown, minLength: number): Set<string> {
  const out = new Set<string>();
  const add = (s: string): void => {
    for (const m of s.normalize('NFC').toLowerCase().matchAll(WORD)) {
      const w = m[0];
      if (w.length < minLength && [...w].length < minLength) continue;
      out.add(cut(w));
    }
  };
  if (typeof value === 'string') add(value);
  else if (Array.isArray(value)) {
    for (const v of value) if (typeof v === 'string') add(v);
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) if (typeof v === 'string') add(v);
  }
  return out;
}

/** The `minLength` of a fulltext index definition (2 when absent). */
export function fulltextMinLength(options: Readonly<Record<string, unknown>> | undefined): number {
  const m = options?.['minLength'];
  return typeof m === 'number' && m > 0 ? Math.floor(m) : 2;
}

/** The lmdb entries of one document in a fulltext index. */
export function fulltextEntries(doc: Record<string, unknown> & { _key: string }, ix: IndexDefinition): { key: IndexKeyPart[]; value: string }[] {
  const field = ix.fields[0];
  if (field === undefined) return [];
  return [...fulltextWords(readPath(doc, field), fulltextMinLength(ix.options))].map((w) => ({ key: [w, doc._key], value: '' }));
}

/** Parses a FULLTEXT() query; error 10 when it has no term or too many. */
export function parseFulltextQuery(query: string): FulltextTerm[] {
  const terms: FulltextTerm[] = [];
  for (const raw of query.split(',')) {
    let s = raw.trim();
    let op: FulltextTerm['op'] = 'and';
    const c = s[0];
    if (c === '+' || c === '|' || c === '-') {
      op = c === '+' ? 'and' : c === '|' ? 'or' : 'not';
      s = s.slice(1).trim();
    }
    let prefix = false;
    const lower = s.toLowerCase();
    if (lower.startsWith('prefix:')) { prefix = true; s = s.slice(7); } else if (lower.startsWith('complete:')) s = s.slice(9);
    const word = cut(s.trim().normalize('NFC').toLowerCase());
    if (word === '') continue;
    terms.push({ op, prefix, word });
  }
  if (terms.length === 0 || terms.length > FULLTEXT_MAX_TERMS) throw new ArangoError('ERROR_BAD_PARAMETER', 'invalid fulltext query');
  return terms;
}

/** Whether a document with these words matches (the full-scan evaluation, same semantics as the index). */
export function fulltextMatches(words: ReadonlySet<string>, terms: readonly FulltextTerm[]): boolean {
  const has = (t: FulltextTerm): boolean => {
    if (!t.prefix) return words.has(t.word);
    for (const w of words) if (w.startsWith(t.word)) return true;
    return false;
  };
  let result = false;
  terms.forEach((t, i) => {
    if (i === 0) result = has(t);
    else if (t.op === 'and') result = result && has(t);
    else if (t.op === 'or') result = result || has(t);
    else result = result && !has(t);
  });
  return result;
}

/** What a fulltext search read: index entries visited (for tests and benchmarks). */
export interface FulltextReadStats {
  entries: number;
}

/** The keys of the documents matching `terms` in a fulltext index, in key order. */
export function fulltextSearch(db: Database<string, IndexKeyPart[]>, terms: readonly FulltextTerm[], snapshot?: Transaction, stats?: FulltextReadStats): string[] {
  const keysOf = (t: FulltextTerm): Set<string> => {
    const range: { start: IndexKeyPart[]; end: IndexKeyPart[]; transaction?: Transaction } = t.prefix
      ? { start: [t.word], end: [`${t.word}\uffff`] }
      : { start: [t.word], end: [t.word, '\uffff'] };
    if (snapshot !== undefined) range.transaction = snapshot;
    const out = new Set<string>();
    for (const k of db.getKeys(range)) {
      if (stats !== undefined) stats.entries++;
      const key = k[1];
      if (typeof key === 'string') out.add(key);
    }
    return out;
  };
  let result = new Set<string>();
  terms.forEach((t, i) => {
    if (i > 0 && result.size === 0 && t.op !== 'or') return;
    const keys = keysOf(t);
    if (i === 0 || t.op === 'or') for (const k of keys) result.add(k);
    else if (t.op === 'and') result = new Set([...result].filter((k) => keys.has(k)));
    else for (const k of keys) result.delete(k);
  });
  return [...result].sort();
}
