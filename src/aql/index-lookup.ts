import type { AqlDocument, IndexBound } from './data-source.ts';
import type { ExecContext } from './exec-context.ts';
import type { IndexLookup } from './plan-types.ts';
import type { CompileFn } from './pipeline-types.ts';
import { compareValues, isObject, toNumber } from './values.ts';
import { geoJsonCentroid } from '../common/index.ts';
import { splitId } from './functions/document-functions.ts';
import { unique } from './functions/array-functions.ts';

function tightest(bounds: readonly { v: unknown; inclusive: boolean }[], lower: boolean): IndexBound | undefined {
  let best: { v: unknown; inclusive: boolean } | undefined;
  for (const b of bounds) {
    if (best === undefined) { best = b; continue; }
    const r = compareValues(b.v, best.v);
    if ((lower && r > 0) || (!lower && r < 0) || (r === 0 && !b.inclusive)) best = b;
  }
  return best === undefined ? undefined : { value: best.v, inclusive: best.inclusive };
}

function sortedValues(v: unknown, reverse: boolean): unknown[] {
  if (!Array.isArray(v)) return [];
  const out = unique(v).sort(compareValues);
  return reverse ? out.reverse() : out;
}

/** The document stream of an IndexNode's lookup (primary, edge, persistent ranges, geo nearest-first). */
export function compileLookup(
  l: IndexLookup, coll: string, indexId: string, reverse: boolean, ctx: ExecContext, f: unknown[], c: CompileFn, slot: number,
): () => Iterable<AqlDocument> {
  const ds = ctx.dataSource;
  switch (l.kind) {
    case 'primary': {
      const values = c(l.values);
      return function* () {
        const v = values(f);
        for (const x of l.many ? sortedValues(v, reverse) : [v]) {
          if (typeof x !== 'string') continue;
          let key = x;
          if (l.byId) {
            const p = splitId(x);
            if (p === undefined || p.collection !== coll) continue;
            key = p.key;
          }
          const d = ds.document(coll, key);
          if (d !== undefined) yield d;
        }
      };
    }
    case 'edge': {
      const values = c(l.values);
      return function* () {
        const v = values(f);
        for (const x of l.many ? sortedValues(v, reverse) : [v]) {
          if (typeof x !== 'string') continue;
          yield* ds.edges(coll, l.direction, x);
        }
      };
    }
    case 'persistent': {
      const eq = l.equal.map((e) => ({ fn: c(e.expr), many: e.many }));
      const lo = l.lower.map((b) => ({ fn: c(b.expr), inclusive: b.inclusive }));
      const hi = l.upper.map((b) => ({ fn: c(b.expr), inclusive: b.inclusive }));
      return function* () {
        let tuples: unknown[][] = [[]];
        for (const e of eq) {
          const v = e.fn(f);
          const opts = e.many ? sortedValues(v, reverse) : [v];
          const next: unknown[][] = [];
          for (const t of tuples) for (const o of opts) next.push([...t, o]);
          tuples = next;
        }
        const lower = tightest(lo.map((b) => ({ v: b.fn(f), inclusive: b.inclusive })), true);
        const upper = tightest(hi.map((b) => ({ v: b.fn(f), inclusive: b.inclusive })), false);
        if (lower !== undefined && upper !== undefined) {
          const r = compareValues(lower.value, upper.value);
          if (r > 0 || (r === 0 && (!lower.inclusive || !upper.inclusive))) return;
        }
        for (const t of tuples) yield* ds.indexScan(coll, indexId, { equal: t, lower, upper, reverse });
      };
    }
    case 'geo': {
      const near = l.near.map((e) => c(e));
      const distance = l.distance === undefined ? undefined : c(l.distance);
      const maxDistance = l.maxDistance === undefined ? undefined : c(l.maxDistance);
      const region = l.region === undefined ? undefined : c(l.region);
      return function* () {
        let hit: Iterable<AqlDocument> | undefined;
        if (region !== undefined) {
          const shape = region(f);
          // GEO_CONTAINS of anything but a polygon warns for every document: the scan below does that
          const type = isObject(shape) ? shape['type'] : undefined;
          if (!l.contains || type === 'Polygon' || type === 'MultiPolygon') hit = ds.geoRegion?.(coll, indexId, shape);
        } else {
          const p = near.length === 2 ? { lat: toNumber(near[0]?.(f)), lon: toNumber(near[1]?.(f)) } : nearPoint(near[0]?.(f));
          const max = maxDistance?.(f);
          // a bound that is no number compares by type order: the scan below answers that
          if (p !== undefined && (maxDistance === undefined || (typeof max === 'number' && !Number.isNaN(max)))) {
            hit = ds.geoNear?.(coll, indexId, p.lat, p.lon, max as number | undefined);
          }
        }
        if (hit !== undefined) {
          yield* hit;
          return;
        }
        // no usable index here (a transaction's view, an invalid point or shape): the filters re-check a scan
        if (distance === undefined) {
          yield* ds.scan(coll);
          return;
        }
        // ... and the replaced SORT is done here
        const rows: Array<{ d: AqlDocument; k: unknown }> = [];
        const saved = f[slot];
        for (const d of ds.scan(coll)) {
          f[slot] = d;
          rows.push({ d, k: distance(f) });
          ctx.tick();
        }
        f[slot] = saved;
        rows.sort((a, b) => compareValues(a.k, b.k));
        for (const r of rows) yield r.d;
      };
    }
    case 'mdi': {
      const eq = l.equal.map((e) => c(e));
      const lo = l.lower.map((bs) => bs.map((b) => c(b)));
      const hi = l.upper.map((bs) => bs.map((b) => c(b)));
      return function* () {
        const box = mdiBox(lo.map((bs) => bs.map((b) => b(f))), hi.map((bs) => bs.map((b) => b(f))));
        if (box === null) return;
        const hit = ds.mdiScan?.(coll, indexId, eq.map((e) => e(f)), box.lower, box.upper);
        // no usable index here (a transaction's own writes): the filters re-check a scan
        yield* hit ?? ds.scan(coll);
      };
    }
  }
}

/**
 * The numeric box of an mdi lookup's bound values, or null when no number can satisfy them. A bound
 * that is no number compares by AQL's type order: null and booleans sort below every number,
 * strings, arrays and objects above.
 */
function mdiBox(lowers: readonly unknown[][], uppers: readonly unknown[][]): { lower: number[]; upper: number[] } | null {
  const below = (v: unknown): boolean => v === null || v === undefined || typeof v === 'boolean';
  const lower: number[] = [];
  const upper: number[] = [];
  for (let i = 0; i < lowers.length; i++) {
    let a = -Infinity;
    let b = Infinity;
    for (const v of lowers[i] ?? []) {
      if (typeof v === 'number') a = Math.max(a, v);
      else if (!below(v)) return null;
    }
    for (const v of uppers[i] ?? []) {
      if (typeof v === 'number') b = Math.min(b, v);
      else if (below(v)) return null;
    }
    if (a > b) return null;
    lower.push(a);
    upper.push(b);
  }
  return { lower, upper };
}

/** The point GEO_DISTANCE measures from (a GeoJSON geometry's centroid, a `[lon, lat]` pair) as (lat, lon); undefined for none. */
function nearPoint(v: unknown): { lat: number; lon: number } | undefined {
  const c = geoJsonCentroid(v);
  return c === null ? undefined : { lon: c[0], lat: c[1] };
}
