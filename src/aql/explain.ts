import type { DataSource } from './data-source.ts';
import type { Plan, PlanNode, RExpr, Variable } from './plan-types.ts';
import { rexprToJson } from './ast-json.ts';

/** One node of explain output (ArangoDB's `/_api/explain` shape). */
export type ExplainNode = Record<string, unknown> & {
  readonly type: string;
  readonly id: number;
  readonly dependencies: readonly number[];
  readonly estimatedCost: number;
  readonly estimatedNrItems: number;
};

/** The result of explaining a query. */
export interface ExplainResult {
  readonly plan: {
    readonly nodes: ExplainNode[];
    readonly rules: readonly string[];
    readonly collections: readonly { readonly name: string; readonly type: 'read' | 'write' }[];
    readonly variables: readonly { readonly id: number; readonly name: string; readonly isFullDocumentFromCollection: boolean }[];
    readonly estimatedCost: number;
    readonly estimatedNrItems: number;
    readonly isModificationQuery: boolean;
  };
  readonly cacheable: boolean;
  readonly warnings: readonly { readonly code: number; readonly message: string }[];
  readonly stats: { readonly rulesExecuted: number; readonly rulesSkipped: number; readonly plansCreated: number };
}

const varJson = (v: Variable): { id: number; name: string } => ({ id: v.id, name: v.name });

class Explainer {
  private nextId = 1;
  private tmpId: number;
  readonly tmpVars: Variable[] = [];
  constructor(private readonly ds: DataSource, plan: Plan) {
    this.tmpId = plan.frameSize;
  }

  private tmp(): Variable {
    const v: Variable = { id: this.tmpId++, name: `#${this.tmpId - 1}`, isUser: false };
    this.tmpVars.push(v);
    return v;
  }

  pipeline(nodes: readonly PlanNode[]): ExplainNode[] {
    const out: ExplainNode[] = [];
    let cost = 0;
    let items = 1;
    const push = (type: string, fields: Record<string, unknown>, nrItems: number, extraCost: number): void => {
      const prev = out[out.length - 1];
      items = nrItems;
      cost += extraCost;
      out.push({ type, id: this.nextId++, dependencies: prev === undefined ? [] : [prev.id], estimatedCost: cost, estimatedNrItems: items, ...fields });
    };
    const asVar = (e: RExpr): Variable => {
      if (e.k === 'var') return e.v;
      const v = this.tmp();
      push('CalculationNode', { expression: rexprToJson(e), outVariable: varJson(v), canThrow: false, expressionType: exprType(e) }, items, items);
      return v;
    };
    for (const n of nodes) {
      switch (n.type) {
        case 'SingletonNode': push('SingletonNode', {}, 1, 1); break;
        case 'EnumerateCollectionNode': {
          const count = safeCount(this.ds, n.collection);
          push('EnumerateCollectionNode', { database: '_system', collection: n.collection, outVariable: varJson(n.out), random: false, producesResult: true, satellite: false }, items * count, items * count + 1);
          break;
        }
        case 'IndexNode': {
          const count = safeCount(this.ds, n.collection);
          const unique = n.index.unique && n.lookup.kind !== 'mdi' && (n.lookup.kind !== 'persistent' || n.lookup.equal.length === n.index.fields.length);
          const est = unique ? 1 : Math.max(1, Math.ceil(count / 10));
          push('IndexNode', {
            database: '_system', collection: n.collection, outVariable: varJson(n.out),
            indexes: [{ id: n.index.id.split('/').pop() ?? n.index.id, type: n.index.type, fields: n.index.fields, name: n.index.name, unique: n.index.unique, sparse: n.index.sparse, selectivityEstimate: unique ? 1 : 0.1, ...(n.index.type === 'geo' ? { geoJson: n.index.geoJson === true } : {}), ...(n.index.prefixFields === undefined ? {} : { prefixFields: n.index.prefixFields }) }],
            condition: n.condition === undefined ? {} : rexprToJson(n.condition), reverse: n.reverse, ascending: !n.reverse, sorted: true, producesResult: true,
          }, items * est, items * Math.log2(count + 2) + est);
          break;
        }
        case 'EnumerateListNode': {
          const v = asVar(n.expr);
          push('EnumerateListNode', { inVariable: varJson(v), outVariable: varJson(n.out) }, items * 100, items * 100);
          break;
        }
        case 'CalculationNode':
          push('CalculationNode', { expression: rexprToJson(n.expr), outVariable: varJson(n.out), canThrow: false, expressionType: exprType(n.expr) }, items, items);
          break;
        case 'FilterNode': {
          const v = asVar(n.expr);
          push('FilterNode', { inVariable: varJson(v) }, items, items);
          break;
        }
        case 'SubqueryNode':
          push('SubqueryNode', { subquery: { nodes: this.pipeline(n.plan) }, outVariable: varJson(n.out), isConst: false }, items, items * 2);
          break;
        case 'SortNode': {
          const elements = n.keys.map((k) => ({ inVariable: varJson(asVar(k.expr)), ascending: k.ascending }));
          push('SortNode', { elements, stable: false, ...(n.limit === undefined ? {} : { limit: n.limit, strategy: 'constrained-heap' }) }, items, items * Math.log2(items + 2));
          break;
        }
        case 'LimitNode':
          push('LimitNode', { offset: n.offset, limit: n.count, fullCount: n.fullCount }, Math.min(items, n.count), 0);
          break;
        case 'CollectNode': {
          const groups = n.groups.map((g) => ({ outVariable: varJson(g.out), inVariable: varJson(asVar(g.expr)) }));
          const aggregates = n.aggregates.map((a) => ({ outVariable: varJson(a.out), inVariable: a.expr === undefined ? undefined : varJson(asVar(a.expr)), type: a.func }));
          push('CollectNode', {
            groups, aggregates, collectOptions: { method: n.groups.length === 0 ? (n.aggregates.length === 0 && n.into === undefined ? 'count' : 'sorted') : n.method ?? 'hash' },
            ...(n.into === undefined ? {} : { outVariable: varJson(n.into.out), keepVariables: n.into.keep.map((v) => ({ variable: varJson(v) })) }),
            ...(n.count === undefined ? {} : { outVariable: varJson(n.count) }),
          }, n.groups.length === 0 ? 1 : Math.max(1, Math.ceil(items / 10)), items);
          break;
        }
        case 'WindowNode':
          push('WindowNode', {
            aggregates: n.aggregates.map((a) => ({ outVariable: varJson(a.out), type: a.func })),
            ...(n.range === undefined ? {} : { rangeVariable: varJson(asVar(n.range)) }),
          }, items, items);
          break;
        case 'ReturnNode': {
          const v = asVar(n.expr);
          push('ReturnNode', { inVariable: varJson(v), count: true, ...(n.distinct ? { distinct: true } : {}) }, items, items);
          break;
        }
        case 'TraversalNode':
          push('TraversalNode', {
            database: '_system', graph: n.edges.map((e) => e.collection), edgeCollections: n.edges.map((e) => e.collection),
            vertexOutVariable: varJson(n.vertex), edgeOutVariable: varJson(n.edge), pathOutVariable: varJson(n.path),
            options: { minDepth: n.min, maxDepth: n.max, order: n.options.order, uniqueVertices: n.options.uniqueVertices, uniqueEdges: n.options.uniqueEdges },
            ...(n.prune === undefined ? {} : { expression: rexprToJson(n.prune) }),
          }, items * 10, items * 10);
          break;
        case 'ShortestPathNode':
          push('ShortestPathNode', { database: '_system', graph: n.edges.map((e) => e.collection), vertexOutVariable: varJson(n.vertex), ...(n.edge === undefined ? {} : { edgeOutVariable: varJson(n.edge) }) }, items * 5, items * 10);
          break;
        case 'UpsertNode': case 'InsertNode': case 'UpdateNode': case 'ReplaceNode': case 'RemoveNode': {
          const fields: Record<string, unknown> = {
            database: '_system', collection: n.collection,
            modificationFlags: { ignoreErrors: n.options.ignoreErrors, keepNull: n.options.keepNull, mergeObjects: n.options.mergeObjects, waitForSync: n.options.waitForSync, ignoreRevs: n.options.ignoreRevs },
            ...(n.outNew === undefined ? {} : { outVariableNew: varJson(n.outNew) }),
            ...(n.outOld === undefined ? {} : { outVariableOld: varJson(n.outOld) }),
          };
          if (n.type === 'UpsertNode') {
            fields['inDocVariable'] = varJson(asVar(n.search));
            fields['insertVariable'] = varJson(asVar(n.insert));
            fields['updateVariable'] = varJson(asVar(n.update));
            fields['isReplace'] = n.replace;
          } else {
            if (n.doc !== undefined) fields['inDocVariable'] = varJson(asVar(n.doc));
            if (n.key !== undefined) fields[n.type === 'RemoveNode' ? 'inVariable' : 'inKeyVariable'] = varJson(asVar(n.key));
          }
          push(n.type, fields, items, items);
          break;
        }
      }
    }
    return out;
  }
}

function safeCount(ds: DataSource, c: string): number {
  try {
    return ds.count(c);
  } catch {
    return 0;
  }
}

function exprType(e: RExpr): string {
  return e.k === 'attr' || e.k === 'var' ? 'attribute' : e.k === 'const' ? 'json' : 'simple';
}

/** Builds ArangoDB-style explain output for a plan. */
export function explainPlan(plan: Plan, ds: DataSource): ExplainResult {
  const ex = new Explainer(ds, plan);
  const nodes = ex.pipeline(plan.root);
  const last = nodes[nodes.length - 1];
  const fullDocs = new Set<number>();
  const mark = (ns: readonly PlanNode[]): void => {
    for (const n of ns) {
      if (n.type === 'EnumerateCollectionNode' || n.type === 'IndexNode') fullDocs.add(n.out.id);
      if (n.type === 'SubqueryNode') mark(n.plan);
    }
  };
  mark(plan.root);
  return {
    plan: {
      nodes,
      rules: plan.rules,
      collections: plan.collections,
      variables: [...plan.variables, ...ex.tmpVars].map((v) => ({ id: v.id, name: v.name, isFullDocumentFromCollection: fullDocs.has(v.id) })),
      estimatedCost: last?.estimatedCost ?? 0,
      estimatedNrItems: last?.estimatedNrItems ?? 0,
      isModificationQuery: plan.isModification,
    },
    cacheable: !plan.isModification,
    warnings: plan.warnings,
    stats: { rulesExecuted: plan.rules.length, rulesSkipped: 0, plansCreated: 1 },
  };
}
