import type { AqlDocument, DataSource } from './data-source.ts';
import type { ExecContext } from './exec-context.ts';
import type { EdgeSpec, TraversalOptions } from './plan-types.ts';
import { splitId } from './functions/document-functions.ts';
import { getAttr } from './compile-expr.ts';
import { isObject, toBool, toNumber } from './values.ts';

/** A path as AQL exposes it (`p` in `FOR v, e, p IN ...`). */
export interface TraversalPath {
  readonly vertices: (AqlDocument | null)[];
  readonly edges: AqlDocument[];
}

/** Resolves a start/target vertex value (id string or document) to an id; undefined if invalid. */
export function vertexId(v: unknown): string | undefined {
  if (typeof v === 'string') return splitId(v) === undefined ? undefined : v;
  if (isObject(v) && typeof v['_id'] === 'string') return v['_id'];
  return undefined;
}

/** Fetches vertices by id with a per-traversal cache. */
export class VertexCache {
  private readonly cache = new Map<string, AqlDocument | null>();
  constructor(private readonly ds: DataSource) {}
  get(id: string): AqlDocument | null {
    let d = this.cache.get(id);
    if (d === undefined) {
      const p = splitId(id);
      d = p === undefined || this.ds.collection(p.collection) === undefined ? null : this.ds.document(p.collection, p.key) ?? null;
      this.cache.set(id, d);
    }
    return d;
  }
}

/** True when `id` belongs to one of `only` (the `vertexCollections` option), or there is no restriction. */
function inCollections(id: string, only: ReadonlySet<string> | undefined): boolean {
  if (only === undefined) return true;
  const slash = id.indexOf('/');
  return slash > 0 && only.has(id.slice(0, slash));
}

/** Edges adjacent to a vertex with the vertex at the other end (restricted to `only` vertex collections). */
export function* neighbors(
  ds: DataSource, ctx: ExecContext, edges: readonly EdgeSpec[], id: string, only?: ReadonlySet<string>,
): Generator<[AqlDocument, string]> {
  for (const spec of edges) {
    if (spec.direction === 'OUTBOUND' || spec.direction === 'ANY') {
      for (const e of ds.edges(spec.collection, 'out', id)) {
        ctx.stats.scannedIndex++;
        const to = e['_to'] as string;
        if (inCollections(to, only)) yield [e, to];
      }
    }
    if (spec.direction === 'INBOUND' || spec.direction === 'ANY') {
      for (const e of ds.edges(spec.collection, 'in', id)) {
        ctx.stats.scannedIndex++;
        const from = e['_from'] as string;
        if (inCollections(from, only)) yield [e, from];
      }
    }
  }
}

/** Settings of one traversal run. */
export interface TraverseSpec {
  readonly min: number;
  readonly max: number;
  readonly edges: readonly EdgeSpec[];
  readonly options: TraversalOptions;
  /** Evaluates PRUNE for the current v/e/p (already written to the frame by `emit`). */
  readonly prune: (() => boolean) | undefined;
  /** Writes v/e/p into the frame. */
  readonly set: (v: AqlDocument | null, e: AqlDocument | null, p: TraversalPath) => void;
}

/** Runs a traversal from `startId`; yields once per emitted path after calling `spec.set`. */
export function* traverse(ds: DataSource, ctx: ExecContext, spec: TraverseSpec, startId: string): Generator<void> {
  const cache = new VertexCache(ds);
  const start = cache.get(startId);
  const { options } = spec;
  const visited = new Set<string>([startId]);
  const pruned = (): boolean => spec.prune !== undefined && spec.prune();
  const startPath: TraversalPath = { vertices: [start], edges: [] };
  spec.set(start, null, startPath);
  const startPruned = pruned();
  if (spec.min === 0) yield;
  if (startPruned || spec.max === 0) return;

  const allowed = (pathIds: readonly string[], pathEdges: readonly AqlDocument[], e: AqlDocument, next: string): boolean => {
    if (options.uniqueEdges === 'path' && pathEdges.some((x) => x._id === e._id)) return false;
    if (options.uniqueVertices === 'path' && pathIds.includes(next)) return false;
    if (options.uniqueVertices === 'global') {
      if (visited.has(next)) return false;
      visited.add(next);
    }
    return true;
  };

  if (options.order === 'bfs') {
    interface State { id: string; ids: string[]; vertices: (AqlDocument | null)[]; edges: AqlDocument[] }
    let level: State[] = [{ id: startId, ids: [startId], vertices: [start], edges: [] }];
    for (let depth = 1; depth <= spec.max && level.length > 0; depth++) {
      const nextLevel: State[] = [];
      for (const s of level) {
        for (const [e, next] of neighbors(ds, ctx, spec.edges, s.id, options.vertexCollections)) {
          ctx.tick();
          if (!allowed(s.ids, s.edges, e, next)) continue;
          const v = cache.get(next);
          const st: State = { id: next, ids: [...s.ids, next], vertices: [...s.vertices, v], edges: [...s.edges, e] };
          spec.set(v, e, { vertices: st.vertices, edges: st.edges });
          const stop = pruned();
          if (depth >= spec.min) yield;
          if (!stop && depth < spec.max) nextLevel.push(st);
        }
      }
      level = nextLevel;
    }
    return;
  }

  const ids: string[] = [startId];
  const vertices: (AqlDocument | null)[] = [start];
  const pathEdges: AqlDocument[] = [];
  function* dfs(id: string, depth: number): Generator<void> {
    for (const [e, next] of neighbors(ds, ctx, spec.edges, id, options.vertexCollections)) {
      ctx.tick();
      if (!allowed(ids, pathEdges, e, next)) continue;
      const v = cache.get(next);
      ids.push(next);
      vertices.push(v);
      pathEdges.push(e);
      spec.set(v, e, { vertices: [...vertices], edges: [...pathEdges] });
      const stop = pruned();
      if (depth + 1 >= spec.min) yield;
      if (!stop && depth + 1 < spec.max) yield* dfs(next, depth + 1);
      ids.pop();
      vertices.pop();
      pathEdges.pop();
    }
  }
  yield* dfs(startId, 0);
}

/** Shortest path (BFS, or Dijkstra with `weightAttribute`): the vertices and edges in order, or undefined. */
export function shortestPath(
  ds: DataSource, ctx: ExecContext, edges: readonly EdgeSpec[], options: TraversalOptions, from: string, to: string,
): { vertices: (AqlDocument | null)[]; edges: (AqlDocument | null)[] } | undefined {
  const cache = new VertexCache(ds);
  if (from === to) return { vertices: [cache.get(from)], edges: [null] };
  const prev = new Map<string, { id: string; edge: AqlDocument }>();
  const weight = (e: AqlDocument): number => {
    if (options.weightAttribute === undefined) return 1;
    const w = getAttr(e, options.weightAttribute);
    return typeof w === 'number' ? w : options.defaultWeight;
  };
  let found = false;
  if (options.weightAttribute === undefined) {
    const seen = new Set<string>([from]);
    let level = [from];
    while (level.length > 0 && !found) {
      const next: string[] = [];
      for (const id of level) {
        for (const [e, n] of neighbors(ds, ctx, edges, id, options.vertexCollections)) {
          ctx.tick();
          if (seen.has(n)) continue;
          seen.add(n);
          prev.set(n, { id, edge: e });
          if (n === to) { found = true; break; }
          next.push(n);
        }
        if (found) break;
      }
      level = next;
    }
  } else {
    const dist = new Map<string, number>([[from, 0]]);
    const done = new Set<string>();
    for (;;) {
      let cur: string | undefined;
      let best = Infinity;
      for (const [id, d] of dist) if (!done.has(id) && d < best) { best = d; cur = id; }
      if (cur === undefined) break;
      if (cur === to) { found = true; break; }
      done.add(cur);
      for (const [e, n] of neighbors(ds, ctx, edges, cur, options.vertexCollections)) {
        ctx.tick();
        const nd = best + toNumber(weight(e));
        if (!done.has(n) && nd < (dist.get(n) ?? Infinity)) { dist.set(n, nd); prev.set(n, { id: cur, edge: e }); }
      }
    }
  }
  if (!found) return undefined;
  const vs: (AqlDocument | null)[] = [];
  const es: (AqlDocument | null)[] = [];
  let cur = to;
  while (cur !== from) {
    const p = prev.get(cur);
    if (p === undefined) return undefined;
    vs.unshift(cache.get(cur));
    es.unshift(p.edge);
    cur = p.id;
  }
  vs.unshift(cache.get(from));
  es.unshift(null);
  return { vertices: vs, edges: es };
}
void toBool;
