// Named-graph guarantees (issue #12): edges stay inside their definition on every write path,
// removing a vertex removes its edges in every graph atomically (or nothing when it fails), and
// dropping a graph keeps the collections other graphs still use.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aql, type Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { suiteServer, type ServerHandle } from '../harness/server.ts';

describe('named graph consistency', () => {
  let server: ServerHandle;
  let db: Database;
  suiteServer({}, (s) => {
    server = s;
    db = s.db();
  });

  it('refuses edges outside the definition on insert, replace and update (1947), leaving the edge as it was', async () => {
    const g = db.graph('bounded');
    await g.create([{ collection: 'knows', from: ['people'], to: ['people'] }], { orphanCollections: ['places'] });
    await g.vertexCollection('people').save({ _key: 'ann' });
    await g.vertexCollection('people').save({ _key: 'bob' });
    await g.vertexCollection('places').save({ _key: 'rome' });
    const knows = g.edgeCollection('knows');
    const e = await knows.save({ _key: 'k1', _from: 'people/ann', _to: 'people/bob' });
    assert.deepEqual(await failure(() => knows.save({ _from: 'people/ann', _to: 'places/rome' })), [400, 1947]);
    assert.deepEqual(await failure(() => knows.replace(e._key, { _from: 'places/rome', _to: 'people/bob' })), [400, 1947]);
    assert.deepEqual(await failure(() => knows.update(e._key, { _to: 'places/rome' })), [400, 1947]);
    const stored = await knows.edge('k1');
    assert.deepEqual([stored._from, stored._to], ['people/ann', 'people/bob']);
    // an orphan collection is part of the graph for vertices, not for edges
    assert.equal((await g.vertexCollection('places').vertex('rome'))._key, 'rome');
    assert.equal((await db.collection('knows').count()).count, 1);
  });

  it('removes a vertex with its edges in every graph, and removes nothing when the removal fails', async () => {
    await db.graph('social').create([{ collection: 'follows', from: ['users'], to: ['users'] }]);
    await db.graph('shop').create([{ collection: 'bought', from: ['users'], to: ['items'] }]);
    const users = db.graph('social').vertexCollection('users');
    const u1 = await users.save({ _key: 'u1' });
    await users.save({ _key: 'u2' });
    await db.graph('shop').vertexCollection('items').save({ _key: 'i1' });
    await db.graph('social').edgeCollection('follows').save({ _key: 'f12', _from: 'users/u1', _to: 'users/u2' });
    await db.graph('social').edgeCollection('follows').save({ _key: 'f21', _from: 'users/u2', _to: 'users/u1' });
    await db.graph('shop').edgeCollection('bought').save({ _key: 'b1', _from: 'users/u1', _to: 'items/i1' });
    await db.graph('shop').edgeCollection('bought').save({ _key: 'b2', _from: 'users/u2', _to: 'items/i1' });

    // a removal refused by If-Match leaves the vertex and all its edges
    assert.deepEqual(await failure(() => users.remove('u1', { rev: `${u1._rev}x` })), [412, 1200]);
    assert.equal((await db.collection('follows').count()).count, 2);
    assert.equal((await db.collection('bought').count()).count, 2);

    await users.remove('u1');
    assert.equal(await db.collection('users').documentExists('u1'), false);
    assert.deepEqual(await (await db.query(aql`FOR e IN follows RETURN e._key`)).all(), []);
    assert.deepEqual(await (await db.query(aql`FOR e IN bought RETURN e._key`)).all(), ['b2']);
    // traversals over either graph find no dangling edge
    const reach = await (await db.query(aql`FOR v, e IN 1..2 ANY 'users/u2' GRAPH 'shop' RETURN [v._key, e._key]`)).all();
    assert.deepEqual(reach, [['i1', 'b2']]);
    assert.deepEqual(await (await db.query(aql`FOR v IN 1..3 ANY 'users/u2' GRAPH 'social' RETURN v._key`)).all(), []);
  });

  it('drops a graph with its collections, keeping those another graph still uses', async () => {
    await db.graph('first').create([{ collection: 'shared_edges', from: ['shared_v'], to: ['own_v'] }]);
    await db.graph('second').create([{ collection: 'other_edges', from: ['shared_v'], to: ['shared_v'] }]);
    await db.graph('first').drop(true);
    const names = (await db.listCollections()).map((c) => c.name);
    assert.ok(names.includes('shared_v'), 'a vertex collection of another graph is kept');
    assert.ok(!names.includes('own_v'));
    assert.ok(!names.includes('shared_edges'));
    assert.deepEqual((await db.listGraphs()).map((g) => g._key ?? g.name).filter((n) => n === 'first' || n === 'second'), ['second']);
  });
});
