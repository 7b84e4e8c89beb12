import { ArangoError } from '../errors/index.ts';
import type { IndexDescription } from './data-source.ts';
import { FUNCTIONS } from './functions/index.ts';
import type { PlanNode, RExpr, Variable } from './plan-types.ts';

/**
 * The deprecated geo index functions of ArangoDB 3.12 (still documented, deprecated since 3.4),
 * rewritten into a subquery over the collection as ArangoDB's replace-function-with-index rule
 * does, so that the geo index serves them like any other geo query (optimizer-geo.ts):
 *
 * - `NEAR(coll, lat, lon, limit = 100, distanceName)` →
 *   `FOR d IN coll SORT DISTANCE(…) LIMIT limit RETURN distanceName ? MERGE(d, {[distanceName]: DISTANCE(…)}) : d`
 * - `WITHIN(coll, lat, lon, radius, distanceName)` → the same with `FILTER DISTANCE(…) <= radius`
 *   and no LIMIT (sorted by distance, as the documentation promises);
 * - `WITHIN_RECTANGLE(coll, lat1, lon1, lat2, lon2)` →
 *   `FOR d IN coll FILTER GEO_CONTAINS(<polygon of the four corners>, point of d) RETURN d`.
 *
 * `DISTANCE(…)` reads the collection's first geo index: `DISTANCE(d.lat, d.lon, lat, lon)` for one
 * on [lat, lon], `DISTANCE(d.f[0], d.f[1], lat, lon)` for a non-geoJson one on f. For a geoJson
 * index ArangoDB writes `DISTANCE(d.f[1], d.f[0], …)`, which only reads `[lon, lat]` pairs; kitsune
 * writes `GEO_DISTANCE([lon, lat], d.f)`, the same for pairs and the centroid distance for shapes.
 * A collection without a geo index is error 1570, when the query is planned.
 */

type LegacyName = 'NEAR' | 'WITHIN' | 'WITHIN_RECTANGLE';

export const LEGACY_GEO_FUNCTIONS: ReadonlySet<string> = new Set(['NEAR', 'WITHIN', 'WITHIN_RECTANGLE']);

const call = (name: string, args: RExpr[]): RExpr => {
  const fn = FUNCTIONS[name];
  if (fn === undefined) throw new ArangoError('ERROR_INTERNAL', `no function ${name}`);
  return { k: 'call', name, fn, args };
};
const access = (doc: Variable, field: string): RExpr => field.split('.').reduce<RExpr>((obj, name) => ({ k: 'attr', obj, name }), { k: 'var', v: doc });
const at = (e: RExpr, i: number): RExpr => ({ k: 'index', obj: e, idx: { k: 'const', v: i } });
const typeMismatch = (message: string): ArangoError => new ArangoError('ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH', message);

/** The plan of the subquery replacing a call of `name` on `collection` with the (resolved) other arguments. */
export function legacyGeoPlan(name: LegacyName, collection: string, args: readonly RExpr[], indexes: readonly IndexDescription[], newVar: () => Variable): PlanNode[] {
  const index = indexes.find((ix) => ix.type === 'geo');
  if (index === undefined) throw new ArangoError('ERROR_QUERY_GEO_INDEX_MISSING', `no suitable geo index found for geo restriction on '${collection}'`);
  const doc = newVar();
  const [f0 = '', f1] = index.fields;
  const nodes: PlanNode[] = [{ type: 'SingletonNode' }, { type: 'EnumerateCollectionNode', collection, out: doc, materialize: false }];
  const arg = (i: number): RExpr => args[i] ?? { k: 'const', v: null };
  if (name === 'WITHIN_RECTANGLE') {
    const corner = (lat: RExpr, lon: RExpr): RExpr => ({ k: 'array', items: [lon, lat] });
    const [lat1, lon1, lat2, lon2] = [arg(0), arg(1), arg(2), arg(3)];
    const ring: RExpr = { k: 'array', items: [corner(lat1, lon1), corner(lat1, lon2), corner(lat2, lon2), corner(lat2, lon1), corner(lat1, lon1)] };
    const polygon: RExpr = { k: 'object', entries: [{ key: 'type', value: { k: 'const', v: 'Polygon' } }, { key: 'coordinates', value: { k: 'array', items: [ring] } }] };
    let point: RExpr;
    if (f1 !== undefined) point = { k: 'array', items: [access(doc, f1), access(doc, f0)] };
    else if (index.geoJson === true) point = access(doc, f0);
    else point = { k: 'array', items: [at(access(doc, f0), 1), at(access(doc, f0), 0)] };
    nodes.push({ type: 'FilterNode', expr: call('GEO_CONTAINS', [polygon, point]) });
    nodes.push({ type: 'ReturnNode', expr: { k: 'var', v: doc }, distinct: false });
    return nodes;
  }
  const [lat, lon, limitOrRadius, distanceName] = [arg(0), arg(1), args[2], args[3]];
  let distance: RExpr;
  if (f1 !== undefined) distance = call('DISTANCE', [access(doc, f0), access(doc, f1), lat, lon]);
  else if (index.geoJson === true) distance = call('GEO_DISTANCE', [{ k: 'array', items: [lon, lat] }, access(doc, f0)]);
  else distance = call('DISTANCE', [at(access(doc, f0), 0), at(access(doc, f0), 1), lat, lon]);
  if (distanceName !== undefined && !(distanceName.k === 'const' && typeof distanceName.v === 'string')) throw typeMismatch('distance argument is not a string');
  if (name === 'WITHIN') {
    if (limitOrRadius === undefined || limitOrRadius.k !== 'const' || typeof limitOrRadius.v !== 'number') throw typeMismatch('radius argument is not a numeric value');
    nodes.push({ type: 'FilterNode', expr: { k: 'binary', op: '<=', l: distance, r: limitOrRadius } });
  }
  nodes.push({ type: 'SortNode', keys: [{ expr: distance, ascending: true }], limit: undefined });
  if (name === 'NEAR') {
    const limit = limitOrRadius === undefined || (limitOrRadius.k === 'const' && limitOrRadius.v === null) ? 100 : limitOrRadius.k === 'const' ? limitOrRadius.v : undefined;
    if (typeof limit !== 'number' || !Number.isInteger(limit)) throw typeMismatch('limit parameter has wrong type');
    nodes.push({ type: 'LimitNode', offset: 0, count: Math.max(0, limit), fullCount: false });
  }
  let result: RExpr = { k: 'var', v: doc };
  if (distanceName !== undefined) {
    result = call('MERGE', [result, { k: 'object', entries: [{ key: distanceName.v as string, value: distance }] }]);
  }
  nodes.push({ type: 'ReturnNode', expr: result, distinct: false });
  return nodes;
}
