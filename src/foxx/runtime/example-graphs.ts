import { ArangoError } from '../../errors/index.ts';
import { EXAMPLES, type ExampleGraph } from './example-graph-data.ts';

type Fn = (...a: unknown[]) => unknown;
type Collection = Record<string, Fn>;

/**
 * `require('@arangodb/graph-examples/example-graph')` as in ArangoDB 3.12: `loadGraph(name)`
 * creates one of the documentation's example graphs (`knows_graph`, `mps_graph`, `routeplanner`,
 * `social`, `worldCountry`, `worldCountryUnManaged`, `traversalGraph`, `kShortestPathsGraph`,
 * `connectedComponentsGraph`) through `@arangodb/general-graph` and returns it (1207 when one of its
 * collections exists already); `dropGraph(name)` drops it with its collections. Unknown names give
 * `false`, as there.
 */
export function createExampleGraphModule(generalGraph: Record<string, unknown>, arangodb: Record<string, unknown>): Record<string, unknown> {
  const gm = generalGraph as Record<string, Fn>;
  const db = arangodb['db'] as Record<string, Fn>;
  const exists = (c: string): boolean => db['_collection']?.(c) !== null;
  const known = (name: unknown): ExampleGraph | undefined =>
    typeof name === 'string' && Object.hasOwn(EXAMPLES, name) ? EXAMPLES[name] : undefined;

  const dropGraph = (name: unknown): unknown => {
    const ex = known(name);
    if (ex === undefined) return false;
    if (ex.unmanaged) {
      for (const c of ex.dependencies) if (exists(c)) db['_drop']?.(c);
      return undefined;
    }
    return gm['_exists']?.(name) === true ? gm['_drop']?.(name, true) : undefined;
  };

  /** Vertices, then indexes, then edges, into the collections `to(name)` hands out. */
  const fill = (ex: ExampleGraph, to: (name: string) => Collection | undefined): void => {
    for (const [c, docs] of Object.entries(ex.vertices)) for (const d of docs) to(c)?.['save']?.({ ...d });
    for (const [c, defs] of Object.entries(ex.indexes ?? {})) for (const d of defs) to(c)?.['ensureIndex']?.(structuredClone(d));
    for (const [c, edges] of Object.entries(ex.edges)) for (const [from, to_, data] of edges) to(c)?.['save']?.({ ...data, _from: from, _to: to_ });
  };

  const loadGraph = (name: unknown): unknown => {
    const ex = known(name);
    if (ex === undefined) return false;
    const taken = ex.dependencies.filter(exists);
    if (taken.length > 0) {
      // ArangoDB's wording, singular whatever the count
      throw new ArangoError('ERROR_ARANGO_DUPLICATE_NAME', `the collection: ${JSON.stringify(taken)} already exists. Please clean up and try again.`);
    }
    dropGraph(name);
    const direct = (c: string): Collection | undefined => db['_collection']?.(c) as Collection | undefined;
    if (ex.unmanaged) {
      for (const [c] of ex.relations) db['_createEdgeCollection']?.(c);
      for (const c of Object.keys(ex.vertices)) db['_create']?.(c);
      fill(ex, direct);
      return undefined;
    }
    const relations = ex.relations.map(([e, f, t]) => gm['_relation']?.(e, [...f], [...t]));
    const g = gm['_create']?.(name, relations) as Record<string, Collection>;
    fill(ex, ex.direct ? direct : (c) => g[c]);
    return g;
  };
  return { loadGraph, dropGraph };
}
