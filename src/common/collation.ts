/**
 * String collation shared by AQL comparison and index keys, so that an index scan returns strings
 * in exactly the order AQL's SORT puts them.
 *
 * ArangoDB orders strings with ICU (language `en`, i.e. the CLDR root order). The runtime exposes
 * ICU only as `Intl.Collator.compare`, which has no sort keys, and an lmdb key can only be ordered
 * bytewise. So the order is rebuilt here as a three-level collation (primary: base letter,
 * secondary: accents, tertiary: case/variant) whose per-character weights are *derived from the
 * runtime's ICU collator* once per process, over the scripts and symbols people put in names
 * (Latin, Greek, Cyrillic, punctuation, symbols). Strings are NFKD-normalized first, so a
 * precomposed `é` weighs as `e` + acute, exactly like ICU's canonical closure. Characters outside
 * the derived table order by code point after it (ICU's implicit weights do the same for Han).
 * Ties after the three levels put the one ASCII string without ignorable characters first, then
 * the others by UTF-16 code units, so the order is total and two strings compare equal only when
 * they are identical.
 *
 * Known differences from full ICU: contractions and multi-letter expansions (`æ`→`ae`, `ß`→`ss`)
 * weigh as single letters; symbols outside the table sort after letters.
 * Both `compareStrings` and `stringSortKey` use the same tables, so they can never disagree.
 */

const collatorBase = new Intl.Collator('en', { sensitivity: 'base' });
const collatorAccent = new Intl.Collator('en', { sensitivity: 'accent' });
const collatorVariant = new Intl.Collator('en', { sensitivity: 'variant' });

/** Code point ranges whose weights are derived from the ICU collator. */
const TABLE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x0000, 0x052f], // ASCII, Latin-1, Latin Extended, IPA, modifiers, combining marks, Greek, Cyrillic
  [0x1d00, 0x1dff], // phonetic extensions, combining supplement
  [0x1e00, 0x1eff], // Latin extended additional
  [0x2000, 0x214f], // punctuation, super/subscripts, currency, combining for symbols, letterlike
  [0x2190, 0x22ff], // arrows, mathematical operators
];

interface Tables {
  readonly primary: Uint32Array;
  readonly secondary: Uint32Array;
  readonly tertiary: Uint32Array;
  /** Primary weight of the first code point outside the table (fallback = base + code point). */
  readonly fallbackBase: number;
  /** True when no two non-ignorable ASCII characters have the same three weights. */
  readonly asciiWeightsDistinct: boolean;
  /** A short fingerprint of the derived order (changes when the runtime's ICU order changes). */
  readonly fingerprint: string;
}

let tables: Tables | undefined;

function buildTables(): Tables {
  const primary = new Uint32Array(0x10000);
  const secondary = new Uint32Array(0x10000);
  const tertiary = new Uint32Array(0x10000);
  const chars: string[] = [];
  for (const [lo, hi] of TABLE_RANGES) {
    for (let cp = lo; cp <= hi; cp++) {
      const c = String.fromCharCode(cp);
      // decomposable characters never reach the table: strings are NFKD-normalized first
      if (c.normalize('NFKD') === c) chars.push(c);
    }
  }
  chars.sort(
    (a, b) =>
      collatorBase.compare(a, b) ||
      collatorAccent.compare(a, b) ||
      collatorVariant.compare(a, b) ||
      a.charCodeAt(0) - b.charCodeAt(0),
  );
  let p = 0;
  let s = 1;
  let t = 1;
  let markS = 1;
  let prev: string | undefined;
  let hash = 0x811c9dc5;
  for (const c of chars) {
    const cp = c.charCodeAt(0);
    if (collatorVariant.compare(c, '') === 0) {
      // completely ignorable (control characters): weight 0 on every level
      prev = undefined;
      continue;
    }
    if (collatorBase.compare(c, '') === 0) {
      // primary-ignorable (combining marks): only a secondary weight, above every base letter's
      if (prev !== undefined && collatorBase.compare(prev, '') === 0 && collatorAccent.compare(prev, c) !== 0) markS++;
      secondary[cp] = 0x100 + markS;
      tertiary[cp] = 1;
      prev = c;
    } else {
      if (prev === undefined || collatorBase.compare(prev, c) !== 0) {
        p++;
        s = 1;
        t = 1;
      } else if (collatorAccent.compare(prev, c) !== 0) {
        s++;
        t = 1;
      } else if (collatorVariant.compare(prev, c) !== 0) t++;
      primary[cp] = p;
      secondary[cp] = s;
      tertiary[cp] = t;
      prev = c;
    }
    hash = Math.imul(hash ^ (cp + (primary[cp] ?? 0) * 31 + (secondary[cp] ?? 0) * 7 + (tertiary[cp] ?? 0)), 0x01000193) >>> 0;
  }
  const inTable = new Uint8Array(0x10000);
  for (const c of chars) inTable[c.charCodeAt(0)] = 1;
  const fallbackBase = p + 1;
  const mark = /\p{M}/u;
  for (let cp = 0; cp < 0x10000; cp++) {
    if (inTable[cp] === 1 || (cp >= 0xd800 && cp <= 0xdfff)) continue;
    if (mark.test(String.fromCharCode(cp))) {
      secondary[cp] = 0x100 + markS + 1 + cp;
      tertiary[cp] = 1;
    } else if (cp >= 0x20 || cp === 0x09) {
      primary[cp] = fallbackBase + cp;
      secondary[cp] = 1;
      tertiary[cp] = 1;
    }
  }
  const triples = new Set<string>();
  let asciiWeightsDistinct = true;
  for (let cp = 0; cp < 0x80; cp++) {
    if (primary[cp] === 0) continue;
    const k = `${primary[cp] ?? 0}/${secondary[cp] ?? 0}/${tertiary[cp] ?? 0}`;
    if (triples.has(k)) asciiWeightsDistinct = false;
    triples.add(k);
  }
  return { primary, secondary, tertiary, fallbackBase, asciiWeightsDistinct, fingerprint: hash.toString(16).padStart(8, '0') };
}

function getTables(): Tables {
  tables ??= buildTables();
  return tables;
}

/** A fingerprint of the collation order in force; index keys built under another one are stale. */
export function collationFingerprint(): string {
  return getTables().fingerprint;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Letters ICU weighs as two letters (checked against the runtime's collator before use). */
const EXPANSION_CANDIDATES: Readonly<Record<string, string>> = { 'æ': 'ae', 'Æ': 'AE', 'œ': 'oe', 'Œ': 'OE', 'ß': 'ss', 'ẞ': 'SS' };
let expansions: { readonly pattern: RegExp; readonly map: ReadonlyMap<string, string> } | undefined;

function getExpansions(): { readonly pattern: RegExp; readonly map: ReadonlyMap<string, string> } {
  if (expansions) return expansions;
  const map = new Map<string, string>();
  for (const [c, e] of Object.entries(EXPANSION_CANDIDATES)) if (collatorBase.compare(c, e) === 0) map.set(c, e);
  const pattern = map.size > 0 ? new RegExp(`[${[...map.keys()].join('')}]`, 'gu') : /(?!)/gu;
  expansions = { pattern, map };
  return expansions;
}

/** Recently normalized strings (a sort compares each string many times); cleared when full. */
const normalizedCache = new Map<string, string>();
const NORMALIZED_CACHE_ENTRIES = 20_000;

function normalized(s: string): string {
  if (isAscii(s)) return s;
  let n = normalizedCache.get(s);
  if (n !== undefined) return n;
  const { pattern, map } = getExpansions();
  n = s.normalize('NFKD').replace(pattern, (c) => map.get(c) ?? c);
  if (normalizedCache.size >= NORMALIZED_CACHE_ENTRIES) normalizedCache.clear();
  normalizedCache.set(s, n);
  return n;
}

/** Weights of one level of the code point at `i` of `s`; astral code points get fallbacks. */
function weightAt(level: Uint32Array, t: Tables, s: string, i: number, levelNo: number): number {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff) return level[c] ?? 0;
  const cp = s.codePointAt(i) ?? c;
  if (cp <= 0xffff) return level[c] ?? 0;
  return levelNo === 1 ? t.fallbackBase + cp : 1;
}

function step(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
}

/** Compares the weight sequences of one level (zero weights skipped); shorter sequence first. */
function compareLevel(a: string, b: string, level: Uint32Array, t: Tables, levelNo: number): number {
  let i = 0;
  let j = 0;
  for (;;) {
    let wa = 0;
    while (i < a.length && (wa = weightAt(level, t, a, i, levelNo)) === 0) i += step(a, i);
    let wb = 0;
    while (j < b.length && (wb = weightAt(level, t, b, j, levelNo)) === 0) j += step(b, j);
    const endA = i >= a.length;
    const endB = j >= b.length;
    if (endA || endB) return endA && endB ? 0 : endA ? -1 : 1;
    if (wa !== wb) return wa < wb ? -1 : 1;
    i += step(a, i);
    j += step(b, j);
  }
}

/**
 * The answer of the full comparison when it is decided at the first differing code unit: both
 * strings ASCII up to there, no ignorable character before it, and two different primary weights
 * there (or the shorter string ends and the longer continues with a non-ignorable ASCII character).
 * 0 when undecided.
 */
function compareAsciiPrefix(a: string, b: string, primary: Uint32Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  for (; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x > 0x7f || y > 0x7f) return 0;
    const px = primary[x] ?? 0;
    if (x === y) {
      if (px === 0) return 0;
      continue;
    }
    const py = primary[y] ?? 0;
    if (px === 0 || py === 0 || px === py) return 0;
    return px < py ? -1 : 1;
  }
  const longer = a.length > n ? a : b;
  const next = longer.charCodeAt(n);
  if (next > 0x7f || (primary[next] ?? 0) === 0) return 0;
  return a.length < b.length ? -1 : 1;
}

/** Compares two strings the way AQL does; 0 only for identical strings. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const t = getTables();
  const fast = compareAsciiPrefix(a, b, t.primary);
  if (fast !== 0) return fast;
  const na = normalized(a);
  const nb = normalized(b);
  const c = compareLevel(na, nb, t.primary, t, 1) || compareLevel(na, nb, t.secondary, t, 2) || compareLevel(na, nb, t.tertiary, t, 3);
  if (c !== 0) return c;
  const pa = isPlain(a, t);
  if (pa !== isPlain(b, t)) return pa ? -1 : 1;
  return a < b ? -1 : 1;
}

/** Characters of a sort key: each weight is one character from 0x30 (two above 0xCFFF), levels end with 0x22. */
const LEVEL_END = '\u0022';
const ONE_CHAR_WEIGHTS = 0xd000 - 0x30;

function pushWeight(out: string[], w: number): void {
  if (w < ONE_CHAR_WEIGHTS) out.push(String.fromCharCode(0x30 + w));
  else {
    // private-use lead characters sort above every one-character weight and below surrogates' UTF-8
    const x = w - ONE_CHAR_WEIGHTS;
    out.push(String.fromCharCode(0xe000 + (x >> 12), 0x30 + (x & 0xfff)));
  }
}

/**
 * True for a string the three levels identify completely (ASCII, no ignorable character): it
 * needs no tie-breaker and sorts before the other strings with the same weights.
 */
function isPlain(s: string, t: Tables): boolean {
  if (!t.asciiWeightsDistinct) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || t.primary[c] === 0) return false;
  }
  return true;
}

/**
 * A string whose code-point (and UTF-8 byte) order equals `compareStrings` order, used for index
 * keys. It uses the character 0x22 and characters from 0x30 (no surrogates), so it can be embedded
 * in larger keys, followed by characters below 0x30. Trailing common secondary/tertiary weights are
 * dropped (they cannot change the order of strings whose higher levels are equal), so an ASCII
 * string costs about 2–3 bytes per character.
 */
export function stringSortKey(s: string): string {
  const t = getTables();
  const n = normalized(s);
  const out: string[] = [];
  const weights: number[] = [];
  for (const [level, no] of [[t.primary, 1], [t.secondary, 2], [t.tertiary, 3]] as const) {
    weights.length = 0;
    for (let i = 0; i < n.length; i += step(n, i)) {
      const w = weightAt(level, t, n, i, no);
      if (w !== 0) weights.push(w);
    }
    let end = weights.length;
    if (no !== 1) while (end > 0 && weights[end - 1] === 1) end--;
    for (let i = 0; i < end; i++) pushWeight(out, weights[i] ?? 0);
    out.push(LEVEL_END);
  }
  if (!isPlain(s, t)) {
    for (let i = 0; i < s.length; i++) pushWeight(out, s.charCodeAt(i));
    out.push(LEVEL_END);
  }
  return out.join('');
}
