import type { PlanNode, RExpr, RQuantifier, Variable } from './plan-types.ts';

/** Calls `visit` for every variable read by an expression (CURRENT variables included). */
export function forEachVar(e: RExpr, visit: (v: Variable) => void): void {
  switch (e.k) {
    case 'const': return;
    case 'var': visit(e.v); return;
    case 'array': for (const x of e.items) forEachVar(x, visit); return;
    case 'object':
      for (const en of e.entries) {
        if (typeof en.key !== 'string') forEachVar(en.key, visit);
        forEachVar(en.value, visit);
      }
      return;
    case 'attr': forEachVar(e.obj, visit); return;
    case 'index': forEachVar(e.obj, visit); forEachVar(e.idx, visit); return;
    case 'expand':
      forEachVar(e.obj, visit);
      for (const x of [e.filter, e.offset, e.count, e.project]) if (x !== undefined) forEachVar(x, visit);
      return;
    case 'question':
      forEachVar(e.obj, visit);
      if (e.filter !== undefined) forEachVar(e.filter, visit);
      quantExprs(e.quant).forEach((x) => forEachVar(x, visit));
      return;
    case 'unary': forEachVar(e.x, visit); return;
    case 'binary': forEachVar(e.l, visit); forEachVar(e.r, visit); return;
    case 'arrayCmp':
      forEachVar(e.l, visit); forEachVar(e.r, visit);
      quantExprs(e.quant).forEach((x) => forEachVar(x, visit));
      return;
    case 'ternary':
      forEachVar(e.c, visit);
      if (e.t !== undefined) forEachVar(e.t, visit);
      forEachVar(e.e, visit);
      return;
    case 'call': for (const x of e.args) forEachVar(x, visit); return;
  }
}

function quantExprs(q: RQuantifier): RExpr[] {
  if (q.kind === 'atLeast' || q.kind === 'exact') return [q.count];
  if (q.kind === 'between') return [q.min, q.max];
  return [];
}

/** Ids of the variables an expression reads. */
export function varsOf(e: RExpr): Set<number> {
  const s = new Set<number>();
  forEachVar(e, (v) => s.add(v.id));
  return s;
}

/** True when an expression calls no non-deterministic function. */
export function isDeterministic(e: RExpr): boolean {
  let ok = true;
  const walk = (x: RExpr): void => {
    if (!ok) return;
    if (x.k === 'call' && !x.fn.deterministic) { ok = false; return; }
    switch (x.k) {
      case 'array': x.items.forEach(walk); return;
      case 'object': x.entries.forEach((en) => { if (typeof en.key !== 'string') walk(en.key); walk(en.value); }); return;
      case 'attr': walk(x.obj); return;
      case 'index': walk(x.obj); walk(x.idx); return;
      case 'expand': walk(x.obj); [x.filter, x.offset, x.count, x.project].forEach((y) => { if (y !== undefined) walk(y); }); return;
      case 'question': walk(x.obj); if (x.filter !== undefined) walk(x.filter); return;
      case 'unary': walk(x.x); return;
      case 'binary': case 'arrayCmp': walk(x.l); walk(x.r); return;
      case 'ternary': walk(x.c); if (x.t !== undefined) walk(x.t); walk(x.e); return;
      case 'call': x.args.forEach(walk); return;
      default: return;
    }
  };
  walk(e);
  return ok;
}

/** Expressions a node evaluates (for dependency analysis). */
export function nodeExprs(n: PlanNode): RExpr[] {
  switch (n.type) {
    case 'EnumerateListNode': case 'CalculationNode': case 'FilterNode': case 'ReturnNode': return [n.expr];
    case 'SortNode': return n.keys.map((k) => k.expr);
    case 'CollectNode': {
      const out = n.groups.map((g) => g.expr);
      for (const a of n.aggregates) if (a.expr !== undefined) out.push(a.expr);
      if (n.into?.expr !== undefined) out.push(n.into.expr);
      return out;
    }
    case 'WindowNode': {
      const out = n.aggregates.flatMap((a) => (a.expr === undefined ? [] : [a.expr]));
      return n.range === undefined ? out : [n.range, ...out];
    }
    case 'IndexNode': {
      const l = n.lookup;
      if (l.kind === 'persistent') return [...l.equal.map((x) => x.expr), ...l.lower.map((x) => x.expr), ...l.upper.map((x) => x.expr)];
      if (l.kind === 'mdi') return [...l.equal, ...l.lower.flat(), ...l.upper.flat()];
      if (l.kind === 'geo') return [...l.near, ...[l.maxDistance, l.region].filter((x): x is RExpr => x !== undefined)];
      return [l.values];
    }
    case 'TraversalNode': return n.prune === undefined ? [n.start] : [n.start, n.prune];
    case 'ShortestPathNode': case 'KPathsNode': return [n.start, n.target];
    case 'InsertNode': case 'UpdateNode': case 'ReplaceNode': case 'RemoveNode':
      return [n.key, n.doc].filter((x): x is RExpr => x !== undefined);
    case 'UpsertNode': return [n.search, n.insert, n.update];
    case 'SubqueryNode': return n.guard === undefined ? [] : [n.guard];
    default: return [];
  }
}

/** Variables a node reads, including those read inside a subquery from outside it. */
export function nodeUses(n: PlanNode): Set<number> {
  const s = new Set<number>();
  for (const e of nodeExprs(n)) forEachVar(e, (v) => s.add(v.id));
  if (n.type === 'SubqueryNode') {
    const inner = new Set<number>();
    for (const m of n.plan) for (const v of nodeSets(m)) inner.add(v.id);
    for (const m of n.plan) for (const id of nodeUses(m)) if (!inner.has(id)) s.add(id);
  }
  if (n.type === 'CollectNode' && n.into !== undefined) for (const v of n.into.keep) s.add(v.id);
  return s;
}

/** Variables a node defines. */
export function nodeSets(n: PlanNode): Variable[] {
  switch (n.type) {
    case 'EnumerateCollectionNode': case 'IndexNode': case 'EnumerateListNode': case 'CalculationNode': case 'SubqueryNode': return [n.out];
    case 'CollectNode': {
      const out = n.groups.map((g) => g.out);
      for (const a of n.aggregates) out.push(a.out);
      if (n.into !== undefined) out.push(n.into.out);
      if (n.count !== undefined) out.push(n.count);
      return out;
    }
    case 'WindowNode': return n.aggregates.map((a) => a.out);
    case 'TraversalNode': return [n.vertex, n.edge, n.path, ...(n.pruneVar === undefined ? [] : [n.pruneVar])];
    case 'KPathsNode': return [n.path];
    case 'ShortestPathNode': return [n.vertex, n.edge].filter((x): x is Variable => x !== undefined);
    case 'InsertNode': case 'UpdateNode': case 'ReplaceNode': case 'RemoveNode':
      return [n.outNew, n.outOld].filter((x): x is Variable => x !== undefined);
    case 'UpsertNode': return [n.oldTmp, n.current, n.outNew, n.outOld].filter((x): x is Variable => x !== undefined);
    default: return [];
  }
}

/** True for INSERT / UPDATE / REPLACE / REMOVE / UPSERT nodes. */
export function isModificationNode(n: PlanNode): boolean {
  return n.type === 'InsertNode' || n.type === 'UpdateNode' || n.type === 'ReplaceNode' || n.type === 'RemoveNode' || n.type === 'UpsertNode';
}

/** The attribute path (e.g. ["a", "b"]) of `v.a.b` when `e` reads variable `v`; undefined otherwise. */
export function attributePath(e: RExpr, v: Variable): string[] | undefined {
  const path: string[] = [];
  let cur = e;
  while (cur.k === 'attr') {
    path.unshift(cur.name);
    cur = cur.obj;
  }
  if (cur.k === 'var' && cur.v.id === v.id && path.length > 0) return path;
  return undefined;
}

/** True when an AST expression contains a subquery (literal values are not searched). */
export function hasSubquery(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  if (Array.isArray(e)) return e.some(hasSubquery);
  const kind = (e as { kind?: unknown }).kind;
  if (kind === 'subquery') return true;
  if (kind === 'value') return false;
  return Object.values(e).some(hasSubquery);
}
