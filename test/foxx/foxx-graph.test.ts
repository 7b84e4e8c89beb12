import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';
import { craftZip } from './zip-craft.ts';

const INDEX = `const router = require('@arangodb/foxx/router')();
module.context.use(router);
const { db } = require('@arangodb');
const gm = require('@arangodb/general-graph');
const examples = require('@arangodb/graph-examples/example-graph');
const attempt = (fn) => { try { return { ok: fn() }; } catch (e) { return { errorNum: e.errorNum, message: e.message }; } };
router.post('/examples/:name', (req, res) => {
  const g = examples.loadGraph(req.pathParams.name);
  res.json(g === false ? false : g === undefined ? 'undefined' : { name: g.__name, edgeDefinitions: g.__edgeDefinitions });
});
router.delete('/examples/:name', (req, res) => {
  examples.dropGraph(req.pathParams.name);
  res.json({ exists: gm._exists(req.pathParams.name) });
});
router.post('/again/:name', (req, res) => res.json(attempt(() => examples.loadGraph(req.pathParams.name))));
router.post('/build', (req, res) => {
  const g = gm._create('teams', gm._edgeDefinitions(gm._relation('memberOf', ['people'], ['teams'])), ['archive']);
  const ann = g.people.save({ _key: 'ann', name: 'Ann' });
  g.people.save([{ _key: 'bob' }, { _key: 'cid' }]);
  g.teams.save({ _key: 'core' });
  g.memberOf.save(ann._id, 'teams/core', { role: 'lead' });
  g.memberOf.save({ _from: 'people/bob', _to: 'teams/core' });
  g.memberOf.save('people/cid', 'teams/core', {});
  const outside = attempt(() => g.memberOf.save('teams/core', 'people/ann', {}));
  const missing = attempt(() => g.memberOf.save('people/nobody', 'teams/core', {}));
  const neighbors = g._neighbors('teams/core').sort();
  const viaGraph = gm._graph('teams').people.document('ann').name;
  g.people.update('ann', { name: 'Ann B.' });
  g.people.remove('bob');
  const edgesLeft = db._query('FOR e IN memberOf SORT e._from RETURN e._from').toArray();
  const from = g._fromVertex(db._query('FOR e IN memberOf FILTER e._from == "people/ann" RETURN e._id').toArray()[0])._key;
  g._addVertexCollection('guests');
  g._extendEdgeDefinitions(gm._relation('visits', 'guests', 'teams'));
  g._deleteEdgeDefinition('visits', true);
  g._removeVertexCollection('archive', true);
  const inTrx = attempt(() => db._executeTransaction({ collections: { write: ['people'] }, action: () => g.people.save({ _key: 'dan' }) }));
  res.json({
    outside, missing, neighbors, viaGraph, edgesLeft, from, inTrx,
    orphans: g._orphanCollections().sort(),
    vertexCollections: g._vertexCollections().map((c) => c.name()).sort(),
    edgeCollections: g._edgeCollections().map((c) => c.name()),
    list: gm._list(),
    visitsExists: db._collection('visits') !== null,
    archiveExists: db._collection('archive') !== null,
    annName: db.people.document('ann').name,
  });
});
router.delete('/build', (req, res) => res.json({ dropped: gm._drop('teams', true), people: db._collection('people') !== null, missing: attempt(() => gm._graph('teams')) }));`;

describe('@arangodb/general-graph and the example graphs in Foxx services', () => {
  const tmp = tempDir('kitsune-foxx-graph-');
  let server: ServerHandle;
  const call = (method: string, p: string) => rawRequest(server.endpoint, method, p, '', {});
  before(async () => {
    server = await startServer({ dataDir: path.join(tmp.dir, 'data') });
    const zip = craftZip([
      { name: 'manifest.json', data: Buffer.from(JSON.stringify({ main: 'index.js', engines: { arangodb: '^3.0.0' } })) },
      { name: 'index.js', data: Buffer.from(INDEX) },
    ]);
    await server.db().installService('/graphs', new Blob([zip], { type: 'application/zip' }));
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('loads the documentation datasets as named graphs that AQL and gharial see', async () => {
    const db = server.db();
    const social = await call('POST', '/graphs/examples/social');
    assert.equal(social.status, 200, social.text);
    assert.deepEqual(social.json, { name: 'social', edgeDefinitions: [{ collection: 'relation', from: ['female', 'male'], to: ['female', 'male'] }] });
    const friends = await (await db.query('FOR v, e IN 1..1 OUTBOUND "female/alice" GRAPH "social" SORT v._key RETURN [v.name, e.type]')).all();
    assert.deepEqual(friends, [['Bob', 'married'], ['Charly', 'friend']]);
    const info = await db.graph('social').get();
    assert.deepEqual(info.orphanCollections, []);
    for (const name of ['knows_graph', 'routeplanner', 'traversalGraph']) assert.equal((await call('POST', `/graphs/examples/${name}`)).status, 200, name);
    const reach = await (await db.query('FOR v IN 1..3 OUTBOUND "circles/A" GRAPH "traversalGraph" RETURN v._key')).all();
    assert.equal(reach.length, 10);
    const near = await (await db.query('FOR c IN germanCity SORT GEO_DISTANCE(c.geometry, [6.9, 50.9]) LIMIT 1 RETURN c._key')).all();
    assert.deepEqual(near, ['Cologne']);
    const geo = (await db.collection('frenchCity').indexes()).find((i) => i.type === 'geo') as { fields: string[]; geoJson: boolean } | undefined;
    assert.deepEqual([geo?.fields, geo?.geoJson], [['geometry'], true]);
    const knows = await (await db.query('FOR v IN 1..1 OUTBOUND "persons/bob" GRAPH "knows_graph" SORT v._key RETURN v.name')).all();
    assert.deepEqual(knows, ['Charlie', 'Dave']);
    // loading again over existing collections is refused with 1207 (ArangoDB's message); an unknown name is false
    const again = await call('POST', '/graphs/again/social');
    assert.deepEqual(again.json, { errorNum: 1207, message: 'the collection: ["relation","female","male"] already exists. Please clean up and try again.' });
    assert.equal((await call('POST', '/graphs/examples/nonsense')).json, false);
    const dropped = await call('DELETE', '/graphs/examples/social');
    assert.deepEqual(dropped.json, { exists: false });
    assert.equal(await db.collection('female').exists(), false, 'dropGraph drops the collections');
  });

  it('loads the other 3.12 example graphs with the results the documentation shows for them', async () => {
    const db = server.db();
    const all = async (q: string): Promise<unknown[]> => (await db.query(q)).all();
    const load = async (name: string): Promise<void> => assert.equal((await call('POST', `/graphs/examples/${name}`)).status, 200, name);
    const knows = await all('FOR e IN knows SORT e._from, e._to RETURN [e._from, e._to, e.vertex]');
    assert.deepEqual(knows[0], ['persons/alice', 'persons/bob', 'alice']);

    await load('kShortestPathsGraph');
    assert.deepEqual(await all('RETURN [LENGTH(places), LENGTH(connections)]'), [[18, 36]]);
    const ksp = (await all(`FOR p IN OUTBOUND K_SHORTEST_PATHS 'places/StAndrews' TO 'places/Cologne' GRAPH 'kShortestPathsGraph'
      OPTIONS {weightAttribute: 'travelTime', defaultWeight: 15} LIMIT 3 RETURN {places: p.vertices[*].label, total: SUM(p.edges[*].travelTime)}`)) as { places: string[]; total: number }[];
    assert.deepEqual(ksp.map((p) => p.places.join(' ')), [
      'StAndrews Leuchars Edinburgh York London Brussels Cologne',
      'StAndrews Leuchars Edinburgh Glasgow Carlisle Birmingham London Brussels Cologne',
      'StAndrews Leuchars Edinburgh Glasgow Carlisle York London Brussels Cologne',
    ]);
    assert.deepEqual(ksp.map((p) => Math.round(p.total * 10) / 10), [11.5, 11.7, 12.5]);
    const kPaths = (await all(`FOR p IN 1..10 OUTBOUND K_PATHS 'places/Aberdeen' TO 'places/London' GRAPH 'kShortestPathsGraph' RETURN CONCAT_SEPARATOR(' ', p.vertices[*].label)`)) as string[];
    assert.deepEqual(kPaths.sort(), [
      'Aberdeen Leuchars Edinburgh Glasgow Carlisle Birmingham London',
      'Aberdeen Leuchars Edinburgh Glasgow Carlisle York London',
      'Aberdeen Leuchars Edinburgh York Carlisle Birmingham London',
      'Aberdeen Leuchars Edinburgh York London',
    ]);
    const asp = await all(`FOR p IN OUTBOUND ALL_SHORTEST_PATHS 'places/Carlisle' TO 'places/London' GRAPH 'kShortestPathsGraph' RETURN CONCAT_SEPARATOR(' ', p.vertices[*].label)`);
    assert.deepEqual(asp.sort(), ['Carlisle Birmingham London', 'Carlisle York London']);
    await call('DELETE', '/graphs/examples/kShortestPathsGraph');

    await load('connectedComponentsGraph');
    const component = async (start: string): Promise<unknown[]> =>
      all(`FOR v IN 0..50 ANY 'components/${start}' GRAPH 'connectedComponentsGraph' OPTIONS {order: 'bfs', uniqueVertices: 'global'} COLLECT WITH COUNT INTO n RETURN n`);
    assert.deepEqual([await component('A1'), await component('B1'), await component('C1')], [[4], [22], [10]]);
    await call('DELETE', '/graphs/examples/connectedComponentsGraph');

    await load('mps_graph');
    const mps = await all(`FOR p IN OUTBOUND ALL_SHORTEST_PATHS 'mps_verts/A' TO 'mps_verts/C' GRAPH 'mps_graph' RETURN CONCAT(p.vertices[*]._key)`);
    assert.deepEqual(mps.sort(), ['ABC', 'ADC']);
    await call('DELETE', '/graphs/examples/mps_graph');

    await load('worldCountry');
    assert.deepEqual(await all('RETURN [LENGTH(worldVertices), LENGTH(worldEdges)]'), [[87, 86]]);
    const europe = await all(`FOR v IN 1..1 INBOUND 'worldVertices/continent-europe' GRAPH 'worldCountry' RETURN v.code`);
    assert.deepEqual(europe.sort(), ['ALB', 'AND', 'AUT', 'BEL', 'BGR', 'BIH', 'CZE', 'DEU', 'DNK', 'FIN', 'FRA', 'HRV']);
    assert.deepEqual(await all(`FOR v, e, p IN 3 INBOUND 'worldVertices/world' GRAPH 'worldCountry' FILTER v.name == "N'Djamena" RETURN p.vertices[*].name`), [
      ['World', 'Africa', 'Chad', "N'Djamena"],
    ]);
    await call('DELETE', '/graphs/examples/worldCountry');
    assert.equal(await db.collection('worldVertices').exists(), false);

    // the unmanaged variant: the same data in plain collections, no named graph
    assert.equal((await call('POST', '/graphs/examples/worldCountryUnManaged')).json, 'undefined');
    assert.deepEqual(await all('RETURN [LENGTH(worldVertices), LENGTH(worldEdges)]'), [[87, 86]]);
    assert.equal(await db.graph('worldCountryUnManaged').exists(), false);
    await call('DELETE', '/graphs/examples/worldCountryUnManaged');
    assert.deepEqual([await db.collection('worldVertices').exists(), await db.collection('worldEdges').exists()], [false, false]);
  });

  it('writes vertices and edges through a graph with its guarantees and edits its definition', async () => {
    const r = await call('POST', '/graphs/build');
    assert.equal(r.status, 200, r.text);
    const b = r.json as Record<string, unknown>;
    assert.equal((b['outside'] as { errorNum: number }).errorNum, 1947, 'an edge outside the definition is refused');
    assert.equal((b['missing'] as { errorNum: number }).errorNum, 1202, 'an edge to a missing vertex is refused');
    assert.deepEqual(b['neighbors'], ['people/ann', 'people/bob', 'people/cid']);
    assert.equal(b['viaGraph'], 'Ann');
    assert.deepEqual(b['edgesLeft'], ['people/ann', 'people/cid'], "removing a vertex removed its edges");
    assert.equal(b['from'], 'ann');
    assert.equal((b['inTrx'] as { errorNum: number }).errorNum, 1653, 'graph writes inside a transaction are refused');
    assert.deepEqual(b['orphans'], ['guests']);
    assert.deepEqual(b['vertexCollections'], ['guests', 'people', 'teams']);
    assert.deepEqual(b['edgeCollections'], ['memberOf']);
    assert.ok((b['list'] as string[]).includes('teams'));
    assert.equal(b['visitsExists'], false);
    assert.equal(b['archiveExists'], false);
    assert.equal(b['annName'], 'Ann B.');
    assert.equal(await server.db().collection('people').documentExists('dan'), false);
    // gharial sees the same graph
    const g = await server.db().graph('teams').get();
    assert.deepEqual(g.edgeDefinitions, [{ collection: 'memberOf', from: ['people'], to: ['teams'] }]);
    const d = await call('DELETE', '/graphs/build');
    assert.deepEqual(d.json, { dropped: true, people: false, missing: { errorNum: 1924, message: "graph 'teams' not found" } });
  });
});
