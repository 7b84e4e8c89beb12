import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, tempDir, type ServerHandle } from '../harness/server.ts';
import { dropExample, graphCall, installGraphService, loadExample } from './graph-service.ts';

/**
 * The path measures of `@arangodb/general-graph` in a Foxx service. The routeplanner numbers are
 * those of ArangoDB 3.12's documentation (its examples pass `weight` without `defaultWeight`,
 * which ArangoDB's module does not weigh, so they count edges); the weighted ones are worked
 * out by hand from the highway distances.
 */
describe('@arangodb/general-graph path measures', () => {
  const tmp = tempDir('kitsune-gg-measures-');
  let server: ServerHandle;
  const rp = (method: string, ...args: unknown[]): Promise<unknown> => graphCall(server, 'routeplanner', method, ...args);
  const cities = (v: number | number[]): Record<string, number> => {
    const [l, p, b, c, h] = Array.isArray(v) ? v : [v, v, v, v, v];
    return { 'frenchCity/Lyon': l!, 'frenchCity/Paris': p!, 'germanCity/Berlin': b!, 'germanCity/Cologne': c!, 'germanCity/Hamburg': h! };
  };
  const ids = ['frenchCity/Lyon', 'frenchCity/Paris', 'germanCity/Berlin', 'germanCity/Cologne', 'germanCity/Hamburg'];
  const weighted = { weight: 'distance', defaultWeight: 1 };
  before(async () => {
    server = await startServer({ dataDir: path.join(tmp.dir, 'data') });
    await installGraphService(server);
    assert.equal(await loadExample(server, 'routeplanner'), 'routeplanner');
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('_shortestPath and _distanceTo answer as in the documentation', async () => {
    const all = (await rp('_shortestPath', {}, {}, { weight: 'distance', endVertexCollectionRestriction: 'frenchCity', startVertexCollectionRestriction: 'germanCity' })) as {
      vertices: string[]; edges: { _from: string; _to: string; distance: number }[]; distance: number;
    }[];
    // every ordered pair of the five cities (the restrictions do not narrow, as in ArangoDB), each a direct highway
    assert.equal(all.length, 20);
    assert.deepEqual(all.map((p) => p.vertices.join(' ')).sort(), ids.flatMap((a) => ids.filter((b) => b !== a).map((b) => `${a} ${b}`)).sort());
    for (const p of all) {
      assert.equal(p.distance, 1);
      assert.equal(p.edges.length, 1);
      assert.deepEqual([p.edges[0]!._from, p.edges[0]!._to].sort(), [...p.vertices].sort());
    }
    const toLyon = (await rp('_shortestPath', [{ _id: 'germanCity/Cologne' }, { _id: 'germanCity/Munich' }], 'frenchCity/Lyon', { weight: 'distance' })) as Record<string, unknown>[];
    assert.equal(toLyon.length, 1);
    assert.deepEqual(toLyon[0]!['vertices'], ['germanCity/Cologne', 'frenchCity/Lyon']);
    assert.equal(toLyon[0]!['distance'], 1);
    const edge = (toLyon[0]!['edges'] as Record<string, unknown>[])[0]!;
    assert.deepEqual([edge['_from'], edge['_to'], edge['distance']], ['germanCity/Cologne', 'frenchCity/Lyon', 700]);
    assert.match(String(edge['_id']), /^internationalHighway\//);

    const distances = (await rp('_distanceTo', {}, {}, { weight: 'distance', endVertexCollectionRestriction: 'frenchCity', startVertexCollectionRestriction: 'germanCity' })) as Record<string, unknown>[];
    assert.equal(distances.length, 20);
    assert.ok(distances.every((d) => d['distance'] === 1 && Object.keys(d).sort().join() === 'distance,startVertex,vertex'));
    assert.deepEqual(await rp('_distanceTo', [{ _id: 'germanCity/Cologne' }, { _id: 'germanCity/Munich' }], 'frenchCity/Lyon', { weight: 'distance' }), [
      { startVertex: 'germanCity/Cologne', vertex: 'frenchCity/Lyon', distance: 1 },
    ]);
  });

  it('weighs edges with weight and defaultWeight', async () => {
    const p = (await rp('_shortestPath', 'germanCity/Hamburg', 'frenchCity/Lyon', weighted)) as Record<string, unknown>[];
    assert.deepEqual(p.map((x) => [x['vertices'], x['distance']]), [[['germanCity/Hamburg', 'germanCity/Cologne', 'frenchCity/Lyon'], 1200]]);
    assert.deepEqual(((p[0]!['edges']) as { distance: number }[]).map((e) => e.distance), [500, 700]);
    assert.deepEqual(await rp('_distanceTo', 'germanCity/Hamburg', 'frenchCity/Lyon', weighted), [{ startVertex: 'germanCity/Hamburg', vertex: 'frenchCity/Lyon', distance: 1200 }]);
    // outbound only: nothing leaves Lyon
    assert.deepEqual(await rp('_distanceTo', 'frenchCity/Lyon', {}, { direction: 'outbound' }), []);
    // an edge without the attribute weighs defaultWeight
    assert.deepEqual(await rp('_distanceTo', 'germanCity/Hamburg', 'frenchCity/Lyon', { weight: 'nope', defaultWeight: 5 }), [{ startVertex: 'germanCity/Hamburg', vertex: 'frenchCity/Lyon', distance: 5 }]);
    // stopAtFirstMatch keeps the lightest path of all pairs
    const first = (await rp('_shortestPath', {}, {}, { ...weighted, stopAtFirstMatch: true })) as Record<string, unknown>[];
    assert.deepEqual(first.map((x) => x['distance']), [400]);
  });

  it('_absoluteEccentricity, _eccentricity, _radius and _diameter', async () => {
    assert.deepEqual(await rp('_absoluteEccentricity', {}), cities(1));
    assert.deepEqual(await rp('_absoluteEccentricity', {}, { weight: 'distance' }), cities(1));
    assert.deepEqual(await rp('_absoluteEccentricity', {}, { startVertexCollectionRestriction: 'germanCity', direction: 'outbound', weight: 'distance' }), cities([0, 1, 1, 1, 1]));
    assert.deepEqual(await rp('_eccentricity'), cities(1));
    assert.deepEqual(await rp('_eccentricity', { weight: 'distance' }), cities(1));
    for (const opts of [undefined, { weight: 'distance' }, { direction: 'outbound', weight: 'distance' }]) {
      assert.equal(await rp('_radius', opts), 1);
      assert.equal(await rp('_diameter', opts), 1);
    }
    // weighted: Cologne is the centre (850 to Berlin), the farthest pairs are 1200 apart
    assert.deepEqual(await rp('_absoluteEccentricity', {}, weighted), cities([1200, 1200, 1200, 850, 1200]));
    assert.deepEqual(await rp('_absoluteEccentricity', { isCapital: true }, weighted), { 'frenchCity/Paris': 1200, 'germanCity/Berlin': 1200 });
    assert.deepEqual(await rp('_eccentricity', weighted), cities([850 / 1200, 850 / 1200, 850 / 1200, 1, 850 / 1200]));
    assert.equal(await rp('_radius', weighted), 850);
    assert.equal(await rp('_diameter', weighted), 1200);
    assert.deepEqual(await rp('_absoluteEccentricity', {}, { ...weighted, direction: 'outbound' }), cities([0, 550, 1200, 700, 1200]));
    assert.equal(await rp('_radius', { ...weighted, direction: 'outbound' }), 550);
    assert.equal(await rp('_diameter', { ...weighted, direction: 'inbound' }), 1200);
  });

  it('_absoluteCloseness and _closeness', async () => {
    assert.deepEqual(await rp('_absoluteCloseness', {}), cities(4));
    assert.deepEqual(await rp('_absoluteCloseness', {}, { weight: 'distance' }), cities(4));
    assert.deepEqual(await rp('_absoluteCloseness', {}, { startVertexCollectionRestriction: 'germanCity', direction: 'outbound', weight: 'distance' }), cities([0, 1, 4, 2, 3]));
    assert.deepEqual(await rp('_closeness'), cities(1));
    assert.deepEqual(await rp('_closeness', { weight: 'distance' }), cities(1));
    assert.deepEqual(await rp('_closeness', { direction: 'outbound', weight: 'distance' }), cities([0, 1, 0.25, 0.5, 1 / 3]));
    assert.deepEqual(await rp('_absoluteCloseness', {}, weighted), cities([3550, 3200, 3550, 2600, 3000]));
    assert.deepEqual(await rp('_farness', 'germanCity/Cologne', weighted), { 'germanCity/Cologne': 2600 });
    assert.deepEqual(await rp('_closeness', weighted), cities([2600 / 3550, 2600 / 3200, 2600 / 3550, 1, 2600 / 3000]));
  });

  it('_absoluteBetweenness and _betweenness', async () => {
    assert.deepEqual(await rp('_absoluteBetweenness', {}), cities(0));
    // the documentation passes the options as the example: no vertex matches
    assert.deepEqual(await rp('_absoluteBetweenness', { weight: 'distance' }), {});
    assert.deepEqual(await rp('_absoluteBetweenness', { direction: 'outbound', weight: 'distance' }), {});
    for (const opts of [undefined, { weight: 'distance' }, { direction: 'outbound', weight: 'distance' }]) assert.deepEqual(await rp('_betweenness', opts), cities(0));
    // weighted, the one detour: Hamburg – Cologne – Lyon (1200) beats the direct 1300
    assert.deepEqual(await rp('_absoluteBetweenness', {}, weighted), cities([0, 0, 0, 1, 0]));
    assert.deepEqual(await rp('_absoluteBetweenness', {}, { ...weighted, direction: 'outbound' }), cities([0, 0, 0, 1, 0]));
    assert.deepEqual(await rp('_betweenness', weighted), cities([0, 0, 0, 1, 0]));
  });

  it('measures the other example graphs', async () => {
    assert.equal(await dropExample(server, 'routeplanner'), true);
    assert.equal(await loadExample(server, 'traversalGraph'), 'traversalGraph');
    const tg = (method: string, ...args: unknown[]): Promise<unknown> => graphCall(server, 'traversalGraph', method, ...args);
    assert.deepEqual(await tg('_absoluteEccentricity', 'circles/A', { direction: 'outbound' }), { 'circles/A': 3 });
    assert.equal(await tg('_diameter', { direction: 'outbound' }), 3);
    assert.equal(await tg('_diameter'), 6, 'D to K through A');
    assert.equal(await tg('_radius'), 3, 'A is the centre');
    assert.equal(await tg('_radius', { direction: 'outbound' }), 1);
    assert.deepEqual(await tg('_absoluteBetweenness', ['circles/B', 'circles/D']), { 'circles/B': 28, 'circles/D': 0 });
    await dropExample(server, 'traversalGraph');

    assert.equal(await loadExample(server, 'kShortestPathsGraph'), 'kShortestPathsGraph');
    const ks = (method: string, ...args: unknown[]): Promise<unknown> => graphCall(server, 'kShortestPathsGraph', method, ...args);
    const train = (await ks('_shortestPath', 'places/Aberdeen', 'places/London', { direction: 'outbound', weight: 'travelTime', defaultWeight: 15 })) as Record<string, unknown>[];
    assert.deepEqual(train.map((p) => p['vertices']), [['Aberdeen', 'Leuchars', 'Edinburgh', 'York', 'London'].map((c) => `places/${c}`)]);
    assert.ok(Math.abs((train[0]!['distance'] as number) - 8.3) < 1e-9);
    assert.deepEqual(await ks('_distanceTo', 'places/Toronto', 'places/London', { direction: 'outbound' }), [], 'another continent');
    assert.deepEqual(await ks('_distanceTo', 'places/Toronto', 'places/Vancouver', { direction: 'outbound', weight: 'travelTime', defaultWeight: 15 }), [
      { startVertex: 'places/Toronto', vertex: 'places/Vancouver', distance: 78 },
    ]);
    await dropExample(server, 'kShortestPathsGraph');

    assert.equal(await loadExample(server, 'mps_graph'), 'mps_graph');
    const mps = (await graphCall(server, 'mps_graph', '_shortestPath', 'mps_verts/A', 'mps_verts/C', { direction: 'outbound' })) as Record<string, unknown>[];
    assert.equal(mps.length, 1);
    assert.equal(mps[0]!['distance'], 2);
    assert.ok(['mps_verts/B', 'mps_verts/D'].includes((mps[0]!['vertices'] as string[])[1]!), 'A - B - C or A - D - C');
    await dropExample(server, 'mps_graph');
  });
});
