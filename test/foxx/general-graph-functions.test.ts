import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, tempDir, type ServerHandle } from '../harness/server.ts';
import { dropExample, graphCall, graphCallError, installGraphService, loadExample, sorted } from './graph-service.ts';

type Doc = Record<string, unknown>;
type PathDoc = { source: Doc; destination: Doc; edges: Doc[]; vertice: Doc[] };

/**
 * The neighbourhood functions of `@arangodb/general-graph` in a Foxx service, on the example
 * graphs; the routeplanner and social results are those ArangoDB 3.12's documentation shows.
 */
describe('@arangodb/general-graph neighbourhood functions', () => {
  const tmp = tempDir('kitsune-gg-functions-');
  let server: ServerHandle;
  const rp = (method: string, ...args: unknown[]): Promise<unknown> => graphCall(server, 'routeplanner', method, ...args);
  const social = (method: string, ...args: unknown[]): Promise<unknown> => graphCall(server, 'social', method, ...args);
  before(async () => {
    server = await startServer({ dataDir: path.join(tmp.dir, 'data') });
    await installGraphService(server);
    assert.equal(await loadExample(server, 'routeplanner'), 'routeplanner');
    assert.equal(await loadExample(server, 'social'), 'social');
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('_neighbors with examples and options', async () => {
    // the capitals neighbour each other, so both are among the neighbours (ArangoDB keeps start vertices)
    assert.deepEqual(sorted(await rp('_neighbors', { isCapital: true })), ['frenchCity/Lyon', 'frenchCity/Paris', 'germanCity/Berlin', 'germanCity/Cologne', 'germanCity/Hamburg']);
    assert.deepEqual(sorted(await rp('_neighbors', 'germanCity/Hamburg', { direction: 'outbound', maxDepth: 2 })), ['frenchCity/Lyon', 'frenchCity/Paris', 'germanCity/Cologne']);
    assert.deepEqual(sorted(await social('_neighbors', 'female/alice')), ['male/bob', 'male/charly']);
    assert.deepEqual(await social('_neighbors', 'female/alice', { neighborExamples: { name: 'Bob' } }), ['male/bob']);
    assert.deepEqual(await social('_neighbors', 'female/alice', { edgeExamples: { type: 'friend' } }), ['male/charly']);
    assert.deepEqual(sorted(await social('_neighbors', 'female/alice', { edgeExamples: [{ type: 'friend' }, { type: 'married' }] })), ['male/bob', 'male/charly']);
    assert.deepEqual(await social('_neighbors', 'female/alice', { maxDepth: 2, vertexCollectionRestriction: 'female' }), ['female/diana']);
    assert.deepEqual(await social('_neighbors', 'female/alice', { minDepth: 2, maxDepth: 2 }), ['female/diana']);
    assert.deepEqual(sorted(await social('_neighbors', 'female/alice', { maxDepth: 4 })), ['female/alice', 'female/diana', 'male/bob', 'male/charly'], 'round the cycle back to Alice');
    assert.deepEqual(sorted(await social('_neighbors', { name: 'Diana' }, { direction: 'inbound' })), ['male/bob', 'male/charly']);
    assert.deepEqual(sorted(await social('_neighbors', [{ name: 'Alice' }, 'male/bob'], { direction: 'outbound' })), ['female/diana', 'male/bob', 'male/charly']);
    assert.deepEqual(sorted(await social('_neighbors', 'female/alice', { edgeCollectionRestriction: ['relation'] })), ['male/bob', 'male/charly']);
    const docs = (await social('_neighbors', 'female/alice', { includeData: true })) as Doc[];
    assert.deepEqual(docs.map((d) => d['name']).sort(), ['Bob', 'Charly']);
    assert.equal((await graphCallError(server, 'social', '_neighbors', 'female/alice', { direction: 'sideways' })).errorNum, 10);
    assert.equal((await graphCallError(server, 'social', '_neighbors', 'female/alice', { maxDepth: -1 })).errorNum, 10);
  });

  it('_commonNeighbors and _countCommonNeighbors', async () => {
    const norm = (x: unknown): unknown => (x as Doc[]).map((r) => ({ ...r, neighbors: sorted(r['neighbors']) }));
    assert.deepEqual(norm(await rp('_commonNeighbors', { isCapital: true }, { isCapital: true })), [
      { left: 'frenchCity/Paris', right: 'germanCity/Berlin', neighbors: ['frenchCity/Lyon', 'germanCity/Cologne', 'germanCity/Hamburg'] },
      { left: 'germanCity/Berlin', right: 'frenchCity/Paris', neighbors: ['frenchCity/Lyon', 'germanCity/Cologne', 'germanCity/Hamburg'] },
    ]);
    const out2 = { direction: 'outbound', maxDepth: 2 };
    assert.deepEqual(norm(await rp('_commonNeighbors', 'germanCity/Hamburg', {}, out2, out2)), [
      { left: 'germanCity/Hamburg', right: 'frenchCity/Paris', neighbors: ['frenchCity/Lyon'] },
      { left: 'germanCity/Hamburg', right: 'germanCity/Berlin', neighbors: ['frenchCity/Lyon', 'frenchCity/Paris', 'germanCity/Cologne'] },
      { left: 'germanCity/Hamburg', right: 'germanCity/Cologne', neighbors: ['frenchCity/Lyon', 'frenchCity/Paris'] },
    ]);
    const withData = (await rp('_commonNeighbors', 'germanCity/Hamburg', 'germanCity/Cologne', { ...out2, includeData: true }, out2)) as Doc[];
    assert.deepEqual((withData[0]!['neighbors'] as Doc[]).map((d) => d['population']).sort(), [4000000, 80000]);
    const example = { isCapital: true };
    const includeData = { includeData: true };
    assert.deepEqual(await rp('_countCommonNeighbors', example, example, includeData, includeData), [
      { 'frenchCity/Paris': [{ 'germanCity/Berlin': 3 }] },
      { 'germanCity/Berlin': [{ 'frenchCity/Paris': 3 }] },
    ]);
    const opts = { direction: 'outbound', maxDepth: 2, includeData: true };
    assert.deepEqual(await rp('_countCommonNeighbors', 'germanCity/Hamburg', {}, opts, opts), [
      { 'germanCity/Hamburg': [{ 'frenchCity/Paris': 1 }, { 'germanCity/Berlin': 3 }, { 'germanCity/Cologne': 2 }] },
    ]);
  });

  it('_commonProperties and _countCommonProperties', async () => {
    const notCapital = (id: string): Doc => ({ _id: id, isCapital: false });
    assert.deepEqual(await rp('_commonProperties', {}, {}), [
      { 'frenchCity/Lyon': [notCapital('germanCity/Cologne'), notCapital('germanCity/Hamburg')] },
      { 'frenchCity/Paris': [{ _id: 'germanCity/Berlin', isCapital: true }] },
      { 'germanCity/Berlin': [{ _id: 'frenchCity/Paris', isCapital: true }] },
      { 'germanCity/Cologne': [notCapital('frenchCity/Lyon'), { ...notCapital('germanCity/Hamburg'), population: 1000000 }] },
      { 'germanCity/Hamburg': [notCapital('frenchCity/Lyon'), { ...notCapital('germanCity/Cologne'), population: 1000000 }] },
    ]);
    assert.deepEqual(await rp('_commonProperties', {}, {}, { ignoreProperties: 'population' }), [
      { 'frenchCity/Lyon': [notCapital('germanCity/Cologne'), notCapital('germanCity/Hamburg')] },
      { 'frenchCity/Paris': [{ _id: 'germanCity/Berlin', isCapital: true }] },
      { 'germanCity/Berlin': [{ _id: 'frenchCity/Paris', isCapital: true }] },
      { 'germanCity/Cologne': [notCapital('frenchCity/Lyon'), notCapital('germanCity/Hamburg')] },
      { 'germanCity/Hamburg': [notCapital('frenchCity/Lyon'), notCapital('germanCity/Cologne')] },
    ]);
    const counts = [{ 'frenchCity/Lyon': 2 }, { 'frenchCity/Paris': 1 }, { 'germanCity/Berlin': 1 }, { 'germanCity/Cologne': 2 }, { 'germanCity/Hamburg': 2 }];
    assert.deepEqual(await rp('_countCommonProperties', {}, {}), counts);
    // the collection restrictions are accepted and ignored, as in ArangoDB 3.12 (its documented output)
    assert.deepEqual(await rp('_countCommonProperties', {}, {}, { vertex1CollectionRestriction: 'germanCity', vertex2CollectionRestriction: 'germanCity', ignoreProperties: 'population' }), counts);
    assert.deepEqual(await rp('_countCommonProperties', 'germanCity/Berlin', {}, { ignoreProperties: ['isCapital'] }), []);
  });

  it('_paths of the social graph', async () => {
    const canon = (x: unknown): string[] =>
      (x as PathDoc[]).map((p) => {
        assert.equal(p.source['_id'], p.vertice[0]!['_id']);
        assert.equal(p.destination['_id'], p.vertice.at(-1)!['_id']);
        assert.equal(p.edges.length, p.vertice.length - 1);
        return p.vertice.map((v) => v['_key']).join('>');
      }).sort();
    assert.deepEqual(canon(await social('_paths')), ['alice', 'alice>bob', 'alice>bob>diana', 'alice>charly', 'alice>charly>diana', 'bob', 'bob>diana', 'charly', 'charly>diana', 'diana']);
    const inbound = (await social('_paths', { direction: 'inbound', minLength: 1, maxLength: 2 })) as PathDoc[];
    assert.deepEqual(canon(inbound), ['bob>alice', 'charly>alice', 'diana>bob', 'diana>bob>alice', 'diana>charly', 'diana>charly>alice']);
    const edge = inbound.find((p) => p.vertice.length === 2 && p.source['_key'] === 'bob')!.edges[0]!;
    assert.deepEqual([edge['_from'], edge['_to'], edge['type'], edge['vertex']], ['female/alice', 'male/bob', 'married', 'alice']);
    assert.equal(((await social('_paths', { direction: 'any', maxLength: 4 })) as unknown[]).length, 4 * 7, 'round the 4-cycle: each vertex itself and 2 paths each of 1, 2 and 3 edges');
  });

  it('_vertices, _edges, _fromVertex, _toVertex', async () => {
    const ids = (x: unknown): unknown[] => sorted((x as Doc[]).map((d) => d['_id']));
    assert.deepEqual(ids(await social('_vertices')), ['female/alice', 'female/diana', 'male/bob', 'male/charly']);
    assert.deepEqual(ids(await social('_vertices', [{ name: 'Alice' }, 'male/bob'])), ['female/alice', 'male/bob']);
    assert.deepEqual(ids(await social('_vertices', {}, { vertexCollectionRestriction: 'male' })), ['male/bob', 'male/charly']);
    const aliceEdges = (await social('_edges', 'female/alice')) as string[];
    assert.equal(aliceEdges.length, 2);
    assert.ok(aliceEdges.every((id) => id.startsWith('relation/')));
    const married = (await social('_edges', 'female/alice', { includeData: true, edgeExamples: { type: 'married' } })) as Doc[];
    assert.deepEqual(married.map((e) => [e['_from'], e['_to']]), [['female/alice', 'male/bob']]);
    assert.equal(((await social('_edges', 'female/alice', { maxDepth: 2 })) as unknown[]).length, 4);
    const toDiana = (await social('_edges', { name: 'Diana' }, { direction: 'inbound', includeData: true })) as Doc[];
    assert.deepEqual(toDiana.map((e) => e['_from']).sort(), ['male/bob', 'male/charly']);

    const edgeId = married[0]!['_id'];
    assert.equal(((await social('_fromVertex', edgeId)) as Doc)['name'], 'Alice');
    assert.equal(((await social('_toVertex', edgeId)) as Doc)['name'], 'Bob');
    assert.equal((await graphCallError(server, 'social', '_fromVertex', 'female/alice')).errorNum, 1930, 'not an edge collection of the graph');
    assert.equal((await graphCallError(server, 'social', '_toVertex', 'nonsense')).errorNum, 1205);
  });

  it('_getConnectingEdges', async () => {
    const ends = (x: unknown): string[] => (x as Doc[]).map((e) => `${String(e['_from'])} ${String(e['_to'])}`).sort();
    const capitals = (await rp('_getConnectingEdges', { isCapital: true }, { isCapital: true })) as Doc[];
    assert.deepEqual(capitals.map((e) => [e['_from'], e['_to'], e['distance']]), [['germanCity/Berlin', 'frenchCity/Paris', 1200]]);
    assert.deepEqual(ends(await rp('_getConnectingEdges', 'germanCity/Hamburg', {}, { edgeCollectionRestriction: 'germanHighway' })), [
      'germanCity/Berlin germanCity/Hamburg', 'germanCity/Hamburg germanCity/Cologne',
    ]);
    assert.deepEqual(ends(await rp('_getConnectingEdges', {}, 'frenchCity/Lyon', { edgeExamples: { distance: 700 } })), ['germanCity/Cologne frenchCity/Lyon']);
    assert.deepEqual(ends(await rp('_getConnectingEdges', {}, {}, { vertex1CollectionRestriction: 'frenchCity', vertex2CollectionRestriction: ['frenchCity'] })), ['frenchCity/Paris frenchCity/Lyon']);
  });

  it('answers for graphs it loads again after a drop', async () => {
    assert.equal(await dropExample(server, 'social'), true);
    assert.equal(await dropExample(server, 'social'), 'undefined', 'nothing left to drop');
    assert.equal(await loadExample(server, 'social'), 'social');
    assert.deepEqual(sorted(await social('_neighbors', 'male/bob')), ['female/alice', 'female/diana']);
  });
});
