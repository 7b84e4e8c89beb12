import { ArangoError } from '../errors/index.ts';
import type { AqlDocument, IndexBound } from './data-source.ts';
import type { ExecContext } from './exec-context.ts';
import { compileExpr, type Compiled } from './compile-expr.ts';
import type { IndexLookup, PlanNode } from './plan-types.ts';
import { compareStrings, compareValues, estimateSize, toBool, toNumber, typeName, valueKey } from './values.ts';
import { createAggregator, type Aggregator } from './aggregators.ts';
import { compileModification } from './modify.ts';
import { shortestPath, traverse, vertexId, type TraversalPath } from './traversal.ts';
import { splitId } from './functions/document-functions.ts';
import { windowStage } from './window-stage.ts';
import { findPaths } from './k-paths.ts';
import { unique } from './functions/array-functions.ts';

/** A row stream: yields `undefined` per row, or the returned value after a ReturnNode. */
type Rows = Iterable<unknown>;
type Op = (f: unknown[]) => boolean;
type StageFactory = (up: Rows, post: Op | undefined) => Rows;

/** A compiled pipeline: `run()` starts it from its singleton row. */
export interface CompiledPipeline {
  run(): Rows;
  /** True when the pipeline ends in RETURN (its rows are values). */
  readonly returns: boolean;
}

function combine(ops: Op[]): Op | undefined {
  if (ops.length === 0) return undefined;
  if (ops.length === 1) return ops[0];
  return (f) => {
    for (const o of ops) if (!o(f)) return false;
    return true;
  };
}

/** Compiles a plan pipeline into nested generators over one shared frame. */
export function compilePipeline(nodes: readonly PlanNode[], ctx: ExecContext, f: unknown[]): CompiledPipeline {
  const c = (e: Parameters<typeof compileExpr>[0]): Compiled => compileExpr(e, ctx);
  const stages: { make: StageFactory; ops: Op[] }[] = [];
  const addOp = (op: Op): void => {
    const last = stages[stages.length - 1];
    if (last === undefined) throw new ArangoError('ERROR_INTERNAL', 'pipeline without singleton');
    last.ops.push(op);
  };
  for (const n of nodes) {
    switch (n.type) {
      case 'SingletonNode':
        stages.push({ ops: [], make: (_up, post) => singleton(f, post) });
        break;
      case 'CalculationNode': {
        const e = c(n.expr);
        const id = n.out.id;
        addOp((fr) => { fr[id] = e(fr); return true; });
        break;
      }
      case 'FilterNode': {
        const e = c(n.expr);
        addOp((fr) => {
          if (toBool(e(fr))) return true;
          ctx.stats.filtered++;
          return false;
        });
        break;
      }
      case 'SubqueryNode': {
        const sub = compilePipeline(n.plan, ctx, f);
        const id = n.out.id;
        const guard = n.guard === undefined ? undefined : c(n.guard);
        addOp((fr) => {
          if (guard !== undefined && !toBool(guard(fr))) { fr[id] = []; return true; }
          const out: unknown[] = [];
          for (const v of sub.run()) if (sub.returns) out.push(v ?? null);
          if (ctx.preciseMemory) { const s = estimateSize(out); ctx.track(s); ctx.track(-s); }
          fr[id] = out;
          return true;
        });
        break;
      }
      case 'InsertNode': case 'UpdateNode': case 'ReplaceNode': case 'RemoveNode': case 'UpsertNode': {
        addOp(compileModification(n, ctx, c));
        break;
      }
      default:
        stages.push({ ops: [], make: stageFor(n, ctx, f, c) });
    }
  }
  const last = nodes[nodes.length - 1];
  return {
    returns: last?.type === 'ReturnNode',
    run(): Rows {
      let rows: Rows = [];
      for (const s of stages) rows = s.make(rows, combine(s.ops));
      return rows;
    },
  };
}

function* singleton(f: unknown[], post: Op | undefined): Generator<unknown> {
  if (post === undefined || post(f)) yield undefined;
}

function stageFor(n: PlanNode, ctx: ExecContext, f: unknown[], c: (e: Parameters<typeof compileExpr>[0]) => Compiled): StageFactory {
  const ds = ctx.dataSource;
  switch (n.type) {
    case 'EnumerateCollectionNode': {
      const slot = n.out.id;
      const coll = n.collection;
      const materialize = n.materialize;
      return function* (up, post) {
        for (const _ of up) {
          const source: Iterable<AqlDocument> = materialize ? Array.from(ds.scan(coll)) : ds.scan(coll);
          for (const d of source) {
            ctx.stats.scannedFull++;
            ctx.tick();
            f[slot] = d;
            if (post !== undefined && !post(f)) continue;
            yield undefined;
          }
        }
      };
    }
    case 'IndexNode': {
      const slot = n.out.id;
      const lookup = compileLookup(n.lookup, n.collection, n.index.id, n.reverse, ctx, f, c, slot);
      const materialize = n.materialize;
      return function* (up, post) {
        for (const _ of up) {
          const source = materialize ? Array.from(lookup()) : lookup();
          for (const d of source) {
            ctx.stats.scannedIndex++;
            ctx.tick();
            f[slot] = d;
            if (post !== undefined && !post(f)) continue;
            yield undefined;
          }
        }
      };
    }
    case 'EnumerateListNode': {
      const slot = n.out.id;
      const e = n.expr;
      if (e.k === 'binary' && e.op === '..') {
        // a range is enumerated lazily so FOR i IN 1..1e12 does not materialize
        const lo = c(e.l);
        const hi = c(e.r);
        return function* (up, post) {
          for (const _ of up) {
            const a = Math.trunc(toNumber(lo(f)));
            const b = Math.trunc(toNumber(hi(f)));
            const step = a <= b ? 1 : -1;
            for (let x = a; step > 0 ? x <= b : x >= b; x += step) {
              ctx.tick();
              f[slot] = x;
              if (post !== undefined && !post(f)) continue;
              yield undefined;
            }
          }
        };
      }
      const expr = c(e);
      return function* (up, post) {
        for (const _ of up) {
          const v = expr(f);
          if (!Array.isArray(v)) {
            throw new ArangoError('ERROR_QUERY_ARRAY_EXPECTED', `collection or array expected as operand to FOR loop; you provided a value of type '${typeName(v)}'`);
          }
          for (const x of v) {
            ctx.tick();
            f[slot] = x;
            if (post !== undefined && !post(f)) continue;
            yield undefined;
          }
        }
      };
    }
    case 'SortNode': {
      const keys = n.keys.map((k) => ({ fn: c(k.expr), dir: k.ascending ? 1 : -1 }));
      const limit = n.limit;
      const cmp = (a: { k: unknown[] }, b: { k: unknown[] }): number => {
        for (let i = 0; i < keys.length; i++) {
          const r = compareValues(a.k[i], b.k[i]);
          if (r !== 0) return r * (keys[i]?.dir ?? 1);
        }
        return 0;
      };
      return function* (up, post) {
        let rows: { k: unknown[]; s: unknown[] }[] = [];
        let bytes = 0;
        for (const _ of up) {
          const row = { k: keys.map((k) => k.fn(f)), s: f.slice() };
          const size = ctx.preciseMemory ? estimateSize(row.k) + estimateSize(row.s) : 16 * (row.s.length + row.k.length);
          bytes += size;
          ctx.track(size);
          rows.push(row);
          if (limit !== undefined && rows.length >= limit * 2 + 64) {
            rows.sort(cmp);
            rows = rows.slice(0, limit);
          }
        }
        rows.sort(cmp);
        if (limit !== undefined && rows.length > limit) rows = rows.slice(0, limit);
        try {
          for (const r of rows) {
            for (let i = 0; i < r.s.length; i++) f[i] = r.s[i];
            if (post !== undefined && !post(f)) continue;
            yield undefined;
          }
        } finally {
          ctx.track(-bytes);
        }
      };
    }
    case 'LimitNode': {
      const { offset, count, fullCount } = n;
      return function* (up, post) {
        let seen = 0;
        let taken = 0;
        if (count === 0 && !fullCount) return;
        for (const _ of up) {
          seen++;
          if (seen <= offset) continue;
          if (taken < count) {
            if (post !== undefined && !post(f)) { taken++; continue; }
            taken++;
            yield undefined;
            if (taken >= count && !fullCount) return;
          }
        }
        if (fullCount) ctx.stats.fullCount = seen;
      };
    }
    case 'CollectNode': return collectStage(n, ctx, f, c);
    case 'WindowNode': return windowStage(n, ctx, f, c);
    case 'ReturnNode': {
      const expr = c(n.expr);
      if (!n.distinct) {
        return function* (up) {
          for (const _ of up) yield expr(f) ?? null;
        };
      }
      return function* (up) {
        const seen = new Set<string>();
        for (const _ of up) {
          const v = expr(f) ?? null;
          const k = valueKey(v);
          if (seen.has(k)) continue;
          seen.add(k);
          ctx.track(k.length * 2 + 16);
          yield v;
        }
      };
    }
    case 'TraversalNode': {
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
    case 'KPathsNode': {
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
    case 'ShortestPathNode': {
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
    default:
      throw new ArangoError('ERROR_INTERNAL', `cannot execute ${n.type}`);
  }
}

function collectStage(n: Extract<PlanNode, { type: 'CollectNode' }>, ctx: ExecContext, f: unknown[], c: (e: Parameters<typeof compileExpr>[0]) => Compiled): StageFactory {
  const groupFns = n.groups.map((g) => c(g.expr));
  const groupIds = n.groups.map((g) => g.out.id);
  const aggFns = n.aggregates.map((a) => (a.expr === undefined ? () => null : c(a.expr)));
  const into = n.into;
  const intoFn = into?.expr === undefined ? undefined : c(into.expr);
  const keep = into?.keep ?? [];
  const countId = n.count?.id;
  interface Group { values: unknown[]; aggs: Aggregator[]; into: unknown[]; count: number }
  const noAggs: Aggregator[] = [];
  const noInto: unknown[] = [];
  const hasAggs = n.aggregates.length > 0;
  const newGroup = (values: unknown[]): Group => ({
    values, aggs: hasAggs ? n.aggregates.map((a) => createAggregator(a.func)) : noAggs, into: into === undefined ? noInto : [], count: 0,
  });
  return function* (up, post) {
    // primitive group values key a Map directly; arrays/objects use a canonical string key
    const prim = new Map<unknown, Group>();
    const groups = new Map<string, Group>();
    const single = groupFns.length === 1 ? groupFns[0] : undefined;
    let bytes = 0;
    for (const _ of up) {
      let g: Group | undefined;
      if (single !== undefined) {
        const v = single(f) ?? null;
        if (v === null || typeof v !== 'object') {
          g = prim.get(v);
          if (g === undefined) {
            g = newGroup([v]);
            prim.set(v, g);
            bytes += 64;
            ctx.track(64);
          }
        } else {
          const key = valueKey(v);
          g = groups.get(key);
          if (g === undefined) {
            g = newGroup([v]);
            groups.set(key, g);
            bytes += 64 + key.length * 2;
            ctx.track(64 + key.length * 2);
          }
        }
      } else {
        const values = groupFns.map((fn) => fn(f) ?? null);
        const key = values.map(valueKey).join('\u0000');
        g = groups.get(key);
        if (g === undefined) {
          g = newGroup(values);
          groups.set(key, g);
          bytes += 64 + key.length * 2;
          ctx.track(64 + key.length * 2);
        }
      }
      g.count++;
      for (let i = 0; i < aggFns.length; i++) g.aggs[i]?.add((aggFns[i] as Compiled)(f));
      if (into !== undefined) {
        let v: unknown;
        if (intoFn !== undefined) v = intoFn(f);
        else {
          const o: Record<string, unknown> = {};
          for (const kv of keep) o[kv.name] = f[kv.id] ?? null;
          v = o;
        }
        g.into.push(v);
        const size = ctx.preciseMemory ? estimateSize(v) : 32;
        bytes += size;
        ctx.track(size);
      }
    }
    if (groupFns.length === 0 && groups.size === 0) groups.set('', newGroup([]));
    const list = [...prim.values(), ...groups.values()];
    if (groupFns.length === 1 && list.every((g) => typeof g.values[0] === 'string')) {
      list.sort((a, b) => compareStrings(a.values[0] as string, b.values[0] as string));
    } else if (groupFns.length > 0) {
      list.sort((a, b) => {
        for (let i = 0; i < a.values.length; i++) {
          const r = compareValues(a.values[i], b.values[i]);
          if (r !== 0) return r;
        }
        return 0;
      });
    }
    try {
      for (const g of list) {
        for (let i = 0; i < groupIds.length; i++) f[groupIds[i] as number] = g.values[i];
        for (let i = 0; i < n.aggregates.length; i++) {
          const a = n.aggregates[i];
          if (a !== undefined) f[a.out.id] = g.aggs[i]?.result() ?? null;
        }
        if (into !== undefined) f[into.out.id] = g.into;
        if (countId !== undefined) f[countId] = g.count;
        if (post !== undefined && !post(f)) continue;
        yield undefined;
      }
    } finally {
      ctx.track(-bytes);
    }
  };
}

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

function compileLookup(
  l: IndexLookup, coll: string, indexId: string, reverse: boolean, ctx: ExecContext, f: unknown[], c: (e: Parameters<typeof compileExpr>[0]) => Compiled, slot: number,
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
