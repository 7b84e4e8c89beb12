import { ArangoError } from '../errors/index.ts';
import type { IndexDescription } from './data-source.ts';
import type { IndexLookup, PlanNode, RExpr, Variable } from './plan-types.ts';
import { attributePath, isDeterministic, nodeSets, varsOf } from './plan-utils.ts';
import { geoChoices } from './optimizer-geo.ts';
import { mdiChoices } from './optimizer-mdi.ts';

/** Settings for the optimizer passes. */
export interface OptimizeOptions {
  readonly fullCount: boolean;
  readonly writeCollections: ReadonlySet<string>;
  /** Collection lookups (indexes); provided by the caller so the optimizer stays storage-agnostic. */
  readonly indexesOf?: (collection: string) => readonly IndexDescription[];
}

/** Runs the optimizer passes over a pipeline (recursively) and returns the applied rule names. */
export function optimize(root: PlanNode[], options: OptimizeOptions): string[] {
  const rules = new Set<string>();
  optimizePipeline(root, options, rules);
  markFullCount(root, options.fullCount);
  return [...rules];
}

function optimizePipeline(nodes: PlanNode[], options: OptimizeOptions, rules: Set<string>): void {
  for (const n of nodes) if (n.type === 'SubqueryNode') optimizePipeline(n.plan, options, rules);
  splitFilters(nodes);
  moveFiltersUp(nodes, rules);
  if (options.indexesOf !== undefined) useIndexes(nodes, options.indexesOf, rules);
  sortLimit(nodes, options.fullCount, rules);
  for (const n of nodes) {
    if ((n.type === 'EnumerateCollectionNode' || n.type === 'IndexNode') && options.writeCollections.has(n.collection)) n.materialize = true;
  }
}

function markFullCount(root: PlanNode[], fullCount: boolean): void {
  if (!fullCount) return;
  for (let i = root.length - 1; i >= 0; i--) {
    const n = root[i];
    if (n?.type === 'LimitNode') { n.fullCount = true; return; }
  }
}

/** FILTER a && b → FILTER a FILTER b, so each part can move and match indexes independently. */
function splitFilters(nodes: PlanNode[]): void {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n?.type !== 'FilterNode') continue;
    const parts: RExpr[] = [];
    const walk = (e: RExpr): void => {
      if (e.k === 'binary' && e.op === '&&') { walk(e.l); walk(e.r); } else parts.push(e);
    };
    walk(n.expr);
    if (parts.length > 1) nodes.splice(i, 1, ...parts.map((expr): PlanNode => ({ type: 'FilterNode', expr })));
  }
}

const FILTER_BARRIERS = new Set(['SingletonNode', 'LimitNode', 'CollectNode', 'ReturnNode', 'InsertNode', 'UpdateNode', 'ReplaceNode', 'RemoveNode', 'UpsertNode']);

/** Moves each FILTER up to just below the node that defines the last variable it reads. */
function moveFiltersUp(nodes: PlanNode[], rules: Set<string>): void {
  for (let i = 1; i < nodes.length; i++) {
    const n = nodes[i];
    if (n?.type !== 'FilterNode' || !isDeterministic(n.expr)) continue;
    const used = varsOf(n.expr);
    let j = i;
    while (j > 1) {
      const prev = nodes[j - 1];
      if (prev === undefined || FILTER_BARRIERS.has(prev.type)) break;
      if (prev.type === 'SubqueryNode' && prev.isModification) break;
      if (nodeSets(prev).some((v) => used.has(v.id))) break;
      j--;
    }
    if (j < i) {
      nodes.splice(i, 1);
      nodes.splice(j, 0, n);
      rules.add('move-filters-up');
    }
  }
}

interface Cond {
  readonly filterIndex: number;
  readonly field: string;
  readonly op: '==' | 'IN' | '<' | '<=' | '>' | '>=';
  readonly value: RExpr;
}

const FLIP: Record<string, Cond['op']> = { '==': '==', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** Extracts `v.path OP invariant` conditions from the filters following position `at`. */
function conditionsFor(nodes: readonly PlanNode[], at: number, out: Variable): Cond[] {
  const conds: Cond[] = [];
  const setLater = new Set<number>([out.id]);
  for (let i = at + 1; i < nodes.length; i++) {
    const n = nodes[i];
    if (n === undefined) break;
    if (n.type === 'CalculationNode' || n.type === 'SubqueryNode') { for (const v of nodeSets(n)) setLater.add(v.id); continue; }
    if (n.type !== 'FilterNode') break;
    const e = n.expr;
    if (e.k !== 'binary') continue;
    const invariant = (x: RExpr): boolean => { for (const id of varsOf(x)) if (setLater.has(id)) return false; return isDeterministic(x); };
    if (e.op === 'IN') {
      const path = attributePath(e.l, out);
      if (path !== undefined && invariant(e.r)) conds.push({ filterIndex: i, field: path.join('.'), op: 'IN', value: e.r });
      continue;
    }
    if (!(e.op in FLIP)) continue;
    const lp = attributePath(e.l, out);
    const rp = attributePath(e.r, out);
    if (lp !== undefined && invariant(e.r)) conds.push({ filterIndex: i, field: lp.join('.'), op: e.op as Cond['op'], value: e.r });
    else if (rp !== undefined && invariant(e.l)) conds.push({ filterIndex: i, field: rp.join('.'), op: FLIP[e.op] ?? '==', value: e.l });
  }
  return conds;
}

interface Candidate {
  readonly index: IndexDescription;
  readonly lookup: IndexLookup;
  readonly covered: number[];
  readonly score: number;
  /** Fields after the equality prefix, in order (for sort matching). */
  readonly sortFields: readonly string[];
  readonly hasIn: boolean;
  /** Geo candidates: the filters in `covered` stay (they re-check), and whether the SORT goes. */
  readonly keep?: boolean;
  readonly removesSort?: boolean;
}

const nonNullConst = (e: RExpr): boolean => e.k === 'const' && e.v !== null && e.v !== undefined && !(Array.isArray(e.v) && e.v.some((x) => x === null));

function candidates(indexes: readonly IndexDescription[], conds: readonly Cond[]): Candidate[] {
  const out: Candidate[] = [];
  for (const idx of indexes) {
    if (idx.type === 'primary') {
      const c = conds.find((x) => (x.field === '_key' || x.field === '_id') && (x.op === '==' || x.op === 'IN'));
      if (c !== undefined) {
        out.push({ index: idx, lookup: { kind: 'primary', values: c.value, many: c.op === 'IN', byId: c.field === '_id' }, covered: [c.filterIndex], score: 1000, sortFields: [], hasIn: c.op === 'IN' });
      }
    } else if (idx.type === 'edge') {
      const c = conds.find((x) => (x.field === '_from' || x.field === '_to') && (x.op === '==' || x.op === 'IN'));
      if (c !== undefined) {
        out.push({ index: idx, lookup: { kind: 'edge', direction: c.field === '_from' ? 'out' : 'in', values: c.value, many: c.op === 'IN' }, covered: [c.filterIndex], score: 60, sortFields: [], hasIn: c.op === 'IN' });
      }
    } else if (idx.type === 'persistent') {
      const equal: { expr: RExpr; many: boolean }[] = [];
      const covered: number[] = [];
      let hasIn = false;
      let i = 0;
      for (; i < idx.fields.length; i++) {
        const f = idx.fields[i];
        const c = conds.find((x) => x.field === f && (x.op === '==' || (x.op === 'IN' && !hasIn)));
        if (c === undefined) break;
        if (idx.sparse && !nonNullConst(c.value)) break;
        if (c.op === 'IN') hasIn = true;
        equal.push({ expr: c.value, many: c.op === 'IN' });
        covered.push(c.filterIndex);
      }
      const lower: { expr: RExpr; inclusive: boolean }[] = [];
      const upper: { expr: RExpr; inclusive: boolean }[] = [];
      const next = idx.fields[i];
      if (next !== undefined) {
        for (const c of conds) {
          if (c.field !== next) continue;
          if (c.op === '>' || c.op === '>=') { lower.push({ expr: c.value, inclusive: c.op === '>=' }); covered.push(c.filterIndex); }
          if (c.op === '<' || c.op === '<=') { upper.push({ expr: c.value, inclusive: c.op === '<=' }); covered.push(c.filterIndex); }
        }
      }
      if (equal.length === 0 && lower.length === 0 && upper.length === 0) continue;
      if (idx.sparse) {
        // a sparse index lacks documents with null in any field: every field must exclude null
        const rangeExcludesNull = lower.some((l) => nonNullConst(l.expr) || (l.expr.k === 'const' && l.expr.v === null && !l.inclusive));
        if (equal.length + (rangeExcludesNull ? 1 : 0) < idx.fields.length) continue;
      }
      const full = equal.length === idx.fields.length;
      const score = equal.length * 10 + (lower.length > 0 ? 3 : 0) + (upper.length > 0 ? 3 : 0) + (idx.unique && full ? 500 : 0) - (hasIn ? 1 : 0);
      out.push({ index: idx, lookup: { kind: 'persistent', equal, lower, upper }, covered, score, sortFields: idx.fields.slice(equal.length), hasIn });
    }
  }
  return out.sort((a, b) => b.score - a.score);
}

/** The index-usable SORT right after position `at` (only filters/calculations in between). */
function followingSort(nodes: readonly PlanNode[], at: number): number {
  for (let i = at + 1; i < nodes.length; i++) {
    const n = nodes[i];
    if (n === undefined) return -1;
    if (n.type === 'SortNode') return i;
    if (n.type !== 'FilterNode' && n.type !== 'CalculationNode' && n.type !== 'SubqueryNode') return -1;
  }
  return -1;
}

function sortMatches(sort: Extract<PlanNode, { type: 'SortNode' }>, out: Variable, fields: readonly string[]): { ok: boolean; reverse: boolean } {
  if (sort.keys.length === 0 || sort.keys.length > fields.length) return { ok: false, reverse: false };
  const asc = sort.keys[0]?.ascending ?? true;
  for (let i = 0; i < sort.keys.length; i++) {
    const k = sort.keys[i];
    if (k === undefined || k.ascending !== asc) return { ok: false, reverse: false };
    const p = attributePath(k.expr, out);
    if (p === undefined || p.join('.') !== fields[i]) return { ok: false, reverse: false };
  }
  return { ok: true, reverse: !asc };
}

function useIndexes(nodes: PlanNode[], indexesOf: (c: string) => readonly IndexDescription[], rules: Set<string>): void {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n?.type !== 'EnumerateCollectionNode') continue;
    const hints = n.hints;
    if (hints?.disableIndex === true) continue;
    const indexes = indexesOf(n.collection);
    const conds = conditionsFor(nodes, i, n.out);
    const sortAt = followingSort(nodes, i);
    const cands = [...candidates(indexes, conds), ...geoChoices(nodes, i, n.out, indexes, sortAt).map((g): Candidate => ({
      index: g.index, lookup: g.lookup, covered: g.filters, score: g.score, sortFields: [], hasIn: false, keep: true, removesSort: g.removesSort,
    })), ...mdiChoices(indexes, conds).map((m): Candidate => ({
      index: m.index, lookup: m.lookup, covered: m.filters, score: m.score, sortFields: [], hasIn: false, keep: true,
    }))].sort((a, b) => b.score - a.score);
    const sortNode = sortAt >= 0 ? nodes[sortAt] : undefined;
    let chosen: Candidate | undefined;
    let reverse = false;
    let removeSort = false;
    // indexHint: the first hinted index that can serve a condition or the SORT, in the hint's order
    for (const name of hints?.indexHint ?? []) {
      const c = cands.find((x) => x.index.name === name);
      if (c !== undefined) {
        chosen = c;
        if (sortNode?.type === 'SortNode' && !c.hasIn && c.lookup.kind === 'persistent') {
          const m = sortMatches(sortNode, n.out, c.sortFields);
          if (m.ok) { reverse = m.reverse; removeSort = true; }
        }
        break;
      }
      const idx = indexes.find((x) => x.name === name);
      if (idx !== undefined && sortNode?.type === 'SortNode' && idx.type === 'persistent' && !idx.sparse) {
        const m = sortMatches(sortNode, n.out, idx.fields);
        if (m.ok) {
          chosen = { index: idx, lookup: { kind: 'persistent', equal: [], lower: [], upper: [] }, covered: [], score: 0, sortFields: idx.fields, hasIn: false };
          reverse = m.reverse;
          removeSort = true;
          break;
        }
      }
    }
    if (chosen === undefined && hints !== undefined && hints.forceIndexHint && hints.indexHint.length > 0) {
      throw new ArangoError('ERROR_QUERY_FORCED_INDEX_HINT_UNUSABLE',
        `could not use index hint to serve query; ${JSON.stringify({ forced: true, type: 'simple', hint: hints.indexHint })}`);
    }
    if (chosen === undefined) chosen = cands[0];
    if (chosen?.removesSort === true) removeSort = true;
    if (chosen !== undefined && chosen === cands[0] && sortNode?.type === 'SortNode' && !removeSort) {
      // prefer a candidate that also delivers the SORT order
      for (const c of cands) {
        if (c.hasIn || c.lookup.kind !== 'persistent') continue;
        const m = sortMatches(sortNode, n.out, c.sortFields);
        if (m.ok && c.score >= chosen.score - 5) { chosen = c; reverse = m.reverse; removeSort = true; break; }
      }
    }
    if (chosen === undefined && sortNode?.type === 'SortNode') {
      for (const idx of indexes) {
        if (idx.type !== 'persistent' || idx.sparse) continue;
        const m = sortMatches(sortNode, n.out, idx.fields);
        if (m.ok) {
          chosen = { index: idx, lookup: { kind: 'persistent', equal: [], lower: [], upper: [] }, covered: [], score: 0, sortFields: idx.fields, hasIn: false };
          reverse = m.reverse;
          removeSort = true;
          break;
        }
      }
    }
    if (chosen === undefined) continue;
    if (chosen.lookup.kind === 'geo') rules.add('geo-index-optimizer');
    const condition = chosen.covered.length === 0 ? undefined : andOf(chosen.covered.map((k) => {
      const f = nodes[k];
      return f?.type === 'FilterNode' ? f.expr : { k: 'const', v: true } as RExpr;
    }));
    nodes[i] = { type: 'IndexNode', collection: n.collection, out: n.out, index: chosen.index, lookup: chosen.lookup, reverse, materialize: false, condition };
    rules.add('use-indexes');
    const drop = new Set(chosen.keep === true ? [] : chosen.covered);
    if (removeSort) { drop.add(sortAt); rules.add('use-index-for-sort'); }
    if (chosen.covered.length > 0 && chosen.keep !== true) rules.add('remove-filter-covered-by-index');
    const sorted = [...drop].sort((a, b) => b - a);
    for (const k of sorted) nodes.splice(k, 1);
  }
}

function andOf(parts: RExpr[]): RExpr {
  return parts.reduce((a, b) => ({ k: 'binary', op: '&&', l: a, r: b }));
}

function sortLimit(nodes: PlanNode[], fullCount: boolean, rules: Set<string>): void {
  for (let i = 0; i + 1 < nodes.length; i++) {
    const s = nodes[i];
    const l = nodes[i + 1];
    if (s?.type === 'SortNode' && l?.type === 'LimitNode' && !fullCount) {
      s.limit = l.offset + l.count;
      rules.add('sort-limit');
    }
  }
}

