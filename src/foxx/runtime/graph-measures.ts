import { ArangoError } from '../../errors/index.ts';
import { Aql, documentList, documentsOf, forExample, measureDirection, options, type Doc, type GraphScope } from './graph-aql.ts';

/**
 * The path measures of a `@arangodb/general-graph` graph (`_shortestPath`, `_distanceTo`,
 * `_absoluteEccentricity`, `_eccentricity`, `_absoluteCloseness`/`_farness`, `_closeness`,
 * `_absoluteBetweenness`, `_betweenness`, `_radius`, `_diameter`): AQL `SHORTEST_PATH … GRAPH
 * "name"` between pairs of vertices, run through the service's `db._query`.
 *
 * They read their options as ArangoDB 3.12 does, and so give the numbers its documentation shows:
 * edges weigh 1 unless both `weight` (or `weightAttribute`) and `defaultWeight` are given, and the
 * documented `startVertexCollectionRestriction`, `endVertexCollectionRestriction` and
 * `edgeCollectionRestriction` options are accepted but do not narrow anything.
 */

interface Weighting {
  readonly attribute: string;
  readonly fallback: number;
}

function weighting(o: Doc): Weighting | undefined {
  const attribute = o['weightAttribute'] !== undefined ? o['weightAttribute'] : o['weight'];
  const fallback = o['defaultWeight'];
  if (attribute === undefined || fallback === undefined) return undefined;
  if (typeof attribute !== 'string' || attribute === '') throw new ArangoError('ERROR_BAD_PARAMETER', 'weight must be an attribute name');
  if (typeof fallback !== 'number' || !Number.isFinite(fallback)) throw new ArangoError('ERROR_BAD_PARAMETER', 'defaultWeight must be a number');
  return { attribute, fallback };
}

/** The pieces every measure's SHORTEST_PATH needs, with their bind parameters registered once. */
class PathQuery {
  readonly q = new Aql();
  readonly #dir: string;
  readonly #graph: string;
  readonly #options: string;
  /** What one edge `e` adds to a path's length. */
  readonly cost: string;
  readonly weighted: boolean;

  constructor(scope: GraphScope, o: Doc) {
    this.#dir = measureDirection(o['direction']);
    this.#graph = this.q.value(scope.name);
    const w = weighting(o);
    this.weighted = w !== undefined;
    if (w === undefined) {
      this.#options = '';
      this.cost = '1';
    } else {
      const attr = this.q.value(w.attribute);
      const fallback = this.q.value(w.fallback);
      this.#options = `OPTIONS {weightAttribute: ${attr}, defaultWeight: ${fallback}}`;
      this.cost = `(IS_NUMBER(e[${attr}]) ? e[${attr}] : ${fallback})`;
    }
  }

  /** `FOR v, e IN DIR SHORTEST_PATH from TO to GRAPH g OPTIONS …`. */
  path(from: string, to: string): string {
    return `FOR v, e IN ${this.#dir} SHORTEST_PATH ${from} TO ${to} GRAPH ${this.#graph} ${this.#options}`;
  }
  /** `(… FILTER e != null RETURN <edge cost>)`: the costs of the edges of one shortest path ([] if none). */
  costs(from: string, to: string): string {
    return `(${this.path(from, to)} FILTER e != null RETURN ${this.cost})`;
  }
}

/** `[{vertices: [_id…], edges: [edge…], distance}]` for every pair of distinct vertices of the examples joined by a path. */
export function shortestPath(scope: GraphScope, start: unknown, end: unknown, opts: unknown): Doc[] {
  const o = options(opts);
  const pq = new PathQuery(scope, o);
  const text = `${forExample(pq.q, scope, start, 'start')}
    ${forExample(pq.q, scope, end, 'target')}
    FILTER target._id != start._id
    LET p = (${pq.path('start', 'target')} RETURN {v, e, d: IS_NULL(e) ? 0 : ${pq.cost}})
    FILTER LENGTH(p) > 0
    ${o['stopAtFirstMatch'] ? 'SORT SUM(p[*].d) LIMIT 1' : ''}
    RETURN {vertices: p[*].v._id, edges: p[* FILTER CURRENT.e != null].e, distance: SUM(p[*].d)}`;
  return scope.query(text, pq.q.bindVars) as Doc[];
}

/** `[{startVertex, vertex, distance}]`: `_shortestPath` without the paths. */
export function distanceTo(scope: GraphScope, start: unknown, end: unknown, opts: unknown): Doc[] {
  const pq = new PathQuery(scope, options(opts));
  const text = `${forExample(pq.q, scope, start, 'start')}
    ${forExample(pq.q, scope, end, 'target')}
    FILTER target._id != start._id
    LET p = ${pq.costs('start', 'target')}
    FILTER LENGTH(p) > 0
    RETURN {startVertex: start._id, vertex: target._id, distance: SUM(p)}`;
  return scope.query(text, pq.q.bindVars) as Doc[];
}

/**
 * For every vertex of the example, its distances to every other vertex of the graph (0 for one
 * it cannot reach) folded by `fold`: `{ "<_id>": value }`.
 */
function perVertex(scope: GraphScope, example: unknown, opts: unknown, fold: 'max' | 'sum'): Record<string, unknown> {
  const pq = new PathQuery(scope, options(opts));
  const all = documentsOf(pq.q, scope.vertexCollections);
  const text = `${forExample(pq.q, scope, example, 'start')}
    LET lsp = (FOR target IN ${all} FILTER target._id != start._id
      LET p = ${pq.costs('start', 'target')}
      LET k = LENGTH(p) == 0 ? 0 : SUM(p)
      ${fold === 'max' ? 'SORT k DESC LIMIT 1' : ''}
      RETURN k)
    RETURN [start._id, ${fold === 'max' ? 'lsp[0]' : 'SUM(lsp)'}]`;
  const out: Record<string, unknown> = {};
  for (const row of scope.query(text, pq.q.bindVars) as [string, unknown][]) out[row[0]] = row[1];
  return out;
}

/** `{ "<_id>": the longest of its shortest distances to the other vertices }`. */
export function absoluteEccentricity(scope: GraphScope, example: unknown, opts: unknown): Record<string, unknown> {
  return perVertex(scope, example, opts, 'max');
}

/** `{ "<_id>": the sum of its shortest distances to the other vertices }` (also `_farness`). */
export function absoluteCloseness(scope: GraphScope, example: unknown, opts: unknown): Record<string, unknown> {
  return perVertex(scope, example, opts, 'sum');
}

/** Every positive value as `smallest positive value / value` (0 stays 0): `_eccentricity`, `_closeness`. */
function relativeToSmallest(values: Record<string, unknown>): Record<string, unknown> {
  const min = Object.values(values).reduce<number>((m, v) => (typeof v === 'number' && v > 0 && v < m ? v : m), Infinity);
  for (const [k, v] of Object.entries(values)) if (typeof v === 'number' && v > 0) values[k] = min / v;
  return values;
}

export function eccentricity(scope: GraphScope, opts: unknown): Record<string, unknown> {
  return relativeToSmallest(absoluteEccentricity(scope, {}, opts));
}

export function closeness(scope: GraphScope, opts: unknown): Record<string, unknown> {
  return relativeToSmallest(absoluteCloseness(scope, {}, opts));
}

/**
 * `{ "<_id>": on how many shortest paths between two other vertices it lies }` for the vertices of
 * the example (one shortest path per ordered pair; with direction any each path is seen from both
 * ends and counted half).
 */
export function absoluteBetweenness(scope: GraphScope, example: unknown, opts: unknown): Record<string, number> {
  const o = options(opts);
  const pq = new PathQuery(scope, o);
  const all = documentList(pq.q, scope.vertexCollections);
  const text = `LET toFind = (${forExample(pq.q, scope, example, 'start')} RETURN start._id)
    LET ids = ${all}
    LET passes = (FOR start IN ids FOR target IN ids FILTER start._id != target._id
      ${pq.path('start', 'target')}
      FILTER v._id != start._id AND v._id != target._id AND v._id IN toFind
      COLLECT id = v._id WITH COUNT INTO n
      RETURN [id, n])
    RETURN {toFind, passes}`;
  const [res] = scope.query(text, pq.q.bindVars) as { toFind: string[]; passes: [string, number][] }[];
  const both = o['direction'] !== 'inbound' && o['direction'] !== 'outbound';
  const out: Record<string, number> = {};
  for (const [id, n] of res?.passes ?? []) out[id] = both ? n / 2 : n;
  for (const id of res?.toFind ?? []) out[id] ??= 0;
  return out;
}

/** `_absoluteBetweenness` of every vertex divided by the largest value (when that is not 0). */
export function betweenness(scope: GraphScope, opts: unknown): Record<string, number> {
  const values = absoluteBetweenness(scope, {}, opts);
  const max = Object.values(values).reduce((m, v) => Math.max(m, v), 0);
  if (max !== 0) for (const k of Object.keys(values)) values[k] = (values[k] ?? 0) / max;
  return values;
}

/** The smallest eccentricity of a vertex that reaches any other; `[]` when none does (as ArangoDB). */
export function radius(scope: GraphScope, opts: unknown): unknown {
  const pq = new PathQuery(scope, options(opts));
  const text = `LET ids = ${documentList(pq.q, scope.vertexCollections)}
    FOR s IN ids
      LET lsp = (FOR t IN ids FILTER s._id != t._id
        LET p = ${pq.costs('s', 't')}
        FILTER LENGTH(p) > 0
        LET k = SUM(p) SORT k DESC LIMIT 1 RETURN k)
      FILTER LENGTH(lsp) != 0
      SORT lsp[0] ASC LIMIT 1
      RETURN lsp[0]`;
  const res = scope.query(text, pq.q.bindVars);
  return res.length > 0 ? res[0] : res;
}

/**
 * The longest shortest distance between two vertices; `[]` for a graph without two vertices.
 * Unweighted, as in ArangoDB, a pair without a path counts -1 (0 weighted).
 */
export function diameter(scope: GraphScope, opts: unknown): unknown {
  const o = options(opts);
  const pq = new PathQuery(scope, o);
  const both = o['direction'] !== 'inbound' && o['direction'] !== 'outbound';
  const length = !pq.weighted ? `SUM((${pq.path('s', 't')} RETURN 1)) - 1` : `SUM(${pq.costs('s', 't')})`;
  const text = `LET ids = ${documentList(pq.q, scope.vertexCollections)}
    FOR s IN ids FOR t IN ids FILTER s._id ${both ? '<' : '!='} t._id
      LET p = ${length}
      SORT p DESC LIMIT 1
      RETURN p`;
  const res = scope.query(text, pq.q.bindVars);
  return res.length === 1 ? res[0] : res;
}
