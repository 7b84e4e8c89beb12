import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aql, type Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { suiteServer } from '../harness/server.ts';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Plan = { nodes: { type: string; indexes?: { type: string; prefixFields?: string[] }[] }[] };

describe('mdi and mdi-prefixed indexes through arangojs', () => {
  let db: Database;
  suiteServer({}, (s) => { db = s.db(); });

  const keys = async (query: string, bindVars: Record<string, unknown>): Promise<string[]> => ((await (await db.query(query, bindVars)).all()) as string[]).sort();
  const planOf = async (query: string, bindVars: Record<string, unknown>): Promise<Plan> => (await db.explain({ query, bindVars })).plan as unknown as Plan;

  it('validates the definition like ArangoDB', async () => {
    const c = await db.createCollection('mdidef');
    assert.deepEqual(await failure(() => c.ensureIndex({ type: 'mdi', fields: ['x', 'y'] } as never)), [400, 10]);
    assert.deepEqual(await failure(() => c.ensureIndex({ type: 'mdi', fields: ['x', 'y'], fieldValueTypes: 'int' } as never)), [400, 10]);
    assert.deepEqual(await failure(() => c.ensureIndex({ type: 'mdi-prefixed', fields: ['x', 'y'], fieldValueTypes: 'double' } as never)), [400, 10]);
    await c.save({ x: 'one', y: 2 });
    assert.deepEqual(await failure(() => c.ensureIndex({ type: 'mdi', fields: ['x', 'y'], fieldValueTypes: 'double' })), [400, 1561], 'a non-numeric value stops the build');
  });

  it('answers box filters from the index, equal to the same query without it', async () => {
    const c = await db.createCollection('points');
    const rnd = prng(3);
    await c.saveAll(Array.from({ length: 4000 }, (_, i) => ({ _key: `k${i}`, x: Math.round(rnd() * 1000) / 10, y: (rnd() - 0.5) * 100, p: ['a', 'b', 'c'][i % 3] })));
    await c.ensureIndex({ type: 'mdi', fields: ['x', 'y'], fieldValueTypes: 'double', name: 'xy' });
    await c.ensureIndex({ type: 'mdi-prefixed', fields: ['x', 'y'], prefixFields: ['p'], fieldValueTypes: 'double', name: 'pxy' });
    const box = 'FILTER d.x >= @x0 && d.x < @x1 && d.y > @y0 && d.y <= @y1';
    const q = `FOR d IN points ${box} RETURN d._key`;
    const noIndex = `FOR d IN points OPTIONS { disableIndex: true } ${box} RETURN d._key`;
    const plan = await planOf(q, { x0: 1, x1: 2, y0: 0, y1: 1 });
    const ixNode = plan.nodes.find((n) => n.type === 'IndexNode');
    assert.equal(ixNode?.indexes?.[0]?.type, 'mdi', JSON.stringify(plan.nodes.map((n) => n.type)));
    for (let i = 0; i < 25; i++) {
      const x0 = rnd() * 100;
      const y0 = (rnd() - 0.5) * 100;
      const b = { x0, x1: x0 + rnd() * 30, y0, y1: y0 + rnd() * 40 };
      assert.deepEqual(await keys(q, b), await keys(noIndex, b), JSON.stringify(b));
    }
    // one-sided and equality bounds, and a bound that is no number
    for (const f of ['FILTER d.x == 50', 'FILTER d.x <= 3', 'FILTER d.y >= 49 && d.x > 10', 'FILTER d.x >= "a"', 'FILTER d.x <= "a" && d.y >= 49', 'FILTER d.x >= null && d.y >= 49.5']) {
      const w = await keys(`FOR d IN points ${f} RETURN d._key`, {});
      assert.deepEqual(w, await keys(`FOR d IN points OPTIONS { disableIndex: true } ${f} RETURN d._key`, {}), f);
    }
    // mdi-prefixed: equality on the prefix field picks it
    const pq = `FOR d IN points FILTER d.p == @p ${box} RETURN d._key`;
    const pplan = await planOf(pq, { p: 'a', x0: 1, x1: 2, y0: 0, y1: 1 });
    const pNode = pplan.nodes.find((n) => n.type === 'IndexNode');
    assert.equal(pNode?.indexes?.[0]?.type, 'mdi-prefixed');
    assert.deepEqual(pNode?.indexes?.[0]?.prefixFields, ['p']);
    for (let i = 0; i < 10; i++) {
      const x0 = rnd() * 100;
      const b = { p: ['a', 'b', 'c', 'd'][i % 4], x0, x1: x0 + 20, y0: -20, y1: 30 };
      assert.deepEqual(await keys(pq, b), await keys(`FOR d IN points OPTIONS { disableIndex: true } FILTER d.p == @p ${box} RETURN d._key`, b));
    }
    // writes are reflected
    await c.save({ _key: 'new', x: 500, y: 500, p: 'a' });
    assert.deepEqual(await keys('FOR d IN points FILTER d.x >= 400 RETURN d._key', {}), ['new']);
    await c.update('new', { x: 600 });
    assert.deepEqual(await keys('FOR d IN points FILTER d.x >= 400 && d.x <= 550 RETURN d._key', {}), []);
    assert.deepEqual(await keys('FOR d IN points FILTER d.x >= 400 && d.x <= 650 RETURN d._key', {}), ['new']);
    await c.remove('new');
    assert.deepEqual(await keys('FOR d IN points FILTER d.x >= 400 RETURN d._key', {}), []);
    // a stream transaction sees its own writes (the query scans then)
    const trx = await db.beginTransaction({ write: ['points'] });
    await trx.step(() => c.save({ _key: 't1', x: 700, y: 1, p: 'b' }));
    const inTrx = (await (await trx.step(() => db.query(aql`FOR d IN points FILTER d.x >= 400 RETURN d._key`))).all());
    await trx.abort();
    assert.deepEqual(inTrx, ['t1']);
  });

  it('enforces unique, refuses non-numeric values and lets a sparse index skip missing fields', async () => {
    const c = await db.createCollection('uniq');
    await c.ensureIndex({ type: 'mdi', fields: ['x', 'y'], fieldValueTypes: 'double', unique: true });
    await c.save({ _key: 'a', x: 1, y: 2 });
    assert.deepEqual(await failure(() => c.save({ _key: 'b', x: 1, y: 2 })), [409, 1210]);
    await c.save({ _key: 'b', x: 1, y: 3 });
    assert.deepEqual(await failure(() => c.update('b', { y: 2 })), [409, 1210]);
    await c.update('a', { z: 'unrelated' }, { mergeObjects: true });
    assert.deepEqual(await failure(() => db.query('INSERT { x: 1, y: 2 } INTO uniq')), [409, 1210]);
    assert.deepEqual(await failure(() => c.save({ x: 'nope', y: 1 })), [400, 1561]);
    assert.deepEqual(await failure(() => c.save({ x: 5 })), [400, 1561]);
    assert.equal(await c.count().then((r) => r.count), 2, 'refused writes left nothing behind');
    // inside a stream transaction: its own writes, and the storage at commit
    const trx = await db.beginTransaction({ write: ['uniq'] });
    await trx.step(() => c.save({ _key: 't1', x: 9, y: 9 }));
    assert.deepEqual(await failure(() => trx.step(() => c.save({ _key: 't2', x: 9, y: 9 }))), [409, 1210]);
    assert.deepEqual(await failure(() => trx.step(() => c.save({ _key: 't3', x: null, y: 9 }))), [400, 1561]);
    await trx.abort();
    const trx2 = await db.beginTransaction({ write: ['uniq'] });
    await trx2.step(() => c.save({ _key: 't4', x: 1, y: 2 }));
    assert.deepEqual(await failure(() => trx2.commit()), [409, 1210]);
    assert.equal(await c.count().then((r) => r.count), 2);
    const s = await db.createCollection('sparse');
    await s.ensureIndex({ type: 'mdi', fields: ['x', 'y'], fieldValueTypes: 'double', sparse: true });
    await s.saveAll([{ _key: '1', x: 1, y: 1 }, { _key: '2', x: 1 }, { _key: '3', x: 2, y: null }]);
    assert.deepEqual(await keys('FOR d IN sparse FILTER d.x >= 0 && d.x <= 5 RETURN d._key', {}), ['1', '2', '3'], 'not every field bounded: no sparse index');
    assert.deepEqual(await keys('FOR d IN sparse FILTER d.x >= 0 && d.y >= 0 RETURN d._key', {}), ['1']);
  });
});
