import type { ExecContext } from './exec-context.ts';
import type { Compiled } from './compile-expr.ts';
import type { PlanNode } from './plan-types.ts';
import type { CompileFn, StageFactory } from './pipeline-types.ts';
import { compareStrings, compareValues, estimateSize, valueKey } from './values.ts';
import { createAggregator, type Aggregator } from './aggregators.ts';

/** COLLECT: groups (hash by value, sorted output), aggregates, INTO and WITH COUNT. */
export function collectStage(n: Extract<PlanNode, { type: 'CollectNode' }>, ctx: ExecContext, f: unknown[], c: CompileFn): StageFactory {
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
