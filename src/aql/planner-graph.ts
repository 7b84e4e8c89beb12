import { ArangoError } from '../errors/index.ts';
import type { GraphRef, Operation } from './ast.ts';
import type { EdgeSpec, PlanNode, RExpr, TraversalOptions, Variable } from './plan-types.ts';
import { ExpressionResolver } from './planner-resolve.ts';

/** The planner's graph operations: traversals, shortest paths, the edge collections they walk. */
export abstract class GraphPlanner extends ExpressionResolver {
  protected edgeSpecs(graph: GraphRef, direction: 'OUTBOUND' | 'INBOUND' | 'ANY', nodes: PlanNode[]): EdgeSpec[] {
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

  protected traversalOptions(o: Record<string, unknown>): TraversalOptions {
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
  protected collectionSet(v: unknown): ReadonlySet<string> | undefined {
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
  protected restrictEdges(edges: EdgeSpec[], options: TraversalOptions): EdgeSpec[] {
    const only = options.edgeCollections;
    return only === undefined ? edges : edges.filter((e) => only.has(e.collection));
  }

  protected traversal(op: Extract<Operation, { kind: 'traversal' }>, nodes: PlanNode[]): void {
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

  protected shortestPath(op: Extract<Operation, { kind: 'shortestPath' }>, nodes: PlanNode[]): void {
    const start = this.resolve(op.start, nodes);
    const target = this.resolve(op.target, nodes);
    const options = this.traversalOptions(this.constObject(op.options, nodes));
    const edges = this.restrictEdges(this.edgeSpecs(op.graph, op.direction, nodes), options);
    const vertex = this.declare(op.vertex);
    const edge = op.edge === undefined ? undefined : this.declare(op.edge);
    nodes.push({ type: 'ShortestPathNode', vertex, edge, start, target, edges, options });
  }
}
