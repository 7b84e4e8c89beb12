import type { AqlDocument, IndexBound } from './data-source.ts';
import type { ExecContext } from './exec-context.ts';
import type { IndexLookup } from './plan-types.ts';
import type { CompileFn } from './pipeline-types.ts';
import { compareValues, toNumber } from './values.ts';
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
      const distance = c(l.distance);
      return function* () {
        const p = near.length === 2 ? { lat: toNumber(near[0]?.(f)), lon: toNumber(near[1]?.(f)) } : nearPoint(near[0]?.(f));
        const hit = p === undefined ? undefined : ds.geoNear?.(coll, indexId, p.lat, p.lon);
        if (hit !== undefined) {
          yield* hit;
          return;
        }
        // no usable index here (a transaction's view, an invalid point): what the replaced SORT did
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
  }
}

/** A GeoJSON Point or `[lon, lat]` pair as (lat, lon); undefined otherwise. */
function nearPoint(v: unknown): { lat: number; lon: number } | undefined {
  const pos = (x: unknown): x is [number, number] => Array.isArray(x) && x.length >= 2 && typeof x[0] === 'number' && typeof x[1] === 'number';
  if (pos(v)) return { lon: v[0], lat: v[1] };
  if (typeof v === 'object' && v !== null && (v as Record<string, unknown>)['type'] === 'Point') {
    const co = (v as Record<string, unknown>)['coordinates'];
    if (pos(co)) return { lon: co[0], lat: co[1] };
  }
  return undefined;
}
