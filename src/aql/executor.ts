import { ArangoError } from '../errors/index.ts';
import type { AqlDocument } from './data-source.ts';
import type { ExecContext } from './exec-context.ts';
import { compileExpr } from './compile-expr.ts';
import type { PlanNode } from './plan-types.ts';
import { compareValues, estimateSize, toBool, toNumber, typeName, valueKey } from './values.ts';
import { compileModification } from './modify.ts';
import { windowStage } from './window-stage.ts';
import type { CompileFn, Op, Rows, StageFactory } from './pipeline-types.ts';
import { collectStage } from './collect-stage.ts';
import { compileLookup } from './index-lookup.ts';
import { kPathsStage, shortestPathStage, traversalStage } from './graph-stages.ts';

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
  const c: CompileFn = (e) => compileExpr(e, ctx);
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

function stageFor(n: PlanNode, ctx: ExecContext, f: unknown[], c: CompileFn): StageFactory {
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
    case 'TraversalNode': return traversalStage(n, ctx, f, c);
    case 'KPathsNode': return kPathsStage(n, ctx, f, c);
    case 'ShortestPathNode': return shortestPathStage(n, ctx, f, c);
    default:
      throw new ArangoError('ERROR_INTERNAL', `cannot execute ${n.type}`);
  }
}
