import type { IndexDescription } from './data-source.ts';
import { rexprToJson } from './ast-json.ts';
import type { IndexLookup, PlanNode, RExpr, Variable } from './plan-types.ts';
import { attributePath, isDeterministic, nodeSets, varsOf } from './plan-utils.ts';

/**
 * Geo index use (ArangoDB's geo-index-optimizer) for a FOR over a collection at position `at`:
 *
 * - `FILTER GEO_DISTANCE(p, doc.f) <= r` (or `<`, either side, the arguments either way round),
 *   `FILTER DISTANCE(doc.lat, doc.lon, lat, lon) <= r`, `FILTER GEO_IN_RANGE(doc.f, p, lo, hi…)`:
 *   the documents within r of p, nearest first (so a following `SORT` by the same distance goes);
 * - `FILTER GEO_CONTAINS(shape, doc.f)` / `GEO_INTERSECTS(shape, doc.f)`: the documents stored in
 *   the cells of the shape's boxes (storage/geo-cover.ts), unordered;
 * - only a one-key ascending `SORT GEO_DISTANCE / DISTANCE`: everything, nearest first.
 *
 * The filters stay in the plan and re-check every document the index yields, so the index only
 * has to deliver a superset (in distance order where it replaces the SORT). The document side is
 * `doc.f` for a geoJson index on f, `[doc.lon, doc.lat]` / `doc.lat, doc.lon` for an index on
 * [lat, lon], `[doc.f[1], doc.f[0]]` / `doc.f[0], doc.f[1]` for a non-geoJson index on f ([lat, lon]).
 * Distances must be on the sphere (no "wgs84" argument).
 */

/** A geo index plan: the lookup, the filters it serves (shown as its condition; they stay) and whether it replaces the SORT. */
export interface GeoChoice {
  readonly index: IndexDescription;
  readonly lookup: Extract<IndexLookup, { kind: 'geo' }>;
  readonly filters: number[];
  readonly removesSort: boolean;
  readonly score: number;
}

/** Scores next to the other index candidates (optimizer.ts): below one equality (10), above ranges. */
const DISTANCE_SCORE = 9;
const REGION_SCORE = 8;
const SORTED_BONUS = 5;

interface Term {
  readonly index: IndexDescription;
  /** `[point]` (GEO_DISTANCE's reading) or `[lat, lon]` (DISTANCE's). */
  readonly near: readonly RExpr[];
}

const same = (a: RExpr, b: RExpr): boolean => JSON.stringify(rexprToJson(a)) === JSON.stringify(rexprToJson(b));
const isConst = (e: RExpr | undefined, v: unknown): boolean => e !== undefined && e.k === 'const' && e.v === v;

/** The geo choices for the FOR at `at` (best first); `sortAt` is the SORT that may follow (or -1). */
export function geoChoices(nodes: readonly PlanNode[], at: number, out: Variable, indexes: readonly IndexDescription[], sortAt: number): GeoChoice[] {
  const geo = indexes.filter((ix) => ix.type === 'geo');
  if (geo.length === 0) return [];
  // variables set after the FOR (the document, LETs): index lookups must not read them
  const setAfter = (until: number): Set<number> => {
    const s = new Set<number>([out.id]);
    for (let j = at + 1; j < until; j++) { const m = nodes[j]; if (m !== undefined) for (const v of nodeSets(m)) s.add(v.id); }
    return s;
  };
  /** A LET variable defined after the FOR stands for its expression. */
  const expand = (e: RExpr, until: number): RExpr => {
    if (e.k !== 'var') return e;
    for (let j = at + 1; j < until; j++) {
      const m = nodes[j];
      if (m?.type === 'CalculationNode' && m.out.id === e.v.id && isDeterministic(m.expr)) return m.expr;
    }
    return e;
  };
  const path = (e: RExpr | undefined): string | undefined => (e === undefined ? undefined : attributePath(e, out)?.join('.'));
  const element = (e: RExpr | undefined, i: number): string | undefined => (e?.k === 'index' && isConst(e.idx, i) ? path(e.obj) : undefined);
  const byFields = (fields: readonly string[], geoJson?: boolean): IndexDescription | undefined =>
    geo.find((ix) => ix.fields.join('\0') === fields.join('\0') && (geoJson === undefined || fields.length === 2 || (ix.geoJson === true) === geoJson));
  /** The index of a document-side GeoJSON argument (GEO_DISTANCE, GEO_CONTAINS, GEO_INTERSECTS). */
  const docShape = (e: RExpr): IndexDescription | undefined => {
    const f = path(e);
    if (f !== undefined) return byFields([f], true);
    if (e.k !== 'array' || e.items.length !== 2) return undefined;
    const [lon, lat] = e.items;
    const lonPath = path(lon);
    const latPath = path(lat);
    if (lonPath !== undefined && latPath !== undefined) return byFields([latPath, lonPath]);
    const f1 = element(lon, 1);
    return f1 !== undefined && f1 === element(lat, 0) ? byFields([f1], false) : undefined;
  };
  /** A distance of a document from a point that does not depend on the loop. */
  const term = (raw: RExpr, until: number): Term | undefined => {
    const e = expand(raw, until);
    if (e.k !== 'call') return undefined;
    const later = setAfter(until);
    const invariant = (x: RExpr): boolean => { for (const id of varsOf(x)) if (later.has(id)) return false; return isDeterministic(x); };
    const [a, b, c, d] = e.args;
    if (e.name === 'GEO_DISTANCE' && a !== undefined && b !== undefined && (e.args.length === 2 || isConst(c, 'sphere'))) {
      for (const [docSide, point] of [[a, b], [b, a]] as const) {
        const index = docShape(docSide);
        if (index !== undefined && invariant(point)) return { index, near: [point] };
      }
      return undefined;
    }
    if (e.name === 'DISTANCE' && e.args.length === 4 && a !== undefined && b !== undefined && c !== undefined && d !== undefined) {
      for (const [lat, lon, pLat, pLon] of [[a, b, c, d], [c, d, a, b]] as const) {
        if (!invariant(pLat) || !invariant(pLon)) continue;
        const latPath = path(lat);
        const lonPath = path(lon);
        let index: IndexDescription | undefined;
        if (latPath !== undefined && lonPath !== undefined) index = byFields([latPath, lonPath]);
        else {
          const f0 = element(lat, 0);
          if (f0 !== undefined && f0 === element(lon, 1)) index = byFields([f0], false);
        }
        if (index !== undefined) return { index, near: [pLat, pLon] };
      }
    }
    return undefined;
  };

  const distances: { at: number; term: Term; max: RExpr }[] = [];
  const regions: { at: number; index: IndexDescription; shape: RExpr; contains: boolean }[] = [];
  for (let i = at + 1; i < nodes.length; i++) {
    const n = nodes[i];
    if (n === undefined) break;
    if (n.type === 'CalculationNode' || n.type === 'SubqueryNode') continue;
    if (n.type !== 'FilterNode') break;
    const later = setAfter(i);
    const invariant = (x: RExpr): boolean => { for (const id of varsOf(x)) if (later.has(id)) return false; return isDeterministic(x); };
    const e = expand(n.expr, i);
    if (e.k === 'binary' && (e.op === '<=' || e.op === '<' || e.op === '>=' || e.op === '>')) {
      const [dist, bound] = e.op === '<=' || e.op === '<' ? [e.l, e.r] : [e.r, e.l];
      const t = term(dist, i);
      if (t !== undefined && invariant(bound)) distances.push({ at: i, term: t, max: bound });
      continue;
    }
    if (e.k !== 'call') continue;
    const [a, b, , hi] = e.args;
    if (e.name === 'GEO_IN_RANGE' && a !== undefined && b !== undefined && hi !== undefined && (e.args.length < 7 || isConst(e.args[6], 'sphere'))) {
      const t = term({ k: 'call', name: 'GEO_DISTANCE', fn: e.fn, args: [a, b] }, i);
      if (t !== undefined && invariant(hi)) distances.push({ at: i, term: t, max: hi });
      continue;
    }
    if ((e.name === 'GEO_CONTAINS' || e.name === 'GEO_INTERSECTS') && e.args.length === 2 && a !== undefined && b !== undefined) {
      // containment only of the document in the shape; intersection either way round
      const sides: (readonly [RExpr, RExpr])[] = e.name === 'GEO_CONTAINS' ? [[a, b]] : [[a, b], [b, a]];
      for (const [shape, docSide] of sides) {
        const index = docShape(docSide);
        if (index !== undefined && invariant(shape)) { regions.push({ at: i, index, shape, contains: e.name === 'GEO_CONTAINS' }); break; }
      }
    }
  }

  // a one-key ascending SORT by a distance the index can deliver
  const sortNode = sortAt >= 0 ? nodes[sortAt] : undefined;
  const sortKey = sortNode?.type === 'SortNode' && sortNode.keys.length === 1 && sortNode.keys[0]?.ascending === true ? sortNode.keys[0].expr : undefined;
  const sortTerm = sortKey === undefined ? undefined : term(sortKey, sortAt);
  // what the fallback scan sorts by: the SORT's expression (a LET variable is not computed yet there)
  const sortExpr = sortKey === undefined ? undefined : expand(sortKey, sortAt);
  const sorts = (t: Term): boolean => sortTerm !== undefined && sortTerm.index === t.index && sortTerm.near.length === t.near.length && sortTerm.near.every((x, k) => same(x, t.near[k] as RExpr));

  const choices: GeoChoice[] = [];
  for (const d of distances) {
    const sorted = sorts(d.term);
    choices.push({
      index: d.term.index, filters: [d.at], removesSort: sorted, score: DISTANCE_SCORE + (sorted ? SORTED_BONUS : 0),
      lookup: { kind: 'geo', near: d.term.near, distance: sorted ? sortExpr : undefined, maxDistance: d.max, region: undefined, contains: false },
    });
  }
  for (const r of regions) {
    choices.push({
      index: r.index, filters: [r.at], removesSort: false, score: REGION_SCORE,
      lookup: { kind: 'geo', near: [], distance: undefined, maxDistance: undefined, region: r.shape, contains: r.contains },
    });
  }
  if (sortTerm !== undefined && sortExpr !== undefined) {
    choices.push({
      index: sortTerm.index, filters: [], removesSort: true, score: 0,
      lookup: { kind: 'geo', near: sortTerm.near, distance: sortExpr, maxDistance: undefined, region: undefined, contains: false },
    });
  }
  return choices.sort((x, y) => y.score - x.score);
}
