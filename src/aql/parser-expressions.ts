import type { BinaryOp, CompareOp, Expr, ObjectEntry, QueryBody, Quantifier } from './ast.ts';
import { ArangoError } from '../errors/index.ts';
import { OPERATION_STARTS, TokenCursor } from './parser-tokens.ts';

/** Deepest expression nesting accepted (ArangoDB refuses deep nesting with 1524 as well). */
const MAX_EXPRESSION_DEPTH = 500;

const COMPARE_OPS_EQ: ReadonlySet<string> = new Set(['==', '!=']);
const IN_OPS: ReadonlySet<string> = new Set(['IN']);
const REL_OPS: ReadonlySet<string> = new Set(['<', '<=', '>', '>=']);

/** Expressions: operators by precedence, array operators, literals, calls and subqueries. */
export abstract class ExpressionParser extends TokenCursor {
  /** Parses a query body (implemented by the operation layer; subqueries need it). */
  protected abstract parseBody(topLevel: boolean): QueryBody;

  // ---- expressions --------------------------------------------------------
  expression(): Expr {
    if (++this.depth > MAX_EXPRESSION_DEPTH) throw new ArangoError('ERROR_QUERY_TOO_MUCH_NESTING', 'too much nesting or too many objects');
    try {
      return this.expressionBody();
    } finally {
      this.depth--;
    }
  }

  protected expressionBody(): Expr {
    const cond = this.logicalOr();
    if (this.acceptOp('?')) {
      if (this.acceptOp(':')) return { kind: 'ternary', condition: cond, then: undefined, otherwise: this.expression() };
      const then = this.expression();
      this.expectOp(':');
      return { kind: 'ternary', condition: cond, then, otherwise: this.expression() };
    }
    return cond;
  }

  protected logicalOr(): Expr {
    let left = this.logicalAnd();
    while (this.isOp('||') || this.isKeyword('OR')) {
      this.pos++;
      left = { kind: 'binary', op: '||', left, right: this.logicalAnd() };
    }
    return left;
  }

  protected logicalAnd(): Expr {
    let left = this.equality();
    while (this.isOp('&&') || this.isKeyword('AND')) {
      this.pos++;
      left = { kind: 'binary', op: '&&', left, right: this.equality() };
    }
    return left;
  }

  /** Looks for ALL / ANY / NONE / AT LEAST (n) followed by a comparison operator. */
  protected quantifierAhead(ops: ReadonlySet<string>): number {
    let k = 0;
    if (this.isKeyword('ALL') || this.isKeyword('ANY') || this.isKeyword('NONE')) k = 1;
    else if (this.isIdent('AT') && this.isIdent('LEAST', 1) && this.isOp('(', 2)) {
      let depth = 0;
      for (k = 2; ; k++) {
        const t = this.peek(k);
        if (t.kind === 'eof') return 0;
        if (t.kind === 'op' && t.value === '(') depth++;
        if (t.kind === 'op' && t.value === ')') { depth--; if (depth === 0) { k++; break; } }
      }
    } else return 0;
    const t = this.peek(k);
    if (t.kind === 'op' && ops.has(t.value)) return k;
    if (ops.has('IN') && t.kind === 'keyword' && (t.value === 'IN' || (t.value === 'NOT' && this.isKeyword('IN', k + 1)))) return k;
    return 0;
  }

  protected parseQuantifier(): Quantifier {
    const t = this.next();
    if (t.kind === 'keyword') {
      if (t.value === 'ALL') return { kind: 'all' };
      if (t.value === 'ANY') return { kind: 'any' };
      if (t.value === 'NONE') return { kind: 'none' };
    }
    // AT LEAST ( expr )
    this.pos++;
    this.expectOp('(');
    const count = this.expression();
    this.expectOp(')');
    return { kind: 'atLeast', count };
  }

  protected equality(): Expr {
    let left = this.membership();
    for (;;) {
      if (this.quantifierAhead(COMPARE_OPS_EQ) > 0) {
        const quantifier = this.parseQuantifier();
        const op = this.next().value as CompareOp;
        left = { kind: 'arrayCompare', quantifier, op, left, right: this.membership() };
        continue;
      }
      const t = this.peek();
      if (t.kind === 'op' && (t.value === '==' || t.value === '!=' || t.value === '=~' || t.value === '!~')) {
        this.pos++;
        left = { kind: 'binary', op: t.value as BinaryOp, left, right: this.membership() };
      } else if (this.isKeyword('LIKE')) {
        this.pos++;
        left = { kind: 'binary', op: 'LIKE', left, right: this.membership() };
      } else if (this.isKeyword('NOT') && this.isKeyword('LIKE', 1)) {
        this.pos += 2;
        left = { kind: 'binary', op: 'NOT LIKE', left, right: this.membership() };
      } else return left;
    }
  }

  protected membership(): Expr {
    let left = this.relational();
    for (;;) {
      if (!this.noIn && this.quantifierAhead(IN_OPS) > 0) {
        const quantifier = this.parseQuantifier();
        const not = this.acceptKeyword('NOT');
        this.expectKeyword('IN');
        left = { kind: 'arrayCompare', quantifier, op: not ? 'NOT IN' : 'IN', left, right: this.relational() };
        continue;
      }
      if (this.isKeyword('IN') && !this.noIn) {
        this.pos++;
        left = { kind: 'binary', op: 'IN', left, right: this.relational() };
      } else if (this.isKeyword('NOT') && this.isKeyword('IN', 1)) {
        this.pos += 2;
        left = { kind: 'binary', op: 'NOT IN', left, right: this.relational() };
      } else return left;
    }
  }

  protected relational(): Expr {
    let left = this.range();
    for (;;) {
      if (this.quantifierAhead(REL_OPS) > 0) {
        const quantifier = this.parseQuantifier();
        const op = this.next().value as CompareOp;
        left = { kind: 'arrayCompare', quantifier, op, left, right: this.range() };
        continue;
      }
      const t = this.peek();
      if (t.kind === 'op' && REL_OPS.has(t.value)) {
        this.pos++;
        left = { kind: 'binary', op: t.value as BinaryOp, left, right: this.range() };
      } else return left;
    }
  }

  protected range(): Expr {
    const left = this.additive();
    if (this.acceptOp('..')) return { kind: 'binary', op: '..', left, right: this.additive() };
    return left;
  }

  protected additive(): Expr {
    let left = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().value as BinaryOp;
      left = { kind: 'binary', op, left, right: this.multiplicative() };
    }
    return left;
  }

  protected multiplicative(): Expr {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.next().value as BinaryOp;
      left = { kind: 'binary', op, left, right: this.unary() };
    }
    return left;
  }

  protected unary(): Expr {
    if (++this.depth > MAX_EXPRESSION_DEPTH) throw new ArangoError('ERROR_QUERY_TOO_MUCH_NESTING', 'too much nesting or too many objects');
    try {
      return this.unaryBody();
    } finally {
      this.depth--;
    }
  }

  protected unaryBody(): Expr {
    if (this.isOp('!') || this.isKeyword('NOT')) {
      this.pos++;
      return { kind: 'unary', op: '!', operand: this.unary() };
    }
    if (this.isOp('-') || this.isOp('+')) {
      const op = this.next().value as '-' | '+';
      const operand = this.unary();
      if (op === '-' && operand.kind === 'value' && typeof operand.value === 'number') return { kind: 'value', value: -operand.value };
      return { kind: 'unary', op, operand };
    }
    return this.postfix(this.primary());
  }

  protected postfix(base: Expr): Expr {
    let e = base;
    for (;;) {
      if (this.isOp('.')) {
        this.pos++;
        const t = this.next();
        if (t.kind === 'ident' || t.kind === 'keyword' || t.kind === 'string') e = { kind: 'attr', object: e, name: t.kind === 'keyword' ? this.text.slice(t.offset, t.offset + t.value.length) : t.value };
        else if (t.kind === 'bind') { this.binds.add(t.value); e = { kind: 'index', object: e, index: { kind: 'bind', name: t.value } }; }
        else throw this.unexpected(t);
        continue;
      }
      if (this.isOp('[')) {
        if (this.isOp('*', 1)) { const base = e; e = this.nested(() => this.expansion(base)); continue; }
        if (this.isOp('?', 1)) { const base = e; e = this.nested(() => this.questionMark(base)); continue; }
        this.pos++;
        const index = this.nested(() => this.expression());
        this.expectOp(']');
        e = { kind: 'index', object: e, index };
        continue;
      }
      return e;
    }
  }

  protected expansion(object: Expr): Expr {
    this.pos++; // [
    let depth = 0;
    while (this.acceptOp('*')) depth++;
    let filter: Expr | undefined;
    let limit: { offset: Expr; count: Expr } | undefined;
    let ret: Expr | undefined;
    if (this.acceptKeyword('FILTER')) filter = this.expression();
    if (this.acceptKeyword('LIMIT')) {
      const a = this.expression();
      if (this.acceptOp(',')) limit = { offset: a, count: this.expression() };
      else limit = { offset: { kind: 'value', value: 0 }, count: a };
    }
    if (this.acceptKeyword('RETURN')) ret = this.expression();
    this.expectOp(']');
    const current: Expr = { kind: 'ref', name: 'CURRENT', offset: -1 };
    const base = ret ?? current;
    let project: Expr | undefined = this.postfix(base);
    if (project === current) project = undefined;
    return { kind: 'expand', object, depth, filter, limit, project };
  }

  protected questionMark(object: Expr): Expr {
    this.pos += 2; // [ ?
    let quantifier: Quantifier = { kind: 'any' };
    if (this.acceptKeyword('ANY')) quantifier = { kind: 'any' };
    else if (this.acceptKeyword('ALL')) quantifier = { kind: 'all' };
    else if (this.acceptKeyword('NONE')) quantifier = { kind: 'none' };
    else if (this.isIdent('AT') && this.isIdent('LEAST', 1)) {
      this.pos += 2;
      this.expectOp('(');
      const count = this.expression();
      this.expectOp(')');
      quantifier = { kind: 'atLeast', count };
    } else if (!this.isKeyword('FILTER') && !this.isOp(']')) {
      const e = this.range();
      quantifier = e.kind === 'binary' && e.op === '..' ? { kind: 'between', min: e.left, max: e.right } : { kind: 'exact', count: e };
    }
    let filter: Expr | undefined;
    if (this.acceptKeyword('FILTER')) filter = this.expression();
    this.expectOp(']');
    return { kind: 'question', object, quantifier, filter };
  }

  protected primary(): Expr {
    return this.nested(() => this.primaryInner());
  }

  protected primaryInner(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number': this.pos++; return { kind: 'value', value: t.num };
      case 'string': this.pos++; return { kind: 'value', value: t.value };
      case 'bind': this.pos++; this.binds.add(t.value); return { kind: 'bind', name: t.value };
      case 'bindCollection': this.pos++; this.bindColls.add(t.value); return { kind: 'ref', name: '@@' + t.value, offset: t.offset };
      case 'keyword':
        if (t.value === 'NULL') { this.pos++; return { kind: 'value', value: null }; }
        if (t.value === 'TRUE') { this.pos++; return { kind: 'value', value: true }; }
        if (t.value === 'FALSE') { this.pos++; return { kind: 'value', value: false }; }
        if (this.isOp('(', 1)) { this.pos++; return this.call(t.value, t.offset); }
        throw this.unexpected(t);
      case 'ident': {
        this.pos++;
        if (!t.quoted && this.isOp('::')) {
          let name = t.value;
          while (this.acceptOp('::')) name += '::' + this.variableName();
          if (!this.isOp('(')) throw this.unexpected();
          return this.call(name, t.offset);
        }
        if (!t.quoted && this.isOp('(')) return this.call(t.value, t.offset);
        return { kind: 'ref', name: t.value, offset: t.offset };
      }
      case 'op':
        if (t.value === '(') {
          this.pos++;
          const n = this.peek();
          if (n.kind === 'keyword' && OPERATION_STARTS.has(n.value) && n.value !== 'WITH') {
            const query = this.parseBody(false);
            this.expectOp(')');
            return { kind: 'subquery', query };
          }
          const e = this.expression();
          this.expectOp(')');
          return e;
        }
        if (t.value === '[') return this.arrayLiteral();
        if (t.value === '{') return this.objectLiteral();
        throw this.unexpected(t);
      default:
        throw this.unexpected(t);
    }
  }

  protected call(name: string, offset: number): Expr {
    this.expectOp('(');
    const args: Expr[] = [];
    if (!this.isOp(')')) {
      do {
        const t = this.peek();
        if (t.kind === 'keyword' && OPERATION_STARTS.has(t.value) && t.value !== 'WITH') args.push({ kind: 'subquery', query: this.parseBody(false) });
        else args.push(this.expression());
      } while (this.acceptOp(','));
    }
    this.expectOp(')');
    return { kind: 'call', name: name.toUpperCase(), args, offset };
  }

  protected arrayLiteral(): Expr {
    this.expectOp('[');
    const elements: Expr[] = [];
    if (!this.isOp(']')) {
      do {
        if (this.isOp(']')) break; // trailing comma
        elements.push(this.expression());
      } while (this.acceptOp(','));
    }
    this.expectOp(']');
    if (elements.every((e) => e.kind === 'value')) return { kind: 'value', value: elements.map((e) => (e.kind === 'value' ? e.value : null)) };
    return { kind: 'array', elements };
  }

  protected objectLiteral(): Expr {
    this.expectOp('{');
    const entries: ObjectEntry[] = [];
    if (!this.isOp('}')) {
      do {
        if (this.isOp('}')) break;
        const t = this.next();
        let key: string | Expr;
        if (t.kind === 'ident' || t.kind === 'keyword') {
          const raw = t.kind === 'keyword' ? this.text.slice(t.offset, t.offset + t.value.length) : t.value;
          if (!this.isOp(':')) {
            if (t.kind === 'keyword') throw this.unexpected();
            entries.push({ key: raw, value: { kind: 'ref', name: raw, offset: t.offset } });
            continue;
          }
          key = raw;
        } else if (t.kind === 'string') key = t.value;
        else if (t.kind === 'number') key = t.value;
        else if (t.kind === 'bind') { this.binds.add(t.value); key = { kind: 'bind', name: t.value }; }
        else if (t.kind === 'op' && t.value === '[') {
          key = this.expression();
          this.expectOp(']');
        } else throw this.unexpected(t);
        this.expectOp(':');
        entries.push({ key, value: this.expression() });
      } while (this.acceptOp(','));
    }
    this.expectOp('}');
    if (entries.every((e) => typeof e.key === 'string' && e.value.kind === 'value')) {
      const o: Record<string, unknown> = {};
      for (const e of entries) if (typeof e.key === 'string' && e.value.kind === 'value') o[e.key] = e.value.value;
      return { kind: 'value', value: o };
    }
    return { kind: 'object', entries };
  }
}
