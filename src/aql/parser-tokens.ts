import { syntaxError, tokenize, type Token } from './lexer.ts';
import type { CollectionRef, Expr } from './ast.ts';
import { ArangoError } from '../errors/index.ts';

/** Statement keywords: where an operation (or a subquery) starts. */
export const OPERATION_STARTS: ReadonlySet<string> = new Set(['FOR', 'LET', 'FILTER', 'SORT', 'LIMIT', 'COLLECT', 'RETURN', 'INSERT', 'UPDATE', 'REPLACE', 'REMOVE', 'UPSERT', 'WITH', 'SEARCH', 'WINDOW']);

/** The token stream of one query with the lookahead helpers and the parser state every layer shares. */
export abstract class TokenCursor {
  protected readonly tokens: Token[];
  protected pos = 0;
  protected readonly binds = new Set<string>();
  protected readonly bindColls = new Set<string>();
  /** While true, a top-level IN ends the expression (INSERT ... IN coll, UPDATE ... IN coll). */
  protected noIn = false;
  protected depth = 0;

  constructor(protected readonly text: string) {
    this.tokens = tokenize(text);
  }

  /** Parses one expression (implemented by the expression layer). */
  abstract expression(): Expr;

  // ---- token helpers ------------------------------------------------------
  protected peek(k = 0): Token {
    const t = this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
    if (t === undefined) throw new ArangoError('ERROR_INTERNAL', 'token stream empty');
    return t;
  }
  protected next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  protected isKeyword(kw: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'keyword' && t.value === kw;
  }
  protected isIdent(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' && !t.quoted && t.value.toUpperCase() === word;
  }
  protected isOp(op: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'op' && t.value === op;
  }
  protected acceptOp(op: string): boolean {
    if (this.isOp(op)) { this.pos++; return true; }
    return false;
  }
  protected acceptKeyword(kw: string): boolean {
    if (this.isKeyword(kw)) { this.pos++; return true; }
    return false;
  }
  protected expectOp(op: string): void {
    if (!this.acceptOp(op)) throw this.unexpected();
  }
  protected expectKeyword(kw: string): void {
    if (!this.acceptKeyword(kw)) throw this.unexpected();
  }
  protected unexpected(t: Token = this.peek()): ArangoError {
    let what: string;
    switch (t.kind) {
      case 'eof': what = 'unexpected end of query string'; break;
      case 'ident': what = 'unexpected identifier'; break;
      case 'keyword': what = `unexpected ${t.value} keyword`; break;
      case 'string': what = 'unexpected quoted string'; break;
      case 'number': what = Number.isInteger(t.num) && !/[.eE]/.test(t.value) ? 'unexpected integer number' : 'unexpected number'; break;
      case 'bind': case 'bindCollection': what = 'unexpected bind parameter'; break;
      default: what = `unexpected '${t.value}'`;
    }
    return syntaxError(this.text, t.offset, what);
  }
  protected variableName(): string {
    const t = this.next();
    if (t.kind !== 'ident') throw this.unexpected(t);
    return t.value;
  }
  protected collectionName(): string {
    const t = this.next();
    if (t.kind === 'ident' || t.kind === 'string') return t.value;
    throw this.unexpected(t);
  }
  protected collectionRef(): CollectionRef {
    const t = this.peek();
    if (t.kind === 'bindCollection') {
      this.pos++;
      this.bindColls.add(t.value);
      return { kind: 'bindCollection', name: t.value };
    }
    return { kind: 'name', name: this.collectionName() };
  }


  /** Parses an expression in which a top-level IN is not an operator. */
  protected modExpression(): Expr {
    const saved = this.noIn;
    this.noIn = true;
    try {
      return this.expression();
    } finally {
      this.noIn = saved;
    }
  }

  /** Parses a nested expression (inside brackets), where IN is an operator again. */
  protected nested<T>(f: () => T): T {
    const saved = this.noIn;
    this.noIn = false;
    try {
      return f();
    } finally {
      this.noIn = saved;
    }
  }
}
