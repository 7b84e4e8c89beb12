import type { Expr, Operation, QueryAst, QueryBody } from './ast.ts';
import type { RExpr } from './plan-types.ts';

/** A node of ArangoDB's JSON AST format (as returned by `/_api/query` and inside explain output). */
export interface AstJson {
  readonly type: string;
  readonly name?: string;
  readonly value?: unknown;
  readonly id?: number;
  readonly subNodes?: readonly AstJson[];
}

const BINARY_NAMES: Record<string, string> = {
  '+': 'plus', '-': 'minus', '*': 'times', '/': 'division', '%': 'modulus',
  '==': 'compare ==', '!=': 'compare !=', '<': 'compare <', '<=': 'compare <=', '>': 'compare >', '>=': 'compare >=',
  'IN': 'compare in', 'NOT IN': 'compare not in', '&&': 'logical and', '||': 'logical or', '..': 'range',
};

function node(type: string, subNodes: readonly AstJson[] | undefined, extra: Partial<AstJson> = {}): AstJson {
  return subNodes === undefined ? { type, ...extra } : { type, ...extra, subNodes };
}

function fcall(name: string, args: readonly AstJson[]): AstJson {
  return node('function call', [node('array', args)], { name });
}

/** Converts a parsed expression to ArangoDB's AST JSON. */
export function exprToJson(e: Expr): AstJson {
  switch (e.kind) {
    case 'value': return { type: 'value', value: e.value };
    case 'array': return node('array', e.elements.map(exprToJson));
    case 'object': return node('object', e.entries.map((en) => typeof en.key === 'string'
      ? node('object element', [exprToJson(en.value)], { name: en.key })
      : node('calculated object element', [exprToJson(en.key), exprToJson(en.value)])));
    case 'ref': return e.name.startsWith('@@') ? { type: 'datasource parameter', name: e.name.slice(1) } : { type: 'reference', name: e.name };
    case 'bind': return { type: 'parameter', name: e.name };
    case 'attr': return node('attribute access', [exprToJson(e.object)], { name: e.name });
    case 'index': return node('indexed access', [exprToJson(e.object), exprToJson(e.index)]);
    case 'expand': return node('expansion', [exprToJson(e.object), ...[e.filter, e.project].filter((x): x is Expr => x !== undefined).map(exprToJson)], { value: e.depth });
    case 'question': return node('array filter', [exprToJson(e.object), ...(e.filter === undefined ? [] : [exprToJson(e.filter)])]);
    case 'unary': return node(e.op === '!' ? 'unary not' : e.op === '-' ? 'unary minus' : 'unary plus', [exprToJson(e.operand)]);
    case 'binary':
      if (e.op === 'LIKE' || e.op === 'NOT LIKE') {
        const call = fcall('LIKE', [exprToJson(e.left), exprToJson(e.right)]);
        return e.op === 'LIKE' ? call : node('unary not', [call]);
      }
      if (e.op === '=~' || e.op === '!~') {
        const call = fcall('REGEX_TEST', [exprToJson(e.left), exprToJson(e.right)]);
        return e.op === '=~' ? call : node('unary not', [call]);
      }
      return node(BINARY_NAMES[e.op] ?? e.op, [exprToJson(e.left), exprToJson(e.right)]);
    case 'arrayCompare': return node(`array ${BINARY_NAMES[e.op] ?? e.op}`, [exprToJson(e.left), exprToJson(e.right), { type: 'quantifier', value: e.quantifier.kind }]);
    case 'ternary': return node('ternary', [exprToJson(e.condition), ...(e.then === undefined ? [] : [exprToJson(e.then)]), exprToJson(e.otherwise)]);
    case 'call': return fcall(e.name, e.args.map(exprToJson));
    case 'subquery': return node('subquery', [bodyToJson(e.query)]);
  }
}

function collectionJson(ref: { kind: string; name: string }): AstJson {
  return ref.kind === 'bindCollection' ? { type: 'datasource parameter', name: '@' + ref.name } : { type: 'collection', name: ref.name };
}

function opToJson(op: Operation): AstJson {
  const opts = (o: Expr | undefined): AstJson[] => (o === undefined ? [] : [node('options', [exprToJson(o)])]);
  switch (op.kind) {
    case 'for': return node('for', [{ type: 'variable', name: op.variable }, exprToJson(op.source), ...opts(op.options)]);
    case 'traversal': return node('traversal', [
      { type: 'direction', value: op.direction }, exprToJson(op.start),
      ...(op.graph.kind === 'named' ? [exprToJson(op.graph.name)] : [node('collection list', op.graph.collections.map((c) => collectionJson(c.collection)))]),
      { type: 'variable', name: op.vertex },
      ...(op.edge === undefined ? [] : [{ type: 'variable', name: op.edge }]),
      ...(op.path === undefined ? [] : [{ type: 'variable', name: op.path }]),
    ]);
    case 'kPaths': return node(op.mode.toLowerCase().replace(/_/g, ' '), [{ type: 'direction', value: op.direction }, exprToJson(op.start), exprToJson(op.target), { type: 'variable', name: op.path }]);
    case 'shortestPath': return node('shortest path', [{ type: 'direction', value: op.direction }, exprToJson(op.start), exprToJson(op.target), { type: 'variable', name: op.vertex }]);
    case 'let': return node('let', [{ type: 'variable', name: op.name }, exprToJson(op.expr)]);
    case 'filter': return node('filter', [exprToJson(op.expr)]);
    case 'window': return node('window', [
      exprToJson(op.bounds), ...(op.range === undefined ? [] : [exprToJson(op.range)]),
      node('aggregations', op.aggregates.map((a) => node('aggregate', [{ type: 'variable', name: a.name }, fcall(a.func, a.args.map(exprToJson))]))),
    ]);
    case 'sort': return node('sort', [node('array', op.elements.map((el) => node('sort element', [exprToJson(el.expr), { type: 'value', value: el.ascending }])))]);
    case 'limit': return node('limit', [exprToJson(op.offset), exprToJson(op.count)]);
    case 'return': return node(op.distinct ? 'return distinct' : 'return', [exprToJson(op.expr)]);
    case 'collect': return node('collect', [
      ...op.groups.map((g) => node('assign', [{ type: 'variable', name: g.name }, exprToJson(g.expr)])),
      ...op.aggregates.map((a) => node('aggregate', [{ type: 'variable', name: a.name }, fcall(a.func, a.args.map(exprToJson))])),
      ...(op.into === undefined ? [] : [node('into', [{ type: 'variable', name: op.into.name }, ...(op.into.expr === undefined ? [] : [exprToJson(op.into.expr)])])]),
      ...(op.count === undefined ? [] : [node('count', [{ type: 'variable', name: op.count }])]),
    ]);
    case 'insert': return node('insert', [exprToJson(op.doc), collectionJson(op.collection), ...opts(op.options)]);
    case 'update': case 'replace':
      return node(op.kind, [...(op.key === undefined ? [] : [exprToJson(op.key)]), exprToJson(op.doc), collectionJson(op.collection), ...opts(op.options)]);
    case 'remove': return node('remove', [exprToJson(op.key), collectionJson(op.collection), ...opts(op.options)]);
    case 'upsert': return node('upsert', [exprToJson(op.search), exprToJson(op.insert), exprToJson(op.update), collectionJson(op.collection), ...opts(op.options)]);
  }
}

function bodyToJson(body: QueryBody): AstJson {
  return node('root', body.operations.map(opToJson));
}

/** The `/_api/query` parse result for a query. */
export function parseResult(ast: QueryAst): { parsed: true; collections: string[]; bindVars: string[]; ast: AstJson[] } {
  const collections = new Set<string>(ast.withCollections);
  const visitOps = (body: QueryBody): void => {
    for (const op of body.operations) {
      if (op.kind === 'for' && op.source.kind === 'ref' && !op.source.name.startsWith('@@')) collections.add(op.source.name);
      if ((op.kind === 'insert' || op.kind === 'update' || op.kind === 'replace' || op.kind === 'remove' || op.kind === 'upsert') && op.collection.kind === 'name') collections.add(op.collection.name);
      if ((op.kind === 'traversal' || op.kind === 'shortestPath' || op.kind === 'kPaths') && op.graph.kind === 'collections') {
        for (const c of op.graph.collections) if (c.collection.kind === 'name') collections.add(c.collection.name);
      }
    }
  };
  visitOps(ast.body);
  return {
    parsed: true,
    collections: [...collections],
    bindVars: [...ast.bindParams, ...ast.bindCollections.map((n) => '@' + n)],
    ast: [bodyToJson(ast.body)],
  };
}

/** Converts a resolved (planned) expression to ArangoDB's AST JSON, for explain output. */
export function rexprToJson(e: RExpr): AstJson {
  switch (e.k) {
    case 'const': return { type: 'value', value: e.v };
    case 'var': return { type: 'reference', name: e.v.name, id: e.v.id };
    case 'array': return node('array', e.items.map(rexprToJson));
    case 'object': return node('object', e.entries.map((en) => typeof en.key === 'string'
      ? node('object element', [rexprToJson(en.value)], { name: en.key })
      : node('calculated object element', [rexprToJson(en.key), rexprToJson(en.value)])));
    case 'attr': return node('attribute access', [rexprToJson(e.obj)], { name: e.name });
    case 'index': return node('indexed access', [rexprToJson(e.obj), rexprToJson(e.idx)]);
    case 'expand': return node('expansion', [rexprToJson(e.obj), ...[e.filter, e.project].filter((x): x is RExpr => x !== undefined).map(rexprToJson)], { value: e.depth });
    case 'question': return node('array filter', [rexprToJson(e.obj), ...(e.filter === undefined ? [] : [rexprToJson(e.filter)])]);
    case 'unary': return node(e.op === '!' ? 'unary not' : e.op === '-' ? 'unary minus' : 'unary plus', [rexprToJson(e.x)]);
    case 'binary':
      if (e.op === 'LIKE' || e.op === 'NOT LIKE' || e.op === '=~' || e.op === '!~') {
        const call = fcall(e.op.includes('LIKE') ? 'LIKE' : 'REGEX_TEST', [rexprToJson(e.l), rexprToJson(e.r)]);
        return e.op === 'LIKE' || e.op === '=~' ? call : node('unary not', [call]);
      }
      return node(BINARY_NAMES[e.op] ?? e.op, [rexprToJson(e.l), rexprToJson(e.r)]);
    case 'arrayCmp': return node(`array ${BINARY_NAMES[e.op] ?? e.op}`, [rexprToJson(e.l), rexprToJson(e.r), { type: 'quantifier', value: e.quant.kind }]);
    case 'ternary': return node('ternary', [rexprToJson(e.c), ...(e.t === undefined ? [] : [rexprToJson(e.t)]), rexprToJson(e.e)]);
    case 'call': return fcall(e.name, e.args.map(rexprToJson));
  }
}
