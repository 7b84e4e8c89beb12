import { ArangoError } from '../errors/index.ts';
import type { Expr, Operation, QueryBody } from './ast.ts';
import type { Aggregate, ModifyOptions, Plan, PlanNode, RExpr, Variable } from './plan-types.ts';
import { windowBounds } from './window-stage.ts';
import { optimize } from './optimizer.ts';
import { GraphPlanner } from './planner-graph.ts';
import type { PlanInput } from './planner-resolve.ts';

export type { PlanInput } from './planner-resolve.ts';
export { validateBindVars } from './bind-vars.ts';

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
    rules: [...p.rules, ...rules],
    isModification: p.writeCollections().size > 0,
    frameSize: p.vars.length,
    warnings: p.foldCtx.warnings,
  };
}

/** Turns the operations of a query body into plan nodes (the graph operations and expressions come from the base classes). */
class Planner extends GraphPlanner {
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

  protected subquery(body: QueryBody): { plan: PlanNode[]; isModification: boolean } {
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
}
