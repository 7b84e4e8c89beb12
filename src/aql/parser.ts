import type { AggregateAssignment, Direction, EdgeCollectionRef, Expr, GraphRef, Operation, QueryAst, QueryBody, SortElement } from './ast.ts';
import { ArangoError } from '../errors/index.ts';
import { destructure, type Pattern } from './destructuring.ts';
import { ExpressionParser } from './parser-expressions.ts';
import { OPERATION_STARTS } from './parser-tokens.ts';

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

/**
 * The operation layer: a query body, its operations (FOR and traversals, LET, COLLECT, WINDOW,
 * modifications) and the destructuring they desugar. Expressions: `parser-expressions.ts`;
 * tokens and lookahead: `parser-tokens.ts`.
 */
class Parser extends ExpressionParser {
  /** LETs a destructuring FOR/LET adds after itself. */
  private readonly pendingOps: Operation[] = [];
  private hiddenVars = 0;

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

  // ---- operations ---------------------------------------------------------
  protected parseBody(topLevel: boolean): QueryBody {
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

  protected parseOperation(): Operation {
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
        // UPSERT FILTER <condition over CURRENT> | UPSERT <search object>
        const filter = this.acceptKeyword('FILTER');
        const search = this.expression();
        this.expectKeyword('INSERT');
        const insert = this.expression();
        let replace = false;
        if (this.acceptKeyword('REPLACE')) replace = true;
        else this.expectKeyword('UPDATE');
        const update = this.modExpression();
        if (!this.acceptKeyword('IN')) this.expectKeyword('INTO');
        const collection = this.collectionRef();
        return { kind: 'upsert', search, ...(filter ? { filter } : {}), insert, update, replace, collection, options: this.optionsClause() };
      }
      default:
        throw this.unexpected(t);
    }
  }

  protected optionsClause(): Expr | undefined {
    if (!this.isIdent('OPTIONS')) return undefined;
    this.pos++;
    if (!this.isOp('{') && this.peek().kind !== 'bind') throw this.unexpected();
    return this.primary();
  }

  /** A destructuring pattern: `[a, , [b, c]]` or `{a, b: {c}}`. */
  protected pattern(): Pattern {
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

  protected hiddenVar(): string {
    return `#d${this.hiddenVars++}`;
  }

  protected parseFor(offset: number): Operation {
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

  protected graphRef(): GraphRef {
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
  protected aggregateList(): AggregateAssignment[] {
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

  protected parseCollect(): Operation {
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
}
