import type { AqlDocument } from './data-source.ts';
import type { ExecContext } from './exec-context.ts';
import type { PlanNode } from './plan-types.ts';
import type { CompileFn, StageFactory } from './pipeline-types.ts';
import { toBool } from './values.ts';
import { shortestPath, traverse, vertexId, type TraversalPath } from './traversal.ts';
import { findPaths } from './k-paths.ts';

// The executor's stages of the graph operations (traversals, shortest paths, k paths).

/** `FOR v, e, p IN min..max DIR start edges`: one row per path the traversal yields. */
export function traversalStage(n: Extract<PlanNode, { type: 'TraversalNode' }>, ctx: ExecContext, f: unknown[], c: CompileFn): StageFactory {
  const ds = ctx.dataSource;
  const start = c(n.start);
  const prune = n.prune === undefined ? undefined : c(n.prune);
  const pruneVar = n.pruneVar?.id;
  const vId = n.vertex.id;
  const eId = n.edge.id;
  const pId = n.path.id;
  const spec = {
    min: n.min, max: n.max, edges: n.edges, options: n.options,
    prune: prune === undefined ? undefined : () => {
      const r = prune(f);
      if (pruneVar !== undefined) f[pruneVar] = r;
      return toBool(r);
    },
    set: (v: AqlDocument | null, e: AqlDocument | null, p: TraversalPath) => { f[vId] = v; f[eId] = e; f[pId] = p; },
  };
  return function* (up, post) {
    for (const _ of up) {
      const sv = start(f);
      const id = vertexId(sv);
      if (id === undefined) {
        ctx.warn(10, `Invalid input for traversal: Only id strings or objects with _id are allowed`);
        continue;
      }
      for (const _r of traverse(ds, ctx, spec, id)) {
        if (post !== undefined && !post(f)) continue;
        yield undefined;
      }
    }
  };
}

/** K_PATHS / K_SHORTEST_PATHS / ALL_SHORTEST_PATHS: one row per path. */
export function kPathsStage(n: Extract<PlanNode, { type: 'KPathsNode' }>, ctx: ExecContext, f: unknown[], c: CompileFn): StageFactory {
  const ds = ctx.dataSource;
  const start = c(n.start);
  const target = c(n.target);
  const pId = n.path.id;
  return function* (up, post) {
    for (const _ of up) {
      const a = vertexId(start(f));
      const b = vertexId(target(f));
      if (a === undefined || b === undefined) {
        ctx.warn(10, `Invalid input for ${n.mode}: Only id strings or objects with _id are allowed`);
        continue;
      }
      for (const p of findPaths(ds, ctx, n.mode, n.edges, n.options, a, b, n.min, n.max)) {
        f[pId] = p;
        if (post !== undefined && !post(f)) continue;
        yield undefined;
      }
    }
  };
}

/** SHORTEST_PATH: one row per vertex of the path (with the edge that led there). */
export function shortestPathStage(n: Extract<PlanNode, { type: 'ShortestPathNode' }>, ctx: ExecContext, f: unknown[], c: CompileFn): StageFactory {
  const ds = ctx.dataSource;
  const start = c(n.start);
  const target = c(n.target);
  const vId = n.vertex.id;
  const eId = n.edge?.id;
  return function* (up, post) {
    for (const _ of up) {
      const a = vertexId(start(f));
      const b = vertexId(target(f));
      if (a === undefined || b === undefined) {
        ctx.warn(10, 'Invalid input for Shortest Path: Only id strings or objects with _id are allowed');
        continue;
      }
      const path = shortestPath(ds, ctx, n.edges, n.options, a, b);
      if (path === undefined) continue;
      for (let i = 0; i < path.vertices.length; i++) {
        f[vId] = path.vertices[i] ?? null;
        if (eId !== undefined) f[eId] = path.edges[i] ?? null;
        if (post !== undefined && !post(f)) continue;
        yield undefined;
      }
    }
  };
}
