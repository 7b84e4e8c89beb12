import { ANALYZERS_COLLECTION, findAnalyzer, tokenizeWith, type AnalyzerDefinition, type AnalyzerReader, type TokenizeHooks } from '../../analyzer/index.ts';
import { ArangoError } from '../../errors/index.ts';
import { fn, invalidArg, type FunctionContext, type FunctionTable } from './function-types.ts';
import { minHash } from './vector-functions.ts';

const HOOKS: TokenizeHooks = { minHash };
/** Largest n-gram LCS table NGRAM_MATCH builds (rows × columns). */
const MAX_LCS_CELLS = 10_000_000;

function reader(ctx: FunctionContext): AnalyzerReader {
  return (key) => (ctx.dataSource.collection(ANALYZERS_COLLECTION) === undefined ? undefined : ctx.dataSource.document(ANALYZERS_COLLECTION, key));
}

function analyzer(ctx: FunctionContext, fnName: string, name: unknown): AnalyzerDefinition {
  return findAnalyzer(fnName, name, ctx.database, reader(ctx));
}

function tokens(def: AnalyzerDefinition, input: string): string[] {
  return tokenizeWith(def.type, def.properties, input, HOOKS);
}

/** An 8-byte key whose byte order is the numeric order of doubles (kitsune's numeric term; ArangoDB's differ). */
function numericToken(n: number): string {
  const buf = Buffer.alloc(8);
  buf.writeDoubleBE(n === 0 ? 0 : n);
  if ((buf[0] ?? 0) & 0x80) for (let i = 0; i < 8; i++) buf[i] = ~(buf[i] ?? 0) & 0xff;
  else buf[0] = (buf[0] ?? 0) | 0x80;
  return buf.toString('base64');
}

/**
 * TOKENS over a value, as 3.12 does: strings through the Analyzer, arrays element by element
 * (nested arrays keep their nesting), booleans and null as base64 of ArangoSearch's terms
 * (`/w==` true, `AA==` false and null), numbers as one base64 numeric term. Objects throw 400 /
 * errorNum 10 (no supported Analyzer accepts them).
 */
function tokensOf(ctx: FunctionContext, def: AnalyzerDefinition, v: unknown, depth: number): unknown {
  ctx.checkAlive();
  if (typeof v === 'string') return tokens(def, v);
  if (Array.isArray(v)) {
    if (depth > 64) throw new ArangoError('ERROR_BAD_PARAMETER', "arrays nested too deeply while computing result for function 'TOKENS'");
    return v.map((x) => tokensOf(ctx, def, x, depth + 1));
  }
  if (v === true) return ['/w=='];
  if (v === false || v === null || v === undefined) return ['AA=='];
  if (typeof v === 'number') return [numericToken(v)];
  throw new ArangoError('ERROR_BAD_PARAMETER', "unexpected parameter type 'object' while computing result for function 'TOKENS'");
}

/** Length of the longest common subsequence of two token lists. */
function lcs(a: readonly string[], b: readonly string[]): number {
  if (a.length * b.length > MAX_LCS_CELLS) throw new ArangoError('ERROR_RESOURCE_LIMIT', 'NGRAM_MATCH inputs too long');
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) cur[j] = x === b[j - 1] ? (prev[j - 1] ?? 0) + 1 : Math.max(prev[j] ?? 0, cur[j - 1] ?? 0);
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** ArangoDB's answer (its own text) for a filter function evaluated outside SEARCH: errorNum 9, HTTP 501. */
function searchOnly(): never {
  throw new ArangoError('ERROR_NOT_IMPLEMENTED',
    'ArangoSearch filter functions EXISTS, PHRASE  are designed to be used only within a corresponding SEARCH statement of ArangoSearch view. Please ensure function signature is correct.');
}

/** ArangoDB's answer for a scorer evaluated without a View. */
function scorerOnly(): never {
  throw new ArangoError('ERROR_NOT_IMPLEMENTED',
    'ArangoSearch scorer functions BM25() and TFIDF() are designed to be used only outside SEARCH statement within a context of ArangoSearch view. Please ensure function signature is correct.');
}

/**
 * ArangoSearch functions as far as they have a meaning outside `SEARCH` (3.12 ArangoSearch and
 * string pages): TOKENS, NGRAM_MATCH, MINHASH_MATCH (LEVENSHTEIN_MATCH and MIN_MATCH are in
 * `more-misc-functions.ts`), and the context functions ANALYZER / BOOST, which return their
 * expression. PHRASE, EXISTS and the scorers throw
 * errorNum 9 as ArangoDB does without a View.
 */
export const SEARCH_FUNCTIONS: FunctionTable = {
  // not folded at plan time: a cached plan must not keep the tokens of a since redefined Analyzer
  TOKENS: fn(1, 2, (ctx, [input, name]) => tokensOf(ctx, analyzer(ctx, 'TOKENS', name ?? 'identity'), input, 0), false),
  // outside SEARCH the context functions only return their expression (ArangoDB checks nothing else)
  ANALYZER: fn(2, 2, (_c, [expr]) => expr),
  BOOST: fn(2, 2, (_c, [expr]) => expr),
  NGRAM_MATCH: fn(2, 4, (ctx, args, name) => {
    if (args.length === 2) throw new ArangoError('ERROR_BAD_PARAMETER', `'${name}' AQL function: Analyzer argument is required outside SEARCH`);
    const [value, target] = args;
    const threshold = args.length === 4 ? args[2] : 0.7;
    const def = analyzer(ctx, name, args[args.length - 1]);
    if (typeof threshold !== 'number' || threshold <= 0 || threshold > 1) return invalidArg(ctx, name);
    if (typeof value !== 'string' || typeof target !== 'string') return invalidArg(ctx, name);
    const t = tokens(def, target);
    if (t.length === 0) return false;
    return lcs(tokens(def, value), t) / t.length >= threshold;
  }, false),
  MINHASH_MATCH: fn(3, 4, (ctx, args, fnName) => {
    // the threshold is optional (3.12 reference); without it every signature slot must agree
    const [value, target] = args;
    const threshold = args.length === 4 ? args[2] : 1;
    const name = args[args.length - 1];
    const def = analyzer(ctx, fnName, name);
    if (def.type !== 'minhash') throw new ArangoError('ERROR_BAD_PARAMETER', `'${fnName}' AQL function: Analyzer '${String(name)}' is not a minhash analyzer`);
    if (typeof threshold !== 'number' || threshold <= 0 || threshold > 1) return invalidArg(ctx, fnName);
    if (typeof value !== 'string' || typeof target !== 'string') return invalidArg(ctx, fnName);
    const a = tokens(def, value);
    const b = tokens(def, target);
    if (b.length === 0) return false;
    let same = 0;
    for (let i = 0; i < b.length; i++) if (a[i] === b[i]) same++;
    return same / b.length >= threshold;
  }, false),
  PHRASE: fn(2, Infinity, () => searchOnly()),
  EXISTS: fn(1, 3, () => searchOnly()),
  BM25: fn(1, 3, () => scorerOnly()),
  TFIDF: fn(1, 2, () => scorerOnly()),
  OFFSET_INFO: fn(2, 2, () => scorerOnly()),
};
