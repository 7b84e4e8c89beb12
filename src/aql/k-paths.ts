import type { AqlDocument, DataSource } from './data-source.ts';
import type { ExecContext } from './exec-context.ts';
import type { EdgeSpec, TraversalOptions } from './plan-types.ts';
import { getAttr } from './compile-expr.ts';
import { neighbors, VertexCache } from './traversal.ts';

/** The kind of path search of `FOR p IN ... K_PATHS / K_SHORTEST_PATHS / ALL_SHORTEST_PATHS`. */
export type PathSearchMode = 'K_PATHS' | 'K_SHORTEST_PATHS' | 'ALL_SHORTEST_PATHS';

/** One result path: vertex and edge documents; `weight` only for K_SHORTEST_PATHS. */
export interface FoundPath {
  readonly vertices: (AqlDocument | null)[];
  readonly edges: AqlDocument[];
  readonly weight?: number;
}

interface Partial {
  readonly ids: readonly string[];
  readonly edges: readonly AqlDocument[];
  readonly weight: number;
}

function toPath(p: Partial, cache: VertexCache, withWeight: boolean): FoundPath {
  const vertices = p.ids.map((id) => cache.get(id));
  return withWeight ? { vertices, edges: [...p.edges], weight: p.weight } : { vertices, edges: [...p.edges] };
}

/** A binary min-heap of partial paths by weight (ties: fewer edges first). */
class PathHeap {
  private readonly items: Partial[] = [];
  get size(): number {
    return this.items.length;
  }
  private less(a: Partial, b: Partial): boolean {
    return a.weight < b.weight || (a.weight === b.weight && a.edges.length < b.edges.length);
  }
  push(p: Partial): void {
    const a = this.items;
    a.push(p);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const x = a[i];
      const y = a[parent];
      if (x === undefined || y === undefined || !this.less(x, y)) break;
      a[i] = y;
      a[parent] = x;
      i = parent;
    }
  }
  pop(): Partial | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        const at = (k: number): Partial | undefined => a[k];
        const cm = at(m);
        const cl = at(l);
        const cr = at(r);
        if (cl !== undefined && cm !== undefined && this.less(cl, cm)) m = l;
        const cm2 = at(m);
        if (cr !== undefined && cm2 !== undefined && this.less(cr, cm2)) m = r;
        if (m === i) break;
        const t = a[i];
        const u = a[m];
        if (t === undefined || u === undefined) break;
        a[i] = u;
        a[m] = t;
        i = m;
      }
    }
    return top;
  }
}

/**
 * Enumerates the paths from `from` to `to` lazily (a LIMIT stops the search):
 * - K_PATHS: every path without a repeated vertex whose length is within [min, max], shortest first;
 * - K_SHORTEST_PATHS: simple paths by increasing weight (`weightAttribute`/`defaultWeight`, else 1 per edge);
 * - ALL_SHORTEST_PATHS: every path of the minimal number of edges.
 */
export function* findPaths(
  ds: DataSource, ctx: ExecContext, mode: PathSearchMode, edges: readonly EdgeSpec[], options: TraversalOptions,
  from: string, to: string, min: number, max: number,
): Generator<FoundPath> {
  const cache = new VertexCache(ds);
  if (cache.get(from) === null || cache.get(to) === null) return;
  const weightOf = (e: AqlDocument): number => {
    if (options.weightAttribute === undefined) return 1;
    const w = getAttr(e, options.weightAttribute);
    return typeof w === 'number' ? w : options.defaultWeight;
  };
  if (mode === 'K_SHORTEST_PATHS') {
    const heap = new PathHeap();
    heap.push({ ids: [from], edges: [], weight: 0 });
    while (heap.size > 0) {
      const p = heap.pop();
      if (p === undefined) break;
      const last = p.ids[p.ids.length - 1] ?? from;
      if (last === to) {
        yield toPath(p, cache, true);
        continue;
      }
      for (const [e, n] of neighbors(ds, ctx, edges, last, options.vertexCollections)) {
        ctx.tick();
        if (p.ids.includes(n)) continue;
        heap.push({ ids: [...p.ids, n], edges: [...p.edges, e], weight: p.weight + weightOf(e) });
      }
    }
    return;
  }
  // breadth-first by length: K_PATHS keeps going up to max, ALL_SHORTEST_PATHS stops at the first hit
  let level: Partial[] = [{ ids: [from], edges: [], weight: 0 }];
  const limit = mode === 'K_PATHS' ? max : Infinity;
  // ALL_SHORTEST_PATHS: a vertex first reached at depth d is never extended from a longer path
  const depthOf = new Map<string, number>([[from, 0]]);
  if (from === to && (mode === 'ALL_SHORTEST_PATHS' || min === 0)) {
    yield toPath(level[0] ?? { ids: [from], edges: [], weight: 0 }, cache, false);
    if (mode === 'ALL_SHORTEST_PATHS') return;
  }
  for (let depth = 1; depth <= limit && level.length > 0; depth++) {
    const next: Partial[] = [];
    let hit = false;
    for (const p of level) {
      const last = p.ids[p.ids.length - 1] ?? from;
      for (const [e, n] of neighbors(ds, ctx, edges, last, options.vertexCollections)) {
        ctx.tick();
        if (p.ids.includes(n)) continue;
        if (mode === 'ALL_SHORTEST_PATHS') {
          const seen = depthOf.get(n);
          if (seen !== undefined && seen < depth) continue;
          depthOf.set(n, depth);
        }
        const q: Partial = { ids: [...p.ids, n], edges: [...p.edges, e], weight: depth };
        if (n === to) {
          hit = true;
          if (depth >= min) yield toPath(q, cache, false);
          if (mode === 'ALL_SHORTEST_PATHS') continue;
        }
        if (n !== to) next.push(q);
      }
    }
    if (mode === 'ALL_SHORTEST_PATHS' && hit) return;
    level = next;
  }
}
