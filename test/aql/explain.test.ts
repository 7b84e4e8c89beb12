import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { explain, type ExplainNode } from '../../src/aql/index.ts';
import { buildFixture } from '../fixtures/aql/fixture-data.ts';

const ds = buildFixture();

function plan(q: string, bind: Record<string, unknown> = {}): { nodes: ExplainNode[]; rules: readonly string[]; types: string[] } {
  const r = explain(q, bind, ds);
  return { nodes: r.plan.nodes, rules: r.plan.rules, types: r.plan.nodes.map((n) => n.type) };
}

function indexNode(nodes: ExplainNode[]): { indexes: { type: string; fields: string[]; name: string; unique: boolean; sparse: boolean }[]; reverse: boolean } | undefined {
  const n = nodes.find((x) => x.type === 'IndexNode');
  return n as unknown as { indexes: { type: string; fields: string[]; name: string; unique: boolean; sparse: boolean }[]; reverse: boolean } | undefined;
}

describe('explain and index selection', () => {
  it('uses a persistent index for equality and removes the covered filter', () => {
    const p = plan('FOR u IN users FILTER u.city == @c RETURN u', { c: 'Paris' });
    assert.deepEqual(p.types, ['SingletonNode', 'IndexNode', 'ReturnNode']);
    const idx = indexNode(p.nodes);
    assert.deepEqual(idx?.indexes.map((i) => [i.type, i.fields, i.name]), [['persistent', ['city'], 'idx_city']]);
    assert.ok(p.rules.includes('use-indexes'));
    assert.ok(p.rules.includes('remove-filter-covered-by-index'));
  });

  it('uses the primary index for _key and _id lookups', () => {
    for (const q of ['FOR u IN users FILTER u._key == "john" RETURN u', 'FOR u IN users FILTER u._id == "users/john" RETURN u', 'FOR u IN users FILTER u._key IN ["a", "b"] RETURN u']) {
      assert.equal(indexNode(plan(q).nodes)?.indexes[0]?.type, 'primary', q);
    }
  });

  it('uses the edge index for _from and _to', () => {
    assert.equal(indexNode(plan('FOR e IN roads FILTER e._from == "places/A" RETURN e').nodes)?.indexes[0]?.type, 'edge');
    assert.equal(indexNode(plan('FOR e IN roads FILTER "places/D" == e._to RETURN e').nodes)?.indexes[0]?.type, 'edge');
  });

  it('uses an index for IN and range conditions', () => {
    assert.equal(indexNode(plan('FOR u IN users FILTER u.city IN ["Paris", "Berlin"] RETURN u').nodes)?.indexes[0]?.name, 'idx_city');
    assert.equal(indexNode(plan('FOR u IN users FILTER u.age >= 30 && u.age < 40 RETURN u').nodes)?.indexes[0]?.name, 'idx_age');
  });

  it('prefers the unique index on a full equality match', () => {
    assert.equal(indexNode(plan('FOR u IN users FILTER u.name == "ana" && u.city == "Madrid" RETURN u').nodes)?.indexes[0]?.name, 'idx_name');
  });

  it('reads an index in order for SORT + LIMIT and drops the SortNode', () => {
    const p = plan('FOR u IN users FILTER u.age >= 25 SORT u.age LIMIT 10 RETURN u');
    assert.deepEqual(p.types, ['SingletonNode', 'IndexNode', 'LimitNode', 'ReturnNode']);
    assert.ok(p.rules.includes('use-index-for-sort'));
    const desc = plan('FOR u IN users SORT u.age DESC LIMIT 3 RETURN u');
    assert.equal(indexNode(desc.nodes)?.reverse, true);
    assert.ok(!desc.types.includes('SortNode'));
  });

  it('uses the equality prefix of a compound index and sorts by the next field', () => {
    const p = plan('FOR n IN nums FILTER n.grp == 1 SORT n.v DESC RETURN n');
    assert.deepEqual(p.types, ['SingletonNode', 'IndexNode', 'ReturnNode']);
    assert.deepEqual(indexNode(p.nodes)?.indexes[0]?.fields, ['grp', 'v']);
  });

  it('does not use a sparse index for a condition that can match null', () => {
    assert.equal(indexNode(plan('FOR u IN users FILTER u.email == null RETURN u').nodes), undefined);
    assert.equal(indexNode(plan('FOR u IN users FILTER u.email == "x" RETURN u').nodes)?.indexes[0]?.sparse, true);
  });

  it('scans the collection for unindexed attributes and keeps the filter', () => {
    const p = plan('FOR u IN users FILTER u.active == true RETURN u');
    assert.deepEqual(p.types, ['SingletonNode', 'EnumerateCollectionNode', 'CalculationNode', 'FilterNode', 'ReturnNode']);
  });

  it('uses an index for a join condition on an outer variable', () => {
    const p = plan('FOR u IN users FOR o IN orders FILTER o.user == u._key RETURN o');
    assert.deepEqual(p.types, ['SingletonNode', 'EnumerateCollectionNode', 'IndexNode', 'ReturnNode']);
  });

  it('moves filters up next to the loop they constrain', () => {
    const p = plan('FOR u IN users FOR x IN 1..3 FILTER u.active RETURN [u, x]');
    const filterAt = p.types.indexOf('FilterNode');
    const listAt = p.types.indexOf('EnumerateListNode');
    assert.ok(filterAt < listAt, p.types.join(','));
    assert.ok(p.rules.includes('move-filters-up'));
  });

  it('folds constant expressions', () => {
    const p = plan('RETURN 1 + 2 * 3');
    const calc = p.nodes.find((n) => n.type === 'CalculationNode') as unknown as { expression: { type: string; value: unknown } };
    assert.deepEqual(calc.expression, { type: 'value', value: 7 });
  });

  it('reports collections, variables and estimates like /_api/explain', () => {
    const r = explain('FOR u IN users FILTER u.city == "Paris" INSERT {n: u.name} INTO nums', {}, ds);
    assert.deepEqual([...r.plan.collections].sort((a, b) => a.name.localeCompare(b.name)), [{ name: 'nums', type: 'write' }, { name: 'users', type: 'read' }]);
    assert.ok(r.plan.variables.some((v) => v.name === 'u'));
    assert.ok(r.plan.estimatedCost > 0);
    assert.equal(typeof r.plan.estimatedNrItems, 'number');
    assert.equal(r.cacheable, false);
    for (const n of r.plan.nodes) assert.ok(Array.isArray(n.dependencies) && typeof n.id === 'number');
  });

  it('applies sort-limit for SORT on unindexed values followed by LIMIT', () => {
    const p = plan('FOR n IN nums SORT n.v * -1 LIMIT 2 RETURN n');
    assert.ok(p.rules.includes('sort-limit'));
    const sort = p.nodes.find((n) => n.type === 'SortNode');
    assert.equal(sort?.['limit'], 2);
  });

  it('serves the SORT before a WINDOW from an index and shows the WindowNode', () => {
    const p = plan('FOR u IN users SORT u.age WINDOW { preceding: 1 } AGGREGATE a = AVG(u.age) RETURN a');
    assert.equal(indexNode(p.nodes)?.indexes[0]?.name, 'idx_age');
    assert.ok(!p.types.includes('SortNode'));
    assert.ok(p.types.includes('WindowNode'));
  });

  it('uses an index for a FILTER over destructured attributes and collection counts', () => {
    const p = plan('FOR u IN users FILTER u.city == "Paris" LET {name} = u RETURN [name, LENGTH(users)]');
    assert.equal(indexNode(p.nodes)?.indexes[0]?.name, 'idx_city');
  });

  it('follows indexHint, disableIndex and forceIndexHint', () => {
    // without a hint the unique name index would win; the hint picks the city index
    assert.equal(indexNode(plan('FOR u IN users FILTER u.name == "john" && u.city == "Berlin" RETURN u').nodes)?.indexes[0]?.name, 'idx_name');
    const hinted = plan('FOR u IN users OPTIONS {indexHint: ["nope", "idx_city"]} FILTER u.name == "john" && u.city == "Berlin" RETURN u');
    assert.equal(indexNode(hinted.nodes)?.indexes[0]?.name, 'idx_city');
    assert.ok(hinted.types.includes('FilterNode'), 'the name condition stays a filter');
    const disabled = plan('FOR u IN users OPTIONS {disableIndex: true} FILTER u.city == "Berlin" RETURN u');
    assert.ok(disabled.types.includes('EnumerateCollectionNode') && !disabled.types.includes('IndexNode') && disabled.types.includes('FilterNode'));
    const sortHint = plan('FOR u IN users OPTIONS {indexHint: "idx_age", forceIndexHint: true} SORT u.age RETURN u');
    assert.equal(indexNode(sortHint.nodes)?.indexes[0]?.name, 'idx_age');
    assert.ok(!sortHint.types.includes('SortNode'));
    assert.throws(() => plan('FOR u IN users OPTIONS {indexHint: "idx_city", forceIndexHint: true} FILTER u.age == 1 RETURN u'), (e: unknown) => (e as { errorNum?: number }).errorNum === 1577);
  });

  it('shows the COLLECT method', () => {
    const method = (q: string): unknown => (plan(q).nodes.find((n) => n.type === 'CollectNode')?.['collectOptions'] as { method?: unknown } | undefined)?.method;
    assert.equal(method('FOR u IN users COLLECT c = u.city OPTIONS {method: "sorted"} RETURN c'), 'sorted');
    assert.equal(method('FOR u IN users COLLECT c = u.city OPTIONS {method: "hash"} RETURN c'), 'hash');
    assert.equal(method('FOR u IN users COLLECT c = u.city RETURN c'), 'hash');
    assert.equal(method('FOR u IN users COLLECT WITH COUNT INTO n RETURN n'), 'count');
    assert.equal(method('FOR u IN users COLLECT AGGREGATE m = MAX(u.age) RETURN m'), 'sorted');
  });

  it('uses indexes inside subqueries, for IN lists from bind values and for traversal-free joins', () => {
    const p = plan('FOR o IN orders LET u = (FOR x IN users FILTER x.name == o.user RETURN x.age) RETURN u');
    const sub = p.nodes.find((n) => n.type === 'SubqueryNode');
    assert.ok(sub !== undefined);
    const subNodes = (sub?.['subquery'] as { nodes: ExplainNode[] } | undefined)?.nodes ?? p.nodes;
    assert.equal(indexNode(subNodes)?.indexes[0]?.name, 'idx_name');
    assert.equal(indexNode(plan('FOR u IN users FILTER u.age IN @a RETURN u', { a: [24, 35] }).nodes)?.indexes[0]?.name, 'idx_age');
    assert.equal(indexNode(plan('FOR u IN users FILTER u.age >= 30 && u.age < 40 SORT u.age DESC RETURN u').nodes)?.reverse, true);
  });
});
