import { ArangoError } from '../errors/index.ts';

/** Token kinds produced by {@link tokenize}. */
export type TokenKind =
  | 'ident' | 'keyword' | 'string' | 'number' | 'bind' | 'bindCollection' | 'op' | 'eof';

/** One lexical token with its source position (offset, 1-based line and column). */
export interface Token {
  readonly kind: TokenKind;
  /** Identifier / keyword text (keywords upper-cased), operator text, decoded string. */
  readonly value: string;
  readonly num: number;
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  /** For identifiers: true when written with backticks or forward ticks. */
  readonly quoted: boolean;
}

/** Reserved words of AQL (case-insensitive). Context keywords (KEEP, OPTIONS, ...) are identifiers. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'FOR', 'RETURN', 'FILTER', 'SEARCH', 'SORT', 'LIMIT', 'LET', 'COLLECT', 'WINDOW', 'INSERT', 'UPDATE',
  'REPLACE', 'REMOVE', 'UPSERT', 'WITH', 'AGGREGATE', 'ALL', 'ALL_SHORTEST_PATHS', 'AND', 'ANY', 'ASC',
  'DESC', 'DISTINCT', 'FALSE', 'GRAPH', 'IN', 'INBOUND', 'INTO', 'K_PATHS', 'K_SHORTEST_PATHS', 'LIKE',
  'NONE', 'NOT', 'NULL', 'OR', 'OUTBOUND', 'SHORTEST_PATH', 'TRUE',
]);

const OPERATORS = [
  '..', '==', '!=', '<=', '>=', '&&', '||', '=~', '!~', '::',
  '<', '>', '=', '!', '+', '-', '*', '/', '%', '?', ':', '.', ',', '(', ')', '[', ']', '{', '}',
];

/** Builds the ArangoDB-style parse error for a position in the query text. */
export function syntaxError(text: string, offset: number, what: string): ArangoError {
  const { line, column } = positionOf(text, offset);
  const near = text.slice(offset, offset + 64);
  return new ArangoError('ERROR_QUERY_PARSE', `AQL: syntax error, ${what} near '${near}' at position ${line}:${column} (while parsing)`);
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
  }
  return { line, column: offset - lineStart + 1 };
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Splits an AQL query into tokens; throws ERROR_QUERY_PARSE (1501) on a lexical error. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = text.length;
  const push = (kind: TokenKind, value: string, start: number, num = 0, quoted = false): void => {
    tokens.push({ kind, value, num, offset: start, line, column: start - lineStart + 1, quoted });
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) { i++; line++; lineStart = i; continue; }
    if (c === 32 || c === 9 || c === 13 || c === 0xa0 || c === 0xfeff) { i++; continue; }
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw syntaxError(text, i, 'unexpected unterminated multi-line comment');
      for (let k = i; k < end; k++) if (text.charCodeAt(k) === 10) { line++; lineStart = k + 1; }
      i = end + 2;
      continue;
    }
    const start = i;
    if (c === 96 || c === 180) {
      // `name` or ´name´: quoted identifiers may contain any character
      const close = c === 96 ? '`' : '´';
      let s = '';
      i++;
      while (i < n && text[i] !== close) {
        if (text[i] === '\\' && i + 1 < n) { s += text[i + 1]; i += 2; continue; }
        s += text[i];
        i++;
      }
      if (i >= n) throw syntaxError(text, start, 'unexpected unterminated identifier');
      i++;
      push('ident', s, start, 0, true);
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      const upper = word.toUpperCase();
      if (KEYWORDS.has(upper)) push('keyword', upper, start);
      else push('ident', word, start);
      continue;
    }
    if (c === 34 || c === 39) {
      const q = c;
      let s = '';
      i++;
      for (;;) {
        if (i >= n) throw syntaxError(text, start, 'unexpected unterminated string literal');
        const d = text.charCodeAt(i);
        if (d === q) { i++; break; }
        if (d === 10) { line++; lineStart = i + 1; }
        if (d === 92) {
          const e = text[i + 1];
          i += 2;
          switch (e) {
            case 'n': s += '\n'; break;
            case 'r': s += '\r'; break;
            case 't': s += '\t'; break;
            case 'b': s += '\b'; break;
            case 'f': s += '\f'; break;
            case 'u': {
              const hex = text.slice(i, i + 4);
              if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw syntaxError(text, start, 'unexpected invalid escape sequence');
              s += String.fromCharCode(parseInt(hex, 16));
              i += 4;
              break;
            }
            case undefined: throw syntaxError(text, start, 'unexpected unterminated string literal');
            default: s += e;
          }
          continue;
        }
        s += text[i];
        i++;
      }
      push('string', s, start);
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)) && !(tokens.length > 0 && isValueEnd(tokens[tokens.length - 1])))) {
      const two = text.slice(i, i + 2).toLowerCase();
      if (two === '0x' || two === '0b') {
        i += 2;
        const digStart = i;
        while (i < n && /[0-9a-fA-F]/.test(text[i] ?? '')) i++;
        const digits = text.slice(digStart, i);
        const v = parseInt(digits, two === '0x' ? 16 : 2);
        if (digits === '' || Number.isNaN(v) || (two === '0b' && /[^01]/.test(digits))) throw syntaxError(text, start, 'unexpected invalid number');
        push('number', text.slice(start, i), start, v);
        continue;
      }
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 46 && isDigit(text.charCodeAt(i + 1))) {
        i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      if ((text[i] === 'e' || text[i] === 'E') && /^[eE][-+]?\d/.test(text.slice(i, i + 3))) {
        i++;
        if (text[i] === '+' || text[i] === '-') i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      const raw = text.slice(start, i);
      push('number', raw, start, Number(raw));
      continue;
    }
    if (c === 64) {
      // @name or @@name
      let j = i + 1;
      const coll = text.charCodeAt(j) === 64;
      if (coll) j++;
      const nameStart = j;
      while (j < n && (isIdentPart(text.charCodeAt(j)))) j++;
      if (j === nameStart) throw syntaxError(text, start, 'unexpected bind parameter');
      push(coll ? 'bindCollection' : 'bind', text.slice(nameStart, j), start);
      i = j;
      continue;
    }
    let op: string | undefined;
    for (const o of OPERATORS) if (text.startsWith(o, i)) { op = o; break; }
    if (op === undefined) throw syntaxError(text, start, `unexpected character '${text[i] ?? ''}'`);
    i += op.length;
    push('op', op, start);
  }
  tokens.push({ kind: 'eof', value: '', num: 0, offset: n, line, column: n - lineStart + 1, quoted: false });
  return tokens;
}

function isValueEnd(t: Token | undefined): boolean {
  if (t === undefined) return false;
  return t.kind === 'ident' || t.kind === 'number' || t.kind === 'string' || t.kind === 'bind' || (t.kind === 'op' && (t.value === ')' || t.value === ']'));
}
