import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aql, type Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { suiteServer, type ServerHandle } from '../harness/server.ts';

describe('named graphs (gharial) through arangojs', () => {
  let server: ServerHandle;
  let db: Database;
  suiteServer({}, (s) => {
    server = s;
    db = s.db();
  });

  it('creates a graph with its missing collections, lists, gets and drops it (16-graphs)', async () => {
    const g = db.graph('social');
    const info = await g.create([{ collection: 'knows', from: ['person'], to: ['person'] }], { orphanCollections: ['place'] });
    assert.equal(info.name, 'social');
    assert.deepEqual(info.edgeDefinitions, [{ collection: 'knows', from: ['person'], to: ['person'] }]);
    assert.deepEqual(info.orphanCollections, ['place']);
    assert.equal(await g.exists(), true);
    assert.equal((await db.collection('knows').properties()).type, 3);
    assert.equal(await db.collection('place').exists(), true);
    assert.ok((await db.listGraphs()).some((x) => x.name === 'social'));
    assert.deepEqual(await failure(() => g.create([])), [409, 1925]);
    assert.deepEqual(await failure(() => db.graph('nope').get()), [404, 1924]);
    assert.deepEqual((await g.listVertexCollections()).sort(), ['person', 'place']);
    assert.deepEqual(await g.listEdgeCollections(), ['knows']);
    await g.drop(true);
    assert.equal(await g.exists(), false);
    assert.equal(await db.collection('knows').exists(), false);
  });

  it('edits edge definitions and vertex collections (17-19)', async () => {
    const g = db.graph('edit');
    await g.create([{ collection: 'e1', from: ['a'], to: ['b'] }]);
    let info = await g.addEdgeDefinition({ collection: 'e2', from: ['b'], to: ['c'] });
    assert.deepEqual(info.edgeDefinitions.map((d) => d.collection).sort(), ['e1', 'e2']);
    info = await g.replaceEdgeDefinition('e2', { collection: 'e2', from: ['a'], to: ['b'] });
    assert.deepEqual(info.edgeDefinitions.find((d) => d.collection === 'e2'), { collection: 'e2', from: ['a'], to: ['b'] });
    assert.ok(info.orphanCollections.includes('c'));
    info = await g.removeEdgeDefinition('e2');
    assert.deepEqual(info.edgeDefinitions.map((d) => d.collection), ['e1']);
    info = await g.addVertexCollection('d');
    assert.ok(info.orphanCollections.includes('d'));
    info = await g.removeVertexCollection('d');
    assert.ok(!info.orphanCollections.includes('d'));
    assert.deepEqual(await failure(() => g.removeVertexCollection('a')), [400, 1929]);
    // the same edge collection with another definition in a second graph
    assert.deepEqual(await failure(() => db.graph('other').create([{ collection: 'e1', from: ['x'], to: ['y'] }])), [400, 1921]);
  });

  it('replacing an edge definition changes it in every graph that uses the edge collection', async () => {
    const first = db.graph('shared1');
    const second = db.graph('shared2');
    await first.create([{ collection: 'srel', from: ['sp'], to: ['sq'] }]);
    await second.create([{ collection: 'srel', from: ['sp'], to: ['sq'] }, { collection: 'sown', from: ['sq'], to: ['sr'] }]);
    const info = await first.replaceEdgeDefinition('srel', { collection: 'srel', from: ['sp'], to: ['ss'] });
    assert.deepEqual(info.edgeDefinitions, [{ collection: 'srel', from: ['sp'], to: ['ss'] }]);
    assert.deepEqual(info.orphanCollections, ['sq'], 'the vertex collection no definition uses any more is kept as an orphan');
    const other = await second.get();
    assert.deepEqual(other.edgeDefinitions.find((d) => d.collection === 'srel'), { collection: 'srel', from: ['sp'], to: ['ss'] });
    assert.deepEqual(other.edgeDefinitions.find((d) => d.collection === 'sown'), { collection: 'sown', from: ['sq'], to: ['sr'] }, 'its other definitions stay');
    assert.ok(await db.collection('ss').exists(), 'the new vertex collection was created');
    // the edited definition holds in both graphs
    await db.collection('sp').save({ _key: 'p1' });
    await db.collection('ss').save({ _key: 's1' });
    await second.edgeCollection('srel').save({ _from: 'sp/p1', _to: 'ss/s1' });
    assert.deepEqual(await failure(() => second.edgeCollection('srel').save({ _from: 'sp/p1', _to: 'sq/q1' })), [400, 1947]);
  });

  it('stores vertices and edges through the graph, refusing edges outside the definition (20)', async () => {
    const g = db.graph('crud');
    await g.create([{ collection: 'rel', from: ['va'], to: ['vb'] }]);
    const va = g.vertexCollection('va');
    const vb = g.vertexCollection('vb');
    const a = await va.save({ _key: 'a', n: 1 }, { returnNew: true });
    assert.equal(a._id, 'va/a');
    assert.equal(a.new?.n, 1);
    await vb.save({ _key: 'b' });
    assert.equal((await va.vertex('a')).n, 1);
    const rel = g.edgeCollection('rel');
    const e = await rel.save({ _from: 'va/a', _to: 'vb/b', w: 1 });
    assert.equal((await rel.edge(e._key)).w, 1);
    await rel.update(e._key, { w: 2 });
    assert.equal((await rel.edge(e._key)).w, 2);
    assert.deepEqual(await failure(() => rel.save({ _from: 'vb/b', _to: 'vb/b' })), [400, 1947]);
    assert.deepEqual(await failure(() => rel.save({ _from: 'va/a', _to: 'vb/missing' })), [404, 1202]);
    assert.deepEqual(await failure(() => g.vertexCollection('elsewhere').save({})), [404, 1949]);
    const upd = await va.update('a', { n: 2 }, { returnOld: true, returnNew: true });
    assert.equal(upd.old?.n, 1);
    assert.equal(upd.new?.n, 2);
    await rel.remove(e._key);
    assert.equal(await db.collection('rel').documentExists(e._key), false);
  });

  it('writes vertices and edges inside a stream transaction (x-arango-trx-id), all or nothing', async () => {
    const g = db.graph('trxg');
    await g.create([{ collection: 'trel', from: ['tva'], to: ['tvb'] }]);
    const va = g.vertexCollection('tva');
    const vb = g.vertexCollection('tvb');
    const rel = g.edgeCollection('trel');
    const trx = await db.beginTransaction({ write: ['tva', 'tvb', 'trel'] });
    await trx.step(() => va.save({ _key: 'a' }));
    await trx.step(() => vb.save({ _key: 'b' }));
    // the edge's vertices exist only inside the transaction: it sees them
    const e = await trx.step(() => rel.save({ _key: 'e', _from: 'tva/a', _to: 'tvb/b' }));
    assert.equal(e._id, 'trel/e');
    assert.deepEqual(await failure(() => trx.step(() => rel.save({ _from: 'tvb/b', _to: 'tvb/b' }))), [400, 1947]);
    assert.equal((await trx.step(() => va.vertex('a')))._key, 'a');
    assert.equal(await db.collection('tva').documentExists('a'), false, 'nobody else sees it before the commit');
    await trx.commit();
    assert.equal((await rel.edge('e'))._from, 'tva/a');

    // a vertex removed inside a transaction takes its edges along; an abort brings both back
    const t2 = await db.beginTransaction({ write: ['tva', 'tvb', 'trel'] });
    await t2.step(() => va.remove('a'));
    assert.equal(await t2.step(() => db.collection('trel').documentExists('e')), false);
    assert.equal(await db.collection('trel').documentExists('e'), true);
    await t2.abort();
    assert.equal(await db.collection('tva').documentExists('a'), true);
    assert.equal(await db.collection('trel').documentExists('e'), true);

    // the edge collection is not declared for write: the vertex removal fails whole
    const t3 = await db.beginTransaction({ write: ['tva'] });
    assert.deepEqual(await failure(() => t3.step(() => va.remove('a'))), [400, 1652]);
    assert.equal(await t3.step(() => db.collection('tva').documentExists('a')), true, 'nothing of the failed removal stays in the transaction');
    await t3.abort();

    // a transaction id that does not exist is refused, and nothing is written outside a transaction
    const bogus = db.transaction('123456789');
    assert.deepEqual(await failure(() => bogus.step(() => va.save({ _key: 'stray' }))), [404, 1655]);
    assert.equal(await db.collection('tva').documentExists('stray'), false);
  });

  it('removes a vertex and its edges in every graph that uses its collection', async () => {
    await db.graph('g1').create([{ collection: 'l1', from: ['shared'], to: ['shared'] }]);
    await db.graph('g2').create([{ collection: 'l2', from: ['shared'], to: ['shared'] }]);
    const v = db.graph('g1').vertexCollection('shared');
    await v.save({ _key: 'x' });
    await v.save({ _key: 'y' });
    await db.graph('g1').edgeCollection('l1').save({ _key: 'e1', _from: 'shared/x', _to: 'shared/y' });
    await db.graph('g2').edgeCollection('l2').save({ _key: 'e2', _from: 'shared/y', _to: 'shared/x' });
    await db.graph('g2').edgeCollection('l2').save({ _key: 'keep', _from: 'shared/y', _to: 'shared/y' });
    await v.remove('x');
    assert.equal(await db.collection('l1').documentExists('e1'), false);
    assert.equal(await db.collection('l2').documentExists('e2'), false);
    assert.equal(await db.collection('l2').documentExists('keep'), true);
  });

  it('runs AQL traversals and shortest paths over a named graph (03-accessing-graphs)', async () => {
    const g = db.graph('route');
    await g.create([{ collection: 'road', from: ['city'], to: ['city'] }]);
    const city = g.vertexCollection('city');
    for (const k of ['a', 'b', 'c', 'd']) await city.save({ _key: k });
    const road = g.edgeCollection('road');
    await road.save({ _from: 'city/a', _to: 'city/b' });
    await road.save({ _from: 'city/b', _to: 'city/c' });
    await road.save({ _from: 'city/c', _to: 'city/d' });
    await road.save({ _from: 'city/a', _to: 'city/c' });
    const reach = await (await db.query(aql`FOR v IN 1..2 OUTBOUND 'city/a' GRAPH 'route' OPTIONS { uniqueVertices: 'global', order: 'bfs' } SORT v._key RETURN v._key`)).all();
    assert.deepEqual(reach, ['b', 'c', 'd']);
    const path = await (await db.query(aql`FOR v IN OUTBOUND SHORTEST_PATH 'city/a' TO 'city/d' GRAPH 'route' RETURN v._key`)).all();
    assert.deepEqual(path, ['a', 'c', 'd']);
  });

  it('refuses SmartGraphs', async () => {
    assert.deepEqual(await failure(() => db.graph('smart').create([{ collection: 's', from: ['t'], to: ['t'] }], { isSmart: true, smartGraphAttribute: 'r' })), [501, 9]);
  });
});
