import { ArangoError } from '../errors/index.ts';
import type { CollectionRef, Expr, GraphRef, Operation, QueryAst, QueryBody, Quantifier } from './ast.ts';
import type { DataSource } from './data-source.ts';
import { FUNCTIONS } from './functions/index.ts';
import type { AqlFunction } from './functions/function-types.ts';
import { ExecContext } from './exec-context.ts';
import { compileExpr } from './compile-expr.ts';
import type {
  Aggregate, EdgeSpec, ModifyOptions, Plan, PlanNode, RExpr, RQuantifier, TraversalOptions, Variable,
} from './plan-types.ts';
import { isObject, toBool, toNumber } from './values.ts';

/**
 * Functions that take a collection as their first argument (ArangoDB's documented forms): the
 * collection is passed by name to the function named here.
 */
const COLLECTION_ARGUMENTS: Readonly<Record<string, string>> = {
  LENGTH: 'COLLECTION_COUNT', COUNT: 'COLLECTION_COUNT', COLLECTION_COUNT: 'COLLECTION_COUNT', DOCUMENT: 'DOCUMENT',
  IS_SAME_COLLECTION: 'IS_SAME_COLLECTION', NEAR: 'NEAR', WITHIN: 'WITHIN', WITHIN_RECTANGLE: 'WITHIN_RECTANGLE',
  FULLTEXT: 'FULLTEXT', SCHEMA_GET: 'SCHEMA_GET', SHARD_ID: 'SHARD_ID',
};
import { windowBounds } from './window-stage.ts';
import { optimize } from './optimizer.ts';
import { hasSubquery } from './plan-utils.ts';

/** An `indexHint` option: one index name or a list in order of preference. */
function hintList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Names accepted in COLLECT ... AGGREGATE. */
export const AGGREGATE_FUNCTIONS: ReadonlySet<string> = new Set([
  'LENGTH', 'COUNT', 'MIN', 'MAX', 'SUM', 'AVERAGE', 'AVG', 'STDDEV_POPULATION', 'STDDEV_SAMPLE', 'STDDEV', 'VARIANCE_POPULATION',
  'VARIANCE_SAMPLE', 'VARIANCE', 'UNIQUE', 'SORTED_UNIQUE', 'COUNT_DISTINCT', 'COUNT_UNIQUE', 'PUSH', 'BIT_AND', 'BIT_OR', 'BIT_XOR',
]);

/** Inputs of planning. */
export interface PlanInput {
  readonly ast: QueryAst;
  readonly bindVars: Readonly<Record<string, unknown>>;
  readonly dataSource: DataSource;
  readonly fullCount: boolean;
}

/** Turns a parsed query into an optimized execution plan. */
export function buildPlan(input: PlanInput): Plan {
  const p = new Planner(input);
  const root = p.pipeline(input.ast.body, true);
  const rules = optimize(root, {
    fullCount: input.fullCount,
    writeCollections: p.writeCollections(),
    indexesOf: (c) => input.dataSource.collection(c)?.indexes ?? [],
  });
  return {
    root,
    variables: p.vars,
    collections: [...p.collections].map(([name, type]) => ({ name, type })),
    rules,
    isModification: p.writeCollections().size > 0,
    frameSize: p.vars.length,
    warnings: p.foldCtx.warnings,
  };
}

class Planner {
  readonly vars: Variable[] = [];
  readonly collections = new Map<string, 'read' | 'write'>();
  readonly foldCtx: ExecContext;
  private scopes: Map<string, Variable>[] = [];
  private readonly currents: Variable[] = [];
  /** Conditions under which subqueries hoisted right now may run (short-circuiting). */
  private guards: RExpr[] = [];
  private readonly modified = new Set<string>();

  constructor(private readonly input: PlanInput) {
    this.foldCtx = new ExecContext(input.dataSource, {
      maxRuntime: 0, memoryLimit: 0, maxWarningCount: 10, failOnWarning: false, user: null, database: '_system', signal: undefined,
    });
  }

  writeCollections(): Set<string> {
    const s = new Set<string>();
    for (const [n, t] of this.collections) if (t === 'write') s.add(n);
    return s;
  }

  // ---- variables ----------------------------------------------------------
  private newVar(name: string, isUser: boolean): Variable {
    const v: Variable = { id: this.vars.length, name, isUser };
    this.vars.push(v);
    return v;
  }

  private lookup(name: string): Variable | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i]?.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  private declare(name: string): Variable {
    if (this.lookup(name) !== undefined) {
      throw new ArangoError('ERROR_QUERY_VARIABLE_REDECLARED', `variable '${name}' is assigned multiple times`);
    }
    const v = this.newVar(name, true);
    this.top().set(name, v);
    return v;
  }

  private top(): Map<string, Variable> {
    const t = this.scopes[this.scopes.length - 1];
    if (t === undefined) throw new ArangoError('ERROR_INTERNAL', 'no scope');
    return t;
  }

  // ---- collections --------------------------------------------------------
  private collectionName(ref: CollectionRef): string {
    let name: string;
    if (ref.kind === 'name') name = ref.name;
    else {
      const v = this.input.bindVars['@' + ref.name];
      if (typeof v === 'string') name = v;
      else if (isObject(v) && typeof v['name'] === 'string') name = v['name'];
      else throw new ArangoError('ERROR_QUERY_BIND_PARAMETER_TYPE', `bind parameter '@${ref.name}' has an invalid value or type`);
    }
    if (this.input.dataSource.collection(name) === undefined) {
      throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND', `collection or view not found: ${name}`);
    }
    return name;
  }

  private useCollection(name: string, type: 'read' | 'write'): void {
    if (type === 'read' && this.modified.has(name)) {
      throw new ArangoError('ERROR_QUERY_ACCESS_AFTER_MODIFICATION', `access after data-modification by traversal or FOR loop over collection '${name}'`);
    }
    if (type === 'write') this.modified.add(name);
    if (this.collections.get(name) !== 'write') this.collections.set(name, type);
  }

  // ---- pipelines ----------------------------------------------------------
  pipeline(body: QueryBody, isRoot: boolean): PlanNode[] {
    this.scopes.push(new Map());
    const nodes: PlanNode[] = [{ type: 'SingletonNode' }];
    for (const op of body.operations) this.operation(op, nodes);
    this.scopes.pop();
    void isRoot;
    return nodes;
  }

  private operation(op: Operation, nodes: PlanNode[]): void {
    switch (op.kind) {
      case 'for': {
        const src = op.source;
        if (src.kind === 'ref' && (src.name.startsWith('@@') || (src.name !== 'CURRENT' && this.lookup(src.name) === undefined))) {
          const name = this.collectionName(src.name.startsWith('@@') ? { kind: 'bindCollection', name: src.name.slice(2) } : { kind: 'name', name: src.name });
          this.useCollection(name, 'read');
          const o = this.constObject(op.options, nodes);
          const hints = { indexHint: hintList(o['indexHint']), forceIndexHint: o['forceIndexHint'] === true, disableIndex: o['disableIndex'] === true };
          nodes.push({ type: 'EnumerateCollectionNode', collection: name, out: this.declare(op.variable), materialize: false, hints });
          return;
        }
        const expr = this.resolve(src, nodes);
        nodes.push({ type: 'EnumerateListNode', expr, out: this.declare(op.variable) });
        return;
      }
      case 'let': {
        if (op.expr.kind === 'subquery') {
          const sub = this.subquery(op.expr.query);
          nodes.push({ type: 'SubqueryNode', plan: sub.plan, out: this.declare(op.name), isModification: sub.isModification });
          return;
        }
        const expr = this.resolve(op.expr, nodes);
        nodes.push({ type: 'CalculationNode', expr, out: this.declare(op.name) });
        return;
      }
      case 'filter':
        nodes.push({ type: 'FilterNode', expr: this.resolve(op.expr, nodes) });
        return;
      case 'sort':
        nodes.push({ type: 'SortNode', keys: op.elements.map((el) => ({ expr: this.resolve(el.expr, nodes), ascending: el.ascending })), limit: undefined });
        return;
      case 'limit': {
        const offset = this.constNumber(op.offset, nodes);
        // LIMIT offset, null: skip `offset`, return the rest
        const countExpr = this.resolve(op.count, nodes);
        const count = countExpr.k === 'const' && countExpr.v === null ? Infinity : this.constNumber(op.count, nodes);
        nodes.push({ type: 'LimitNode', offset, count, fullCount: false });
        return;
      }
      case 'return':
        nodes.push({ type: 'ReturnNode', expr: this.resolve(op.expr, nodes), distinct: op.distinct });
        return;
      case 'collect': return this.collect(op, nodes);
      case 'window': return this.window(op, nodes);
      case 'traversal': return this.traversal(op, nodes);
      case 'shortestPath': return this.shortestPath(op, nodes);
      case 'kPaths': {
        const start = this.resolve(op.start, nodes);
        const target = this.resolve(op.target, nodes);
        const options = this.traversalOptions(this.constObject(op.options, nodes));
        const edges = this.restrictEdges(this.edgeSpecs(op.graph, op.direction, nodes), options);
        const min = this.constNumber(op.min, nodes);
        const max = this.constNumber(op.max, nodes);
        nodes.push({ type: 'KPathsNode', mode: op.mode, path: this.declare(op.path), start, target, edges, options, min, max });
        return;
      }
      case 'insert': case 'update': case 'replace': case 'remove': return this.modification(op, nodes);
      case 'upsert': return this.upsert(op, nodes);
    }
  }

  private subquery(body: QueryBody): { plan: PlanNode[]; isModification: boolean } {
    const before = this.writeCollections().size;
    // the nodes inside a subquery run only when the subquery does: its own guard covers them
    const saved = this.guards;
    this.guards = [];
    let plan: PlanNode[];
    try {
      plan = this.pipeline(body, false);
    } finally {
      this.guards = saved;
    }
    return { plan, isModification: this.writeCollections().size > before || plan.some((n) => n.type.endsWith('Node') && ['InsertNode', 'UpdateNode', 'ReplaceNode', 'RemoveNode', 'UpsertNode'].includes(n.type)) };
  }

  private constNumber(e: Expr, nodes: PlanNode[]): number {
    const r = this.resolve(e, nodes);
    if (r.k !== 'const' || typeof r.v !== 'number' || r.v < 0 || !Number.isFinite(r.v)) {
      throw new ArangoError('ERROR_QUERY_NUMBER_OUT_OF_RANGE', 'LIMIT value is not a number or out of range');
    }
    return Math.trunc(r.v);
  }

  private constObject(e: Expr | undefined, nodes: PlanNode[]): Record<string, unknown> {
    if (e === undefined) return {};
    const r = this.resolve(e, nodes);
    if (r.k !== 'const' || !isObject(r.v)) {
      throw new ArangoError('ERROR_QUERY_COMPILE_TIME_OPTIONS', 'query options must be readable at query compile time');
    }
    return r.v;
  }

  /** WINDOW keeps every variable visible and adds one per aggregate. */
  private window(op: Extract<Operation, { kind: 'window' }>, nodes: PlanNode[]): void {
    const bounds = windowBounds(this.constObject(op.bounds, nodes), op.range !== undefined);
    const range = op.range === undefined ? undefined : this.resolve(op.range, nodes);
    const aggExprs = op.aggregates.map((a) => {
      const arg = a.args[0];
      if (!AGGREGATE_FUNCTIONS.has(a.func) || a.args.length !== 1 || arg === undefined) {
        throw new ArangoError('ERROR_QUERY_INVALID_AGGREGATE_EXPRESSION', `invalid aggregate expression: ${a.func}`);
      }
      return { name: a.name, func: a.func, expr: this.resolve(arg, nodes) };
    });
    const aggregates: Aggregate[] = aggExprs.map((a) => ({ out: this.declare(a.name), func: a.func, expr: a.expr }));
    nodes.push({ type: 'WindowNode', range, preceding: bounds.preceding, following: bounds.following, aggregates });
  }

  private collect(op: Extract<Operation, { kind: 'collect' }>, nodes: PlanNode[]): void {
    const groupExprs = op.groups.map((g) => ({ name: g.name, expr: this.resolve(g.expr, nodes) }));
    const aggExprs = op.aggregates.map((a) => {
      // COUNT() / LENGTH() without an argument count the group's rows
      const countsRows = (a.func === 'COUNT' || a.func === 'LENGTH') && a.args.length === 0;
      if (!AGGREGATE_FUNCTIONS.has(a.func) || (a.args.length !== 1 && !countsRows)) {
        throw new ArangoError('ERROR_QUERY_INVALID_AGGREGATE_EXPRESSION', `invalid aggregate expression: ${a.func}`);
      }
      const arg = a.args[0];
      return { name: a.name, func: a.func, expr: arg === undefined ? undefined : this.resolve(arg, nodes) };
    });
    const intoExpr = op.into?.expr === undefined ? undefined : this.resolve(op.into.expr, nodes);
    let keep: Variable[] = [];
    if (op.into !== undefined && op.into.expr === undefined) {
      if (op.keep !== undefined) {
        keep = op.keep.map((n) => {
          const v = this.lookup(n);
          if (v === undefined) throw new ArangoError('ERROR_QUERY_VARIABLE_NAME_UNKNOWN', `unknown variable '${n}'`);
          return v;
        });
      } else keep = [...this.top().values()].filter((v) => v.isUser);
    }
    // COLLECT hides the variables of the current pipeline
    this.scopes[this.scopes.length - 1] = new Map();
    const groups = groupExprs.map((g) => ({ out: this.declare(g.name), expr: g.expr }));
    const aggregates: Aggregate[] = aggExprs.map((a) => ({ out: this.declare(a.name), func: a.func, expr: a.expr }));
    const into = op.into === undefined ? undefined : { out: this.declare(op.into.name), expr: intoExpr, keep };
    const count = op.count === undefined ? undefined : this.declare(op.count);
    // an unknown method is ignored, as in ArangoDB
    const m = this.constObject(op.options, nodes)['method'];
    const method = m === 'sorted' || m === 'hash' ? m : undefined;
    nodes.push({ type: 'CollectNode', groups, aggregates, into, count, method });
  }

  private edgeSpecs(graph: GraphRef, direction: 'OUTBOUND' | 'INBOUND' | 'ANY', nodes: PlanNode[]): EdgeSpec[] {
    if (graph.kind === 'collections') {
      return graph.collections.map((c) => {
        const name = this.collectionName(c.collection);
        this.useCollection(name, 'read');
        if (this.input.dataSource.collection(name)?.type !== 3) throw new ArangoError('ERROR_ARANGO_COLLECTION_TYPE_INVALID', `collection type invalid for traversal: ${name}`);
        return { collection: name, direction: c.direction ?? direction };
      });
    }
    const g = this.resolve(graph.name, nodes);
    const name = g.k === 'const' && typeof g.v === 'string' ? g.v : undefined;
    const def = name === undefined ? undefined : this.input.dataSource.graph(name);
    if (def === undefined) throw new ArangoError('ERROR_GRAPH_NOT_FOUND', `graph '${String(name)}' not found`);
    const seen = new Set<string>();
    const out: EdgeSpec[] = [];
    for (const ed of def.edgeDefinitions) {
      if (seen.has(ed.collection)) continue;
      seen.add(ed.collection);
      this.useCollection(ed.collection, 'read');
      out.push({ collection: ed.collection, direction });
    }
    return out;
  }

  private traversalOptions(o: Record<string, unknown>): TraversalOptions {
    const order = o['order'] === 'dfs' || o['order'] === 'bfs' ? o['order'] : o['bfs'] === true ? 'bfs' : 'dfs';
    const uv = o['uniqueVertices'];
    const ue = o['uniqueEdges'];
    return {
      order,
      uniqueVertices: uv === 'path' || uv === 'global' ? uv : 'none',
      uniqueEdges: ue === 'none' ? 'none' : 'path',
      weightAttribute: typeof o['weightAttribute'] === 'string' ? o['weightAttribute'] : undefined,
      defaultWeight: typeof o['defaultWeight'] === 'number' ? o['defaultWeight'] : 1,
      // `parallelism`, `maxProjections`, `produceVertices`, `useCache` are accepted and need nothing here
      vertexCollections: this.collectionSet(o['vertexCollections']),
      edgeCollections: this.collectionSet(o['edgeCollections']),
    };
  }

  /** A `vertexCollections` / `edgeCollections` option (a name or an array of names); unknown collections are 1203. */
  private collectionSet(v: unknown): ReadonlySet<string> | undefined {
    if (v === undefined || v === null) return undefined;
    const names = Array.isArray(v) ? v : [v];
    const out = new Set<string>();
    for (const n of names) {
      if (typeof n !== 'string') throw new ArangoError('ERROR_BAD_PARAMETER', 'vertexCollections and edgeCollections must be collection names');
      if (this.input.dataSource.collection(n) === undefined) throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND', `collection or view not found: ${n}`);
      out.add(n);
    }
    return out;
  }

  /** The edge specs left by an `edgeCollections` option. */
  private restrictEdges(edges: EdgeSpec[], options: TraversalOptions): EdgeSpec[] {
    const only = options.edgeCollections;
    return only === undefined ? edges : edges.filter((e) => only.has(e.collection));
  }

  private traversal(op: Extract<Operation, { kind: 'traversal' }>, nodes: PlanNode[]): void {
    const start = this.resolve(op.start, nodes);
    const min = this.constNumber(op.min, nodes);
    const max = this.constNumber(op.max, nodes);
    const options = this.traversalOptions(this.constObject(op.options, nodes));
    const edges = this.restrictEdges(this.edgeSpecs(op.graph, op.direction, nodes), options);
    const vertex = this.declare(op.vertex);
    const edge = op.edge === undefined ? this.newVar('_e', false) : this.declare(op.edge);
    const path = op.path === undefined ? this.newVar('_p', false) : this.declare(op.path);
    let prune: RExpr | undefined;
    let pruneVar: Variable | undefined;
    if (op.prune !== undefined) {
      const scratch: PlanNode[] = [];
      prune = this.resolve(op.prune.expr, scratch);
      if (scratch.length > 0) throw new ArangoError('ERROR_QUERY_PARSE', 'subqueries are not allowed in PRUNE');
      if (op.prune.variable !== undefined) pruneVar = this.declare(op.prune.variable);
    }
    nodes.push({ type: 'TraversalNode', vertex, edge, path, min, max, start, edges, prune, pruneVar, options });
  }

  private shortestPath(op: Extract<Operation, { kind: 'shortestPath' }>, nodes: PlanNode[]): void {
    const start = this.resolve(op.start, nodes);
    const target = this.resolve(op.target, nodes);
    const options = this.traversalOptions(this.constObject(op.options, nodes));
    const edges = this.restrictEdges(this.edgeSpecs(op.graph, op.direction, nodes), options);
    const vertex = this.declare(op.vertex);
    const edge = op.edge === undefined ? undefined : this.declare(op.edge);
    nodes.push({ type: 'ShortestPathNode', vertex, edge, start, target, edges, options });
  }

  private modifyOptions(e: Expr | undefined, nodes: PlanNode[]): ModifyOptions {
    const o = this.constObject(e, nodes);
    const mode = o['overwriteMode'];
    return {
      ignoreErrors: o['ignoreErrors'] === true,
      keepNull: o['keepNull'] !== false,
      mergeObjects: o['mergeObjects'] !== false,
      ignoreRevs: o['ignoreRevs'] !== false,
      waitForSync: o['waitForSync'] === true,
      overwriteMode: mode === 'ignore' || mode === 'replace' || mode === 'update' || mode === 'conflict'
        ? mode : o['overwrite'] === true ? 'replace' : undefined,
      // exclusive, refillIndexCaches, readOwnWrites, ignoreErrors' siblings: accepted; one writer at a time anyway
      indexHint: hintList(o['indexHint']),
      forceIndexHint: o['forceIndexHint'] === true,
    };
  }

  private modification(op: Extract<Operation, { kind: 'insert' | 'update' | 'replace' | 'remove' }>, nodes: PlanNode[]): void {
    const collection = this.collectionName(op.collection);
    let key: RExpr | undefined;
    let doc: RExpr | undefined;
    if (op.kind === 'insert') doc = this.resolve(op.doc, nodes);
    else if (op.kind === 'remove') key = this.resolve(op.key, nodes);
    else {
      key = op.key === undefined ? undefined : this.resolve(op.key, nodes);
      doc = this.resolve(op.doc, nodes);
    }
    const options = this.modifyOptions(op.options, nodes);
    this.useCollection(collection, 'write');
    const type = op.kind === 'insert' ? 'InsertNode' : op.kind === 'update' ? 'UpdateNode' : op.kind === 'replace' ? 'ReplaceNode' : 'RemoveNode';
    const outNew = op.kind === 'remove' ? undefined : this.declareSpecial('NEW');
    const outOld = this.declareSpecial('OLD');
    nodes.push({ type, collection, key, doc, options, outNew, outOld });
  }

  private declareSpecial(name: string): Variable {
    const v = this.newVar(name, false);
    this.top().set(name, v);
    return v;
  }

  private upsert(op: Extract<Operation, { kind: 'upsert' }>, nodes: PlanNode[]): void {
    const collection = this.collectionName(op.collection);
    let current: Variable | undefined;
    let search: RExpr;
    if (op.filter === true) {
      current = this.newVar('CURRENT', false);
      this.currents.push(current);
      const scratch: PlanNode[] = [];
      try {
        search = this.resolve(op.search, scratch);
      } finally {
        this.currents.pop();
      }
      if (scratch.length > 0) throw new ArangoError('ERROR_QUERY_PARSE', 'subqueries are not allowed in UPSERT FILTER');
    } else search = this.resolve(op.search, nodes);
    const insert = this.resolve(op.insert, nodes);
    const oldTmp = this.newVar('OLD', false);
    this.scopes.push(new Map([['OLD', oldTmp]]));
    const update = this.resolve(op.update, nodes);
    this.scopes.pop();
    const options = this.modifyOptions(op.options, nodes);
    this.useCollection(collection, 'write');
    const outNew = this.declareSpecial('NEW');
    const outOld = this.declareSpecial('OLD');
    nodes.push({ type: 'UpsertNode', collection, search, current, insert, update, replace: op.replace, options, oldTmp, outNew, outOld });
  }

  // ---- expressions --------------------------------------------------------
  private quantifier(q: Quantifier, nodes: PlanNode[]): RQuantifier {
    switch (q.kind) {
      case 'any': case 'all': case 'none': return { kind: q.kind };
      case 'atLeast': case 'exact': return { kind: q.kind, count: this.resolve(q.count, nodes) };
      case 'between': return { kind: 'between', min: this.resolve(q.min, nodes), max: this.resolve(q.max, nodes) };
    }
  }

  /**
   * `c ? t : e` whose branches hold subqueries (3.12.1+ short-circuiting): the condition is computed
   * once, and the hoisted subqueries of each branch run only when that branch is taken.
   */
  private lazyTernary(condition: Expr, then: Expr | undefined, otherwise: Expr, nodes: PlanNode[]): RExpr {
    const c = this.resolve(condition, nodes);
    if (c.k === 'const') {
      if (toBool(c.v)) return then === undefined ? c : this.resolve(then, nodes);
      return this.resolve(otherwise, nodes);
    }
    const cv = this.conditionVar(c, nodes);
    const t = then === undefined ? undefined : this.guarded(cv, () => this.resolve(then, nodes));
    const o = this.guarded({ k: 'unary', op: '!', x: cv }, () => this.resolve(otherwise, nodes));
    return { k: 'ternary', c: cv, t, e: o };
  }

  /** `a && (subquery…)` / `a || (subquery…)`: the right side's subqueries run only when the outcome is open. */
  private lazyLogical(op: '&&' | '||', left: Expr, right: Expr, nodes: PlanNode[]): RExpr {
    const l = this.resolve(left, nodes);
    if (l.k === 'const') return toBool(l.v) === (op === '&&') ? this.resolve(right, nodes) : l;
    const cv = this.conditionVar(l, nodes);
    const r = this.guarded(op === '&&' ? cv : { k: 'unary', op: '!', x: cv }, () => this.resolve(right, nodes));
    return { k: 'binary', op, l: cv, r };
  }

  private conditionVar(e: RExpr, nodes: PlanNode[]): RExpr {
    const tmp = this.newVar(`_cond${this.vars.length}`, false);
    nodes.push({ type: 'CalculationNode', expr: e, out: tmp });
    return { k: 'var', v: tmp };
  }

  private guarded<T>(guard: RExpr, f: () => T): T {
    this.guards.push(guard);
    try {
      return f();
    } finally {
      this.guards.pop();
    }
  }

  /** Resolves names, substitutes bind values, hoists subqueries into `nodes`, folds constants. */
  resolve(e: Expr, nodes: PlanNode[]): RExpr {
    switch (e.kind) {
      case 'value': return { k: 'const', v: e.value };
      case 'bind': {
        if (!Object.prototype.hasOwnProperty.call(this.input.bindVars, e.name)) {
          throw new ArangoError('ERROR_QUERY_BIND_PARAMETER_MISSING', `no value specified for declared bind parameter '${e.name}'`);
        }
        return { k: 'const', v: this.input.bindVars[e.name] ?? null };
      }
      case 'ref': {
        if (e.name === 'CURRENT') {
          const cur = this.currents[this.currents.length - 1];
          if (cur !== undefined) return { k: 'var', v: cur };
        }
        const v = this.lookup(e.name);
        if (v !== undefined) return { k: 'var', v };
        if (e.name.startsWith('@@')) {
          const name = this.collectionName({ kind: 'bindCollection', name: e.name.slice(2) });
          throw new ArangoError('ERROR_QUERY_COLLECTION_USED_IN_EXPRESSION', `collection '${name}' used as expression operand`);
        }
        if (this.input.dataSource.collection(e.name) !== undefined) {
          throw new ArangoError('ERROR_QUERY_COLLECTION_USED_IN_EXPRESSION', `collection '${e.name}' used as expression operand`);
        }
        throw new ArangoError('ERROR_ARANGO_DATA_SOURCE_NOT_FOUND', `collection or view not found: ${e.name}`);
      }
      case 'subquery': {
        const sub = this.subquery(e.query);
        const out = this.newVar(`_sq${this.vars.length}`, false);
        const guard = this.guards.length === 0 ? undefined : this.guards.reduce((a, b) => ({ k: 'binary', op: '&&', l: a, r: b }));
        nodes.push({ type: 'SubqueryNode', plan: sub.plan, out, isModification: sub.isModification, ...(guard === undefined ? {} : { guard }) });
        return { k: 'var', v: out };
      }
      case 'array': return this.fold({ k: 'array', items: e.elements.map((x) => this.resolve(x, nodes)) });
      case 'object':
        return this.fold({ k: 'object', entries: e.entries.map((en) => ({ key: typeof en.key === 'string' ? en.key : this.resolve(en.key, nodes), value: this.resolve(en.value, nodes) })) });
      case 'attr': return this.fold({ k: 'attr', obj: this.resolve(e.object, nodes), name: e.name });
      case 'index': return this.fold({ k: 'index', obj: this.resolve(e.object, nodes), idx: this.resolve(e.index, nodes) });
      case 'expand': {
        const obj = this.resolve(e.object, nodes);
        const current = this.newVar('CURRENT', false);
        this.currents.push(current);
        try {
          return {
            k: 'expand', obj, depth: e.depth, current,
            filter: e.filter === undefined ? undefined : this.resolve(e.filter, nodes),
            offset: e.limit === undefined ? undefined : this.resolve(e.limit.offset, nodes),
            count: e.limit === undefined ? undefined : this.resolve(e.limit.count, nodes),
            project: e.project === undefined ? undefined : this.resolve(e.project, nodes),
          };
        } finally {
          this.currents.pop();
        }
      }
      case 'question': {
        const obj = this.resolve(e.object, nodes);
        const current = this.newVar('CURRENT', false);
        this.currents.push(current);
        try {
          return { k: 'question', obj, current, quant: this.quantifier(e.quantifier, nodes), filter: e.filter === undefined ? undefined : this.resolve(e.filter, nodes) };
        } finally {
          this.currents.pop();
        }
      }
      case 'unary': return this.fold({ k: 'unary', op: e.op, x: this.resolve(e.operand, nodes) });
      case 'binary':
        if ((e.op === '&&' || e.op === '||') && hasSubquery(e.right)) return this.lazyLogical(e.op, e.left, e.right, nodes);
        return this.fold({ k: 'binary', op: e.op, l: this.resolve(e.left, nodes), r: this.resolve(e.right, nodes) });
      case 'arrayCompare': return this.fold({ k: 'arrayCmp', quant: this.quantifier(e.quantifier, nodes), op: e.op, l: this.resolve(e.left, nodes), r: this.resolve(e.right, nodes) });
      case 'ternary':
        if ((e.then !== undefined && hasSubquery(e.then)) || hasSubquery(e.otherwise)) return this.lazyTernary(e.condition, e.then, e.otherwise, nodes);
        return this.fold({ k: 'ternary', c: this.resolve(e.condition, nodes), t: e.then === undefined ? undefined : this.resolve(e.then, nodes), e: this.resolve(e.otherwise, nodes) });
      case 'call': {
        const fn = FUNCTIONS[e.name] ?? this.userFunction(e.name);
        if (fn === undefined) throw new ArangoError('ERROR_QUERY_FUNCTION_NAME_UNKNOWN', `usage of unknown function '${e.name}()'`);
        if (e.args.length < fn.minArgs || e.args.length > fn.maxArgs) {
          const max = fn.maxArgs === Infinity ? 65536 : fn.maxArgs;
          throw new ArangoError('ERROR_QUERY_FUNCTION_ARGUMENT_NUMBER_MISMATCH',
            `invalid number of arguments for function '${e.name}()', expected number of arguments: minimum: ${fn.minArgs}, maximum: ${max}`);
        }
        const byName = COLLECTION_ARGUMENTS[e.name];
        if (byName !== undefined) {
          const coll = this.collectionArgument(e.args[0]);
          if (coll !== undefined) {
            // LENGTH(coll) / COUNT(coll) count the collection; DOCUMENT(coll, key) gets its name
            const target = FUNCTIONS[byName] ?? fn;
            const rest = e.args.slice(1).map((x) => this.resolve(x, nodes));
            return this.fold({ k: 'call', name: byName, fn: target, args: [{ k: 'const', v: coll }, ...rest] });
          }
        }
        return this.fold({ k: 'call', name: e.name, fn, args: e.args.map((x) => this.resolve(x, nodes)) });
      }
    }
  }

  /** The collection a function's first argument names (a bare name that is no variable, or `@@bind`). */
  private collectionArgument(arg: Expr | undefined): string | undefined {
    if (arg === undefined || arg.kind !== 'ref' || arg.name === 'CURRENT' || this.lookup(arg.name) !== undefined) return undefined;
    if (arg.name.startsWith('@@')) return this.collectionName({ kind: 'bindCollection', name: arg.name.slice(2) });
    return this.input.dataSource.collection(arg.name) !== undefined ? arg.name : undefined;
  }

  /** A user-defined `NS::NAME` function of the data source, as a table entry. */
  private userFunction(name: string): AqlFunction | undefined {
    if (!name.includes('::')) return undefined;
    // as in ArangoDB, an unregistered NS::NAME is 1582 (user function not found), not 1540
    const uf = this.input.dataSource.userFunction?.(name);
    if (uf === undefined) throw new ArangoError('ERROR_QUERY_FUNCTION_NOT_FOUND', `user function '${name}()' not found`);
    return { minArgs: 0, maxArgs: Infinity, deterministic: uf.deterministic, impl: (_ctx, args) => uf.call(args) };
  }

  /** Evaluates an expression whose operands are all constants (compile-time folding). */
  private fold(e: RExpr): RExpr {
    let foldable: boolean;
    switch (e.k) {
      case 'array': foldable = e.items.every(isC); break;
      case 'object': foldable = e.entries.every((en) => (typeof en.key === 'string' || isC(en.key)) && isC(en.value)); break;
      case 'attr': foldable = isC(e.obj); break;
      case 'index': foldable = isC(e.obj) && isC(e.idx); break;
      case 'unary': foldable = isC(e.x); break;
      case 'binary': foldable = isC(e.l) && isC(e.r) && e.op !== '..'; break;
      case 'arrayCmp': foldable = isC(e.l) && isC(e.r) && e.quant.kind !== 'atLeast' && e.quant.kind !== 'exact' && e.quant.kind !== 'between'; break;
      case 'ternary': foldable = isC(e.c) && isC(e.t) && isC(e.e); break;
      case 'call': foldable = e.fn.deterministic && e.args.every(isC); break;
      default: foldable = false;
    }
    if (!foldable) return e;
    try {
      return { k: 'const', v: compileExpr(e, this.foldCtx)([]) };
    } catch {
      return e;
    }
  }
}

function isC(x: RExpr | undefined): boolean {
  return x === undefined || x.k === 'const';
}

/** Validates bind parameters against the query: 1551 missing, 1552 undeclared, 1553 bad collection value. */
export function validateBindVars(ast: QueryAst, bindVars: Readonly<Record<string, unknown>>): void {
  for (const name of ast.bindParams) {
    if (!Object.prototype.hasOwnProperty.call(bindVars, name)) {
      throw new ArangoError('ERROR_QUERY_BIND_PARAMETER_MISSING', `no value specified for declared bind parameter '${name}'`);
    }
  }
  for (const name of ast.bindCollections) {
    const key = '@' + name;
    if (!Object.prototype.hasOwnProperty.call(bindVars, key)) {
      throw new ArangoError('ERROR_QUERY_BIND_PARAMETER_MISSING', `no value specified for declared bind parameter '${key}'`);
    }
    const v = bindVars[key];
    if (!(typeof v === 'string' && v !== '') && !(isObject(v) && typeof v['name'] === 'string')) {
      throw new ArangoError('ERROR_QUERY_BIND_PARAMETER_TYPE', `bind parameter '${key}' has an invalid value or type`);
    }
  }
  const declared = new Set([...ast.bindParams, ...ast.bindCollections.map((n) => '@' + n)]);
  for (const key of Object.keys(bindVars)) {
    if (!declared.has(key)) throw new ArangoError('ERROR_QUERY_BIND_PARAMETER_UNDECLARED', `bind parameter '${key}' was not declared in the query`);
  }
}
void toNumber;
