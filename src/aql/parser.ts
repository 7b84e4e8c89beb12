import { tokenize, syntaxError, type Token } from './lexer.ts';
import type {
  AggregateAssignment, BinaryOp, CollectionRef, CompareOp, Direction, EdgeCollectionRef, Expr, GraphRef,
  ObjectEntry, Operation, QueryAst, QueryBody, Quantifier, SortElement,
} from './ast.ts';
import { ArangoError } from '../errors/index.ts';
import { destructure, type Pattern } from './destructuring.ts';

const OPERATION_STARTS = new Set(['FOR', 'LET', 'FILTER', 'SORT', 'LIMIT', 'COLLECT', 'RETURN', 'INSERT', 'UPDATE', 'REPLACE', 'REMOVE', 'UPSERT', 'WITH', 'SEARCH', 'WINDOW']);
const COMPARE_OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);

/**
 * Parses AQL text into a {@link QueryAst}. Throws ArangoError 1501 (ERROR_QUERY_PARSE) with
 * "syntax error, unexpected ... near '...' at position LINE:COL", or 1502 for an empty query.
 */
export function parseQuery(text: string): QueryAst {
  if (text.trim() === '') throw new ArangoError('ERROR_QUERY_EMPTY');
  try {
    return new Parser(text).parseQuery();
  } catch (err) {
    // a nesting the depth limit did not catch (long unary chains) overflows the stack: still the query's fault
    if (err instanceof RangeError) throw new ArangoError('ERROR_QUERY_TOO_MUCH_NESTING', 'too much nesting or too many objects', { cause: err });
    throw err;
  }
}

/** Deepest expression nesting accepted (ArangoDB refuses deep nesting with 1524 as well). */
const MAX_EXPRESSION_DEPTH = 500;

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private readonly binds = new Set<string>();
  private readonly bindColls = new Set<string>();
  /** While true, a top-level IN ends the expression (INSERT ... IN coll, UPDATE ... IN coll). */
  private noIn = false;
  private depth = 0;
  /** LETs a destructuring FOR/LET adds after itself. */
  private readonly pendingOps: Operation[] = [];
  private hiddenVars = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  parseQuery(): QueryAst {
    const withCollections: string[] = [];
    if (this.isKeyword('WITH')) {
      this.pos++;
      do {
        withCollections.push(this.collectionName());
      } while (this.acceptOp(','));
    }
    const body = this.parseBody(true);
    if (this.peek().kind !== 'eof') throw this.unexpected();
    return { kind: 'query', withCollections, body, bindParams: [...this.binds], bindCollections: [...this.bindColls] };
  }

  // ---- token helpers ------------------------------------------------------
  private peek(k = 0): Token {
    const t = this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
    if (t === undefined) throw new ArangoError('ERROR_INTERNAL', 'token stream empty');
    return t;
  }
  private next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  private isKeyword(kw: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'keyword' && t.value === kw;
  }
  private isIdent(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' && !t.quoted && t.value.toUpperCase() === word;
  }
  private isOp(op: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'op' && t.value === op;
  }
  private acceptOp(op: string): boolean {
    if (this.isOp(op)) { this.pos++; return true; }
    return false;
  }
  private acceptKeyword(kw: string): boolean {
    if (this.isKeyword(kw)) { this.pos++; return true; }
    return false;
  }
  private expectOp(op: string): void {
    if (!this.acceptOp(op)) throw this.unexpected();
  }
  private expectKeyword(kw: string): void {
    if (!this.acceptKeyword(kw)) throw this.unexpected();
  }
  private unexpected(t: Token = this.peek()): ArangoError {
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
  private variableName(): string {
    const t = this.next();
    if (t.kind !== 'ident') throw this.unexpected(t);
    return t.value;
  }
  private collectionName(): string {
    const t = this.next();
    if (t.kind === 'ident' || t.kind === 'string') return t.value;
    throw this.unexpected(t);
  }
  private collectionRef(): CollectionRef {
    const t = this.peek();
    if (t.kind === 'bindCollection') {
      this.pos++;
      this.bindColls.add(t.value);
      return { kind: 'bindCollection', name: t.value };
    }
    return { kind: 'name', name: this.collectionName() };
  }

  // ---- operations ---------------------------------------------------------
  private parseBody(topLevel: boolean): QueryBody {
    const ops: Operation[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'keyword' || !OPERATION_STARTS.has(t.value)) {
        if (ops.length === 0) throw this.unexpected();
        break;
      }
      const op = this.parseOperation();
      ops.push(op, ...this.pendingOps.splice(0));
      if (op.kind === 'return') break;
    }
    const last = ops[ops.length - 1];
    const isMod = (o: Operation): boolean => o.kind === 'insert' || o.kind === 'update' || o.kind === 'replace' || o.kind === 'remove' || o.kind === 'upsert';
    if (last === undefined || (last.kind !== 'return' && !isMod(last))) {
      throw this.unexpected();
    }
    if (!topLevel && this.peek().kind !== 'op') throw this.unexpected();
    return { operations: ops };
  }

  private parseOperation(): Operation {
    const t = this.next();
    switch (t.value) {
      case 'FOR': return this.parseFor(t.offset);
      case 'LET': {
        if (this.isOp('[') || this.isOp('{')) {
          const pattern = this.pattern();
          this.expectOp('=');
          const tmp = this.hiddenVar();
          const expr = this.expression();
          this.pendingOps.push(...destructure(pattern, tmp, () => this.hiddenVar()));
          return { kind: 'let', name: tmp, expr };
        }
        const name = this.variableName();
        this.expectOp('=');
        return { kind: 'let', name, expr: this.expression() };
      }
      case 'FILTER': return { kind: 'filter', expr: this.expression() };
      case 'SORT': {
        const elements: SortElement[] = [];
        do {
          const expr = this.expression();
          let ascending = true;
          if (this.acceptKeyword('ASC')) ascending = true;
          else if (this.acceptKeyword('DESC')) ascending = false;
          elements.push({ expr, ascending });
        } while (this.acceptOp(','));
        return { kind: 'sort', elements };
      }
      case 'LIMIT': {
        const a = this.expression();
        if (this.acceptOp(',')) return { kind: 'limit', offset: a, count: this.expression() };
        return { kind: 'limit', offset: { kind: 'value', value: 0 }, count: a };
      }
      case 'RETURN': {
        const distinct = this.acceptKeyword('DISTINCT');
        return { kind: 'return', expr: this.expression(), distinct };
      }
      case 'COLLECT': return this.parseCollect();
      case 'WINDOW': {
        // WINDOW { preceding, following } AGGREGATE ... | WINDOW rangeValue WITH { ... } AGGREGATE ...
        let range: Expr | undefined;
        if (!this.isOp('{')) {
          range = this.expression();
          this.expectKeyword('WITH');
        }
        if (!this.isOp('{') && this.peek().kind !== 'bind') throw this.unexpected();
        const bounds = this.primary();
        this.expectKeyword('AGGREGATE');
        return { kind: 'window', range, bounds, aggregates: this.aggregateList() };
      }
      case 'INSERT': {
        const doc = this.modExpression();
        if (!this.acceptKeyword('INTO')) this.expectKeyword('IN');
        const collection = this.collectionRef();
        return { kind: 'insert', doc, collection, options: this.optionsClause() };
      }
      case 'UPDATE': case 'REPLACE': {
        const first = this.modExpression();
        let key: Expr | undefined;
        let doc = first;
        if (this.acceptKeyword('WITH')) { key = first; doc = this.modExpression(); }
        if (!this.acceptKeyword('IN')) this.expectKeyword('INTO');
        const collection = this.collectionRef();
        return { kind: t.value === 'UPDATE' ? 'update' : 'replace', key, doc, collection, options: this.optionsClause() };
      }
      case 'REMOVE': {
        const key = this.modExpression();
        if (!this.acceptKeyword('IN')) this.expectKeyword('INTO');
        const collection = this.collectionRef();
        return { kind: 'remove', key, collection, options: this.optionsClause() };
      }
      case 'UPSERT': {
        const search = this.expression();
        this.expectKeyword('INSERT');
        const insert = this.expression();
        let replace = false;
        if (this.acceptKeyword('REPLACE')) replace = true;
        else this.expectKeyword('UPDATE');
        const update = this.modExpression();
        if (!this.acceptKeyword('IN')) this.expectKeyword('INTO');
        const collection = this.collectionRef();
        return { kind: 'upsert', search, insert, update, replace, collection, options: this.optionsClause() };
      }
      default:
        throw this.unexpected(t);
    }
  }

  private optionsClause(): Expr | undefined {
    if (!this.isIdent('OPTIONS')) return undefined;
    this.pos++;
    if (!this.isOp('{') && this.peek().kind !== 'bind') throw this.unexpected();
    return this.primary();
  }

  /** A destructuring pattern: `[a, , [b, c]]` or `{a, b: {c}}`. */
  private pattern(): Pattern {
    if (this.acceptOp('[')) {
      const items: (Pattern | null)[] = [];
      while (!this.acceptOp(']')) {
        if (this.isOp(',')) items.push(null);
        else items.push(this.pattern());
        if (!this.isOp(']')) this.expectOp(',');
      }
      return { kind: 'array', items };
    }
    if (this.acceptOp('{')) {
      const entries: { key: string; pattern: Pattern }[] = [];
      while (!this.acceptOp('}')) {
        const key = this.variableName();
        entries.push({ key, pattern: this.acceptOp(':') ? this.pattern() : { kind: 'name', name: key } });
        if (!this.isOp('}')) this.expectOp(',');
      }
      return { kind: 'object', entries };
    }
    return { kind: 'name', name: this.variableName() };
  }

  private hiddenVar(): string {
    return `#d${this.hiddenVars++}`;
  }

  private parseFor(offset: number): Operation {
    if (this.isOp('[') || this.isOp('{')) {
      const pattern = this.pattern();
      this.expectKeyword('IN');
      const tmp = this.hiddenVar();
      const source = this.expression();
      const options = this.optionsClause();
      this.pendingOps.push(...destructure(pattern, tmp, () => this.hiddenVar()));
      return { kind: 'for', variable: tmp, source, options, offset };
    }
    const names = [this.variableName()];
    while (this.acceptOp(',')) names.push(this.variableName());
    this.expectKeyword('IN');
    const isDir = (): boolean => this.isKeyword('OUTBOUND') || this.isKeyword('INBOUND') || this.isKeyword('ANY');
    let depth: Expr | undefined;
    if (!isDir()) {
      const source = this.expression();
      if (!isDir()) {
        if (names.length > 1) throw this.unexpected();
        const first = names[0] ?? '';
        return { kind: 'for', variable: first, source, options: this.optionsClause(), offset };
      }
      depth = source;
    }
    const direction = this.next().value as Direction;
    if (this.isKeyword('SHORTEST_PATH')) {
      if (depth !== undefined || names.length > 2) throw this.unexpected();
      this.pos++;
      const start = this.expression();
      if (!this.isIdent('TO')) throw this.unexpected();
      this.pos++;
      const target = this.expression();
      const graph = this.graphRef();
      return { kind: 'shortestPath', vertex: names[0] ?? '', edge: names[1], direction, start, target, graph, options: this.optionsClause() };
    }
    if (this.isKeyword('K_SHORTEST_PATHS') || this.isKeyword('K_PATHS') || this.isKeyword('ALL_SHORTEST_PATHS')) {
      const mode = this.next().value as 'K_PATHS' | 'K_SHORTEST_PATHS' | 'ALL_SHORTEST_PATHS';
      // only K_PATHS takes a depth range; each yields a single path variable
      if (names.length > 1 || (depth !== undefined && mode !== 'K_PATHS')) throw this.unexpected();
      const start = this.expression();
      if (!this.isIdent('TO')) throw this.unexpected();
      this.pos++;
      const target = this.expression();
      const graph = this.graphRef();
      let min: Expr = { kind: 'value', value: 1 };
      let max: Expr = { kind: 'value', value: 1 };
      if (depth !== undefined) {
        if (depth.kind === 'binary' && depth.op === '..') { min = depth.left; max = depth.right; }
        else { min = depth; max = depth; }
      }
      return { kind: 'kPaths', mode, path: names[0] ?? '', direction, start, target, graph, min, max, options: this.optionsClause() };
    }
    if (names.length > 3) throw this.unexpected();
    const start = this.expression();
    const graph = this.graphRef();
    let min: Expr = { kind: 'value', value: 1 };
    let max: Expr = { kind: 'value', value: 1 };
    if (depth !== undefined) {
      if (depth.kind === 'binary' && depth.op === '..') { min = depth.left; max = depth.right; }
      else { min = depth; max = depth; }
    }
    let prune: { expr: Expr; variable: string | undefined } | undefined;
    if (this.isIdent('PRUNE')) {
      this.pos++;
      let variable: string | undefined;
      if (this.peek().kind === 'ident' && this.isOp('=', 1)) { variable = this.variableName(); this.pos++; }
      prune = { expr: this.expression(), variable };
    }
    return {
      kind: 'traversal', vertex: names[0] ?? '', edge: names[1], path: names[2], min, max, direction, start, graph, prune,
      options: this.optionsClause(),
    };
  }

  private graphRef(): GraphRef {
    if (this.acceptKeyword('GRAPH')) return { kind: 'named', name: this.primary() };
    const collections: EdgeCollectionRef[] = [];
    do {
      let direction: Direction | undefined;
      if (this.isKeyword('OUTBOUND') || this.isKeyword('INBOUND') || this.isKeyword('ANY')) direction = this.next().value as Direction;
      collections.push({ collection: this.collectionRef(), direction });
    } while (this.acceptOp(','));
    return { kind: 'collections', collections };
  }

  /** `name = FUNC(expr), ...` after AGGREGATE. */
  private aggregateList(): AggregateAssignment[] {
    const aggregates: AggregateAssignment[] = [];
    do {
      const name = this.variableName();
      this.expectOp('=');
      const e = this.expression();
      if (e.kind !== 'call') throw new ArangoError('ERROR_QUERY_PARSE', 'AQL: aggregate expression must be a function call');
      aggregates.push({ name, func: e.name, args: e.args });
    } while (this.acceptOp(','));
    return aggregates;
  }

  private parseCollect(): Operation {
    const groups: { name: string; expr: Expr }[] = [];
    const aggregates: AggregateAssignment[] = [];
    let into: { name: string; expr: Expr | undefined } | undefined;
    let keep: string[] | undefined;
    let count: string | undefined;
    if (this.peek().kind === 'ident' && this.isOp('=', 1)) {
      do {
        const name = this.variableName();
        this.expectOp('=');
        groups.push({ name, expr: this.expression() });
      } while (this.acceptOp(','));
    }
    if (this.acceptKeyword('AGGREGATE')) aggregates.push(...this.aggregateList());
    if (this.isKeyword('WITH') && this.isIdent('COUNT', 1)) {
      this.pos += 2;
      this.expectKeyword('INTO');
      count = this.variableName();
    } else if (this.acceptKeyword('INTO')) {
      const name = this.variableName();
      let expr: Expr | undefined;
      if (this.acceptOp('=')) expr = this.expression();
      else if (this.isIdent('KEEP')) {
        this.pos++;
        keep = [];
        do keep.push(this.variableName()); while (this.acceptOp(','));
      }
      into = { name, expr };
    }
    if (groups.length === 0 && aggregates.length === 0 && count === undefined && into === undefined) throw this.unexpected();
    return { kind: 'collect', groups, aggregates, into, keep, count, options: this.optionsClause() };
  }

  /** Parses an expression in which a top-level IN is not an operator. */
  private modExpression(): Expr {
    const saved = this.noIn;
    this.noIn = true;
    try {
      return this.expression();
    } finally {
      this.noIn = saved;
    }
  }

  /** Parses a nested expression (inside brackets), where IN is an operator again. */
  private nested<T>(f: () => T): T {
    const saved = this.noIn;
    this.noIn = false;
    try {
      return f();
    } finally {
      this.noIn = saved;
    }
  }

  // ---- expressions --------------------------------------------------------
  expression(): Expr {
    if (++this.depth > MAX_EXPRESSION_DEPTH) throw new ArangoError('ERROR_QUERY_TOO_MUCH_NESTING', 'too much nesting or too many objects');
    try {
      return this.expressionBody();
    } finally {
      this.depth--;
    }
  }

  private expressionBody(): Expr {
    const cond = this.logicalOr();
    if (this.acceptOp('?')) {
      if (this.acceptOp(':')) return { kind: 'ternary', condition: cond, then: undefined, otherwise: this.expression() };
      const then = this.expression();
      this.expectOp(':');
      return { kind: 'ternary', condition: cond, then, otherwise: this.expression() };
    }
    return cond;
  }

  private logicalOr(): Expr {
    let left = this.logicalAnd();
    while (this.isOp('||') || this.isKeyword('OR')) {
      this.pos++;
      left = { kind: 'binary', op: '||', left, right: this.logicalAnd() };
    }
    return left;
  }

  private logicalAnd(): Expr {
    let left = this.equality();
    while (this.isOp('&&') || this.isKeyword('AND')) {
      this.pos++;
      left = { kind: 'binary', op: '&&', left, right: this.equality() };
    }
    return left;
  }

  /** Looks for ALL / ANY / NONE / AT LEAST (n) followed by a comparison operator. */
  private quantifierAhead(ops: ReadonlySet<string>): number {
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

  private parseQuantifier(): Quantifier {
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

  private equality(): Expr {
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

  private membership(): Expr {
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

  private relational(): Expr {
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

  private range(): Expr {
    const left = this.additive();
    if (this.acceptOp('..')) return { kind: 'binary', op: '..', left, right: this.additive() };
    return left;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().value as BinaryOp;
      left = { kind: 'binary', op, left, right: this.multiplicative() };
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.next().value as BinaryOp;
      left = { kind: 'binary', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    if (++this.depth > MAX_EXPRESSION_DEPTH) throw new ArangoError('ERROR_QUERY_TOO_MUCH_NESTING', 'too much nesting or too many objects');
    try {
      return this.unaryBody();
    } finally {
      this.depth--;
    }
  }

  private unaryBody(): Expr {
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

  private postfix(base: Expr): Expr {
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

  private expansion(object: Expr): Expr {
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

  private questionMark(object: Expr): Expr {
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

  private primary(): Expr {
    return this.nested(() => this.primaryInner());
  }

  private primaryInner(): Expr {
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

  private call(name: string, offset: number): Expr {
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

  private arrayLiteral(): Expr {
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

  private objectLiteral(): Expr {
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

const COMPARE_OPS_EQ: ReadonlySet<string> = new Set(['==', '!=']);
const IN_OPS: ReadonlySet<string> = new Set(['IN']);
const REL_OPS: ReadonlySet<string> = new Set(['<', '<=', '>', '>=']);
void COMPARE_OPS;
