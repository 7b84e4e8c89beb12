import type { IndexDescription } from './data-source.ts';
import type { IndexLookup, RExpr } from './plan-types.ts';

/**
 * mdi / mdi-prefixed index use for a FOR over a collection: `FILTER doc.x >= a && doc.x <= b &&
 * doc.y > c …` on the index fields (any subset, one-sided bounds too; `==` bounds both sides), and
 * for mdi-prefixed `doc.p == v` on every prefix field. The index delivers the documents in the
 * closed box of the tightest bounds (storage/mdi-index.ts), so the filters stay and re-check
 * (strict bounds, non-numeric values). A sparse index lacks documents with a missing or null field:
 * it is used only when every field has a lower bound (or equality) on a non-null constant, and
 * every prefix field equals one.
 */

/** The shape of optimizer.ts's conditions (`doc.field op invariant`, at filter `filterIndex`). */
export interface MdiCond {
  readonly filterIndex: number;
  readonly field: string;
  readonly op: '==' | 'IN' | '<' | '<=' | '>' | '>=';
  readonly value: RExpr;
}

export interface MdiChoice {
  readonly index: IndexDescription;
  readonly lookup: Extract<IndexLookup, { kind: 'mdi' }>;
  readonly filters: number[];
  readonly score: number;
}

const nonNullConst = (e: RExpr): boolean => e.k === 'const' && e.v !== null && e.v !== undefined;

/** The mdi lookups the conditions allow, one per usable index. */
export function mdiChoices(indexes: readonly IndexDescription[], conds: readonly MdiCond[]): MdiChoice[] {
  const out: MdiChoice[] = [];
  for (const index of indexes) {
    if (index.type !== 'mdi' && index.type !== 'mdi-prefixed') continue;
    const filters: number[] = [];
    const equal: RExpr[] = [];
    let ok = true;
    for (const p of index.prefixFields ?? []) {
      const c = conds.find((x) => x.field === p && x.op === '==' && (!index.sparse || nonNullConst(x.value)));
      if (c === undefined) { ok = false; break; }
      equal.push(c.value);
      filters.push(c.filterIndex);
    }
    if (!ok) continue;
    const lower: RExpr[][] = [];
    const upper: RExpr[][] = [];
    let bounded = 0;
    for (const f of index.fields) {
      const lo: RExpr[] = [];
      const hi: RExpr[] = [];
      for (const c of conds) {
        if (c.field !== f || c.op === 'IN') continue;
        if (c.op === '==' || c.op === '>' || c.op === '>=') lo.push(c.value);
        if (c.op === '==' || c.op === '<' || c.op === '<=') hi.push(c.value);
        filters.push(c.filterIndex);
      }
      if (index.sparse && !lo.some(nonNullConst)) ok = false;
      if (lo.length > 0 || hi.length > 0) bounded++;
      lower.push(lo);
      upper.push(hi);
    }
    if (!ok || bounded === 0) continue;
    out.push({ index, lookup: { kind: 'mdi', equal, lower, upper }, filters: [...new Set(filters)], score: equal.length * 10 + bounded * 4 });
  }
  return out;
}
