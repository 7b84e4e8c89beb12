import { ArangoError } from '../errors/index.ts';
import type { CollectionRef, Expr, QueryAst, QueryBody, Quantifier } from './ast.ts';
import type { DataSource } from './data-source.ts';
import { FUNCTIONS } from './functions/index.ts';
import type { AqlFunction } from './functions/function-types.ts';
import { ExecContext } from './exec-context.ts';
import { compileExpr } from './compile-expr.ts';
import type { PlanNode, RExpr, RQuantifier, Variable } from './plan-types.ts';
import { isObject, toBool } from './values.ts';
import { hasSubquery } from './plan-utils.ts';
import { LEGACY_GEO_FUNCTIONS, legacyGeoPlan } from './planner-geo-legacy.ts';

/** Inputs of planning. */
export interface PlanInput {
  readonly ast: QueryAst;
  readonly bindVars: Readonly<Record<string, unknown>>;
  readonly dataSource: DataSource;
  readonly fullCount: boolean;
}

/**
 * Functions that take a collection as their first argument (ArangoDB's documented forms): the
 * collection is passed by name to the function named here.
 */
const COLLECTION_ARGUMENTS: Readonly<Record<string, string>> = {
  LENGTH: 'COLLECTION_COUNT', COUNT: 'COLLECTION_COUNT', COLLECTION_COUNT: 'COLLECTION_COUNT', DOCUMENT: 'DOCUMENT',
  IS_SAME_COLLECTION: 'IS_SAME_COLLECTION', NEAR: 'NEAR', WITHIN: 'WITHIN', WITHIN_RECTANGLE: 'WITHIN_RECTANGLE',
  FULLTEXT: 'FULLTEXT', SCHEMA_GET: 'SCHEMA_GET', SHARD_ID: 'SHARD_ID',
};

/**
 * The planner's base: variable scopes, collection use, and expression resolution (names to
 * variables, bind values substituted, subqueries hoisted, constants folded). The operations that
 * build plan nodes live in the subclasses (`planner-graph.ts`, `planner.ts`).
 */
export abstract class ExpressionResolver {
  readonly vars: Variable[] = [];
  readonly collections = new Map<string, 'read' | 'write'>();
  readonly foldCtx: ExecContext;
  protected scopes: Map<string, Variable>[] = [];
  protected readonly currents: Variable[] = [];
  /** Conditions under which subqueries hoisted right now may run (short-circuiting). */
  protected guards: RExpr[] = [];
  protected readonly modified = new Set<string>();
  /** Optimizer rules applied while planning (reported with the optimizer's). */
  readonly rules = new Set<string>();

  constructor(protected readonly input: PlanInput) {
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
  protected newVar(name: string, isUser: boolean): Variable {
    const v: Variable = { id: this.vars.length, name, isUser };
    this.vars.push(v);
    return v;
  }

  protected lookup(name: string): Variable | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i]?.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  protected declare(name: string): Variable {
    if (this.lookup(name) !== undefined) {
      throw new ArangoError('ERROR_QUERY_VARIABLE_REDECLARED', `variable '${name}' is assigned multiple times`);
    }
    const v = this.newVar(name, true);
    this.top().set(name, v);
    return v;
  }

  protected top(): Map<string, Variable> {
    const t = this.scopes[this.scopes.length - 1];
    if (t === undefined) throw new ArangoError('ERROR_INTERNAL', 'no scope');
    return t;
  }

  // ---- collections --------------------------------------------------------
  protected collectionName(ref: CollectionRef): string {
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

  protected useCollection(name: string, type: 'read' | 'write'): void {
    if (type === 'read' && this.modified.has(name)) {
      throw new ArangoError('ERROR_QUERY_ACCESS_AFTER_MODIFICATION', `access after data-modification by traversal or FOR loop over collection '${name}'`);
    }
    if (type === 'write') this.modified.add(name);
    if (this.collections.get(name) !== 'write') this.collections.set(name, type);
  }

  protected constNumber(e: Expr, nodes: PlanNode[]): number {
    const r = this.resolve(e, nodes);
    if (r.k !== 'const' || typeof r.v !== 'number' || r.v < 0 || !Number.isFinite(r.v)) {
      throw new ArangoError('ERROR_QUERY_NUMBER_OUT_OF_RANGE', 'LIMIT value is not a number or out of range');
    }
    return Math.trunc(r.v);
  }

  protected constObject(e: Expr | undefined, nodes: PlanNode[]): Record<string, unknown> {
    if (e === undefined) return {};
    const r = this.resolve(e, nodes);
    if (r.k !== 'const' || !isObject(r.v)) {
      throw new ArangoError('ERROR_QUERY_COMPILE_TIME_OPTIONS', 'query options must be readable at query compile time');
    }
    return r.v;
  }

  /** Plans a subquery's body (hoisted by `resolve`). */
  protected abstract subquery(body: QueryBody): { plan: PlanNode[]; isModification: boolean };

  // ---- expressions --------------------------------------------------------
  protected quantifier(q: Quantifier, nodes: PlanNode[]): RQuantifier {
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
  protected lazyTernary(condition: Expr, then: Expr | undefined, otherwise: Expr, nodes: PlanNode[]): RExpr {
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
  protected lazyLogical(op: '&&' | '||', left: Expr, right: Expr, nodes: PlanNode[]): RExpr {
    const l = this.resolve(left, nodes);
    if (l.k === 'const') return toBool(l.v) === (op === '&&') ? this.resolve(right, nodes) : l;
    const cv = this.conditionVar(l, nodes);
    const r = this.guarded(op === '&&' ? cv : { k: 'unary', op: '!', x: cv }, () => this.resolve(right, nodes));
    return { k: 'binary', op, l: cv, r };
  }

  protected conditionVar(e: RExpr, nodes: PlanNode[]): RExpr {
    const tmp = this.newVar(`_cond${this.vars.length}`, false);
    nodes.push({ type: 'CalculationNode', expr: e, out: tmp });
    return { k: 'var', v: tmp };
  }

  protected guarded<T>(guard: RExpr, f: () => T): T {
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
        return this.hoist(sub.plan, sub.isModification, nodes);
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
          const first = e.args[0];
          const legacyGeo = LEGACY_GEO_FUNCTIONS.has(e.name);
          // the geo index functions also take the collection by name as a string
          const named = legacyGeo && first?.kind === 'value' && typeof first.value === 'string' && this.input.dataSource.collection(first.value) !== undefined;
          const coll = named ? (first.value as string) : this.collectionArgument(first);
          if (coll !== undefined && legacyGeo) return this.legacyGeoCall(e.name as 'NEAR' | 'WITHIN' | 'WITHIN_RECTANGLE', coll, e.args.slice(1), nodes);
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

  /** Adds a subquery node (run only under the current guards) and returns its result variable. */
  protected hoist(plan: PlanNode[], isModification: boolean, nodes: PlanNode[]): RExpr {
    const out = this.newVar(`_sq${this.vars.length}`, false);
    const guard = this.guards.length === 0 ? undefined : this.guards.reduce((a, b) => ({ k: 'binary', op: '&&', l: a, r: b }));
    nodes.push({ type: 'SubqueryNode', plan, out, isModification, ...(guard === undefined ? {} : { guard }) });
    return { k: 'var', v: out };
  }

  /** NEAR / WITHIN / WITHIN_RECTANGLE on a collection: a subquery the geo index can serve (planner-geo-legacy.ts). */
  protected legacyGeoCall(name: 'NEAR' | 'WITHIN' | 'WITHIN_RECTANGLE', coll: string, rest: readonly Expr[], nodes: PlanNode[]): RExpr {
    this.useCollection(coll, 'read');
    const args = rest.map((x) => this.resolve(x, nodes));
    const plan = legacyGeoPlan(name, coll, args, this.input.dataSource.collection(coll)?.indexes ?? [], () => this.newVar(`_geo${this.vars.length}`, false));
    this.rules.add('replace-function-with-index');
    return this.hoist(plan, false, nodes);
  }

  /** The collection a function's first argument names (a bare name that is no variable, or `@@bind`). */
  protected collectionArgument(arg: Expr | undefined): string | undefined {
    if (arg === undefined || arg.kind !== 'ref' || arg.name === 'CURRENT' || this.lookup(arg.name) !== undefined) return undefined;
    if (arg.name.startsWith('@@')) return this.collectionName({ kind: 'bindCollection', name: arg.name.slice(2) });
    return this.input.dataSource.collection(arg.name) !== undefined ? arg.name : undefined;
  }

  /** A user-defined `NS::NAME` function of the data source, as a table entry. */
  protected userFunction(name: string): AqlFunction | undefined {
    if (!name.includes('::')) return undefined;
    // as in ArangoDB, an unregistered NS::NAME is 1582 (user function not found), not 1540
    const uf = this.input.dataSource.userFunction?.(name);
    if (uf === undefined) throw new ArangoError('ERROR_QUERY_FUNCTION_NOT_FOUND', `user function '${name}()' not found`);
    return { minArgs: 0, maxArgs: Infinity, deterministic: uf.deterministic, impl: (_ctx, args) => uf.call(args) };
  }

  /** Evaluates an expression whose operands are all constants (compile-time folding). */
  protected fold(e: RExpr): RExpr {
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

