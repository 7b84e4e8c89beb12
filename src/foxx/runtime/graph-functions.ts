import {
  Aql,
  collectionFilter,
  depth,
  direction,
  documentsOf,
  exampleFilter,
  forExample,
  options,
  restrictedCollections,
  traversalTarget,
  type Doc,
  type GraphScope,
} from './graph-aql.ts';

/**
 * The neighbourhood functions of a `@arangodb/general-graph` graph (`_neighbors`, `_commonNeighbors`,
 * `_commonProperties`, `_vertices`, `_edges`, `_getConnectingEdges`, `_paths` and the counting
 * variants), each one AQL query over `GRAPH "name"` through the service's own `db._query`, so the
 * service's permissions apply. Options and results follow ArangoDB 3.12's module.
 */

/** `FOR v, e IN min..max DIR start <graph or edge collections>` from `minDepth`/`maxDepth`/`direction`. */
function traverse(q: Aql, scope: GraphScope, o: Doc, start: string, vars: string): string {
  const min = depth(o['minDepth'], 1, 'minDepth');
  const max = depth(o['maxDepth'], 1, 'maxDepth');
  return `FOR ${vars} IN ${min}..${max} ${direction(o['direction'], 'ANY')} ${start} ${traversalTarget(q, scope, o['edgeCollectionRestriction'])}`;
}

/**
 * `_id`s (documents with `includeData`) of the vertices `minDepth..maxDepth` (default 1..1) steps
 * from the vertices of the example; the start vertices themselves count when a path leads back.
 */
export function neighbors(scope: GraphScope, example: unknown, opts: unknown): unknown[] {
  const o = options(opts);
  const q = new Aql();
  const text = `${forExample(q, scope, example, 'start')}
    ${traverse(q, scope, o, 'start', 'v, e')} OPTIONS {order: "bfs"}
    ${exampleFilter(q, o['neighborExamples'], 'v')}
    ${exampleFilter(q, o['edgeExamples'], 'e')}
    ${collectionFilter(q, o['vertexCollectionRestriction'], 'v', 'vertexCollectionRestriction')}
    RETURN DISTINCT ${o['includeData'] === true ? 'v' : 'v._id'}`;
  return scope.query(text, q.bindVars);
}

/** `[{left, right, neighbors}]` for every pair of distinct vertices of the two examples with neighbours in common. */
export function commonNeighbors(scope: GraphScope, example1: unknown, example2: unknown, opts1: unknown, opts2: unknown): Doc[] {
  const o1 = options(opts1);
  const o2 = options(opts2);
  const q = new Aql();
  const around = (o: Doc, start: string): string => {
    const v = q.variable('n');
    return `(${traverse(q, scope, o, start, v)} OPTIONS {order: "bfs", uniqueVertices: "global"}
      ${collectionFilter(q, o['vertexCollectionRestriction'], v, 'vertexCollectionRestriction')} RETURN ${v})`;
  };
  const data = o1['includeData'] === true || o2['includeData'] === true;
  const text = `${forExample(q, scope, example1, 'left')}
    LET leftNeighbors = ${around(o1, 'left')}
    ${forExample(q, scope, example2, 'right')}
    FILTER right != left
    LET rightNeighbors = ${around(o2, 'right')}
    LET neighbors = INTERSECTION(leftNeighbors, rightNeighbors)
    FILTER LENGTH(neighbors) > 0
    RETURN {left: left._id, right: right._id, neighbors: ${data ? 'neighbors' : 'neighbors[*]._id'}}`;
  return scope.query(text, q.bindVars) as Doc[];
}

/** `[{left: [{right: count}, …]}, …]`, grouped by the first vertex in the order `_commonNeighbors` found them. */
export function countCommonNeighbors(scope: GraphScope, example1: unknown, example2: unknown, opts1: unknown, opts2: unknown): Doc[] {
  const byLeft = new Map<string, Doc[]>();
  for (const r of commonNeighbors(scope, example1, example2, opts1, opts2)) {
    const left = String(r['left']);
    const list = byLeft.get(left) ?? [];
    list.push({ [String(r['right'])]: (r['neighbors'] as unknown[]).length });
    byLeft.set(left, list);
  }
  return [...byLeft].map(([left, list]) => ({ [left]: list }));
}

/**
 * The comparison `_commonProperties` and `_countCommonProperties` share: for every vertex of the
 * first example (by `_id`), the other vertices of the second with at least one attribute value in
 * common (`_rev` and `ignoreProperties` left out), kept as `{_id, …shared}`.
 */
function sharedProperties(scope: GraphScope, example1: unknown, example2: unknown, opts: unknown, count: boolean): Doc[] {
  const o = options(opts);
  const q = new Aql();
  const ignored = o['ignoreProperties'];
  const skip = ignored === undefined ? '' : `a NOT IN ${q.value(Array.isArray(ignored) ? ignored : [ignored])} AND `;
  const text = `${forExample(q, scope, example1, 'left')}
    SORT left._id
    LET found = ${count ? 'SUM(' : ''}(
      ${forExample(q, scope, example2, 'right')}
      FILTER right != left
      LET shared = (FOR a IN ATTRIBUTES(left) FILTER a != "_rev" FILTER (${skip}left[a] == right[a]) OR a == "_id" RETURN a)
      FILTER LENGTH(shared) > 1
      RETURN ${count ? '1' : 'KEEP(right, shared)'})${count ? ')' : ''}
    FILTER ${count ? 'found > 0' : 'LENGTH(found) > 0'}
    RETURN {[left._id]: found}`;
  return scope.query(text, q.bindVars) as Doc[];
}

export function commonProperties(scope: GraphScope, example1: unknown, example2: unknown, opts: unknown): Doc[] {
  return sharedProperties(scope, example1, example2, opts, false);
}

export function countCommonProperties(scope: GraphScope, example1: unknown, example2: unknown, opts: unknown): Doc[] {
  return sharedProperties(scope, example1, example2, opts, true);
}

/** The vertex documents of the example, in the graph's (or `vertexCollectionRestriction`'s) collections. */
export function vertices(scope: GraphScope, example: unknown, opts: unknown): unknown[] {
  const o = options(opts);
  const q = new Aql();
  const from = restrictedCollections(o['vertexCollectionRestriction'], scope.vertexCollections, 'vertexCollectionRestriction');
  return scope.query(`FOR v IN ${documentsOf(q, from)} ${exampleFilter(q, example, 'v')} RETURN DISTINCT v`, q.bindVars);
}

/** `_id`s (documents with `includeData`) of the edges `minDepth..maxDepth` steps from the vertices of the example. */
export function edges(scope: GraphScope, example: unknown, opts: unknown): unknown[] {
  const o = options(opts);
  const q = new Aql();
  const text = `${forExample(q, scope, example, 'start')}
    ${traverse(q, scope, o, 'start', 'v, e')}
    ${exampleFilter(q, o['edgeExamples'], 'e')}
    RETURN DISTINCT ${o['includeData'] === true ? 'e' : 'e._id'}`;
  return scope.query(text, q.bindVars);
}

/**
 * The edge documents joining a vertex of the first example to one of the second, in either
 * direction (`edgeExamples`, `edgeCollectionRestriction`, `vertex1CollectionRestriction`,
 * `vertex2CollectionRestriction`). ArangoDB 3.12's module returns `[]` here (it was never
 * finished there); this is the behaviour its earlier documentation describes.
 */
export function connectingEdges(scope: GraphScope, example1: unknown, example2: unknown, opts: unknown): unknown[] {
  const o = options(opts);
  const q = new Aql();
  const from = restrictedCollections(o['vertex1CollectionRestriction'], scope.vertexCollections, 'vertex1CollectionRestriction');
  const text = `FOR left IN ${documentsOf(q, from)} ${exampleFilter(q, example1, 'left')}
    FOR v, e IN 1..1 ANY left ${traversalTarget(q, scope, o['edgeCollectionRestriction'])}
    ${exampleFilter(q, example2, 'v')}
    ${collectionFilter(q, o['vertex2CollectionRestriction'], 'v', 'vertex2CollectionRestriction')}
    ${exampleFilter(q, o['edgeExamples'], 'e')}
    RETURN DISTINCT e`;
  return scope.query(text, q.bindVars);
}

/**
 * Every path of the graph: `[{source, destination, edges, vertice}]` from each vertex,
 * `minLength..maxLength` (0..10) edges long, `direction` (default outbound); a vertex at most once
 * per path unless `followCycles` (then an edge may repeat too).
 */
export function paths(scope: GraphScope, opts: unknown): Doc[] {
  const o = options(opts);
  const q = new Aql();
  const min = depth(o['minLength'], 0, 'minLength');
  const max = depth(o['maxLength'], 10, 'maxLength');
  const unique = o['followCycles'] ? '{uniqueEdges: "none"}' : '{uniqueVertices: "path"}';
  const text = `FOR source IN ${documentsOf(q, scope.vertexCollections)}
    FOR v, e, p IN ${min}..${max} ${direction(o['direction'], 'OUTBOUND')} source GRAPH ${q.value(scope.name)} OPTIONS ${unique}
    RETURN {source, destination: v, edges: p.edges, vertice: p.vertices}`;
  return scope.query(text, q.bindVars) as Doc[];
}
