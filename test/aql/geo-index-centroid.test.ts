// A geoJson geo index stores non-point shapes at the centroid GEO_DISTANCE measures from, so an
// index-served SORT GEO_DISTANCE returns exactly the order of the distances the function answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { suiteServer } from '../harness/server.ts';

describe('geo index and GEO_DISTANCE share one centroid', () => {
  let db: Database;
  suiteServer({}, (s) => {
    db = s.db();
  });

  it('orders polygons and lines by the distance GEO_DISTANCE returns, with and without the index', async () => {
    const indexed = await db.createCollection('shapes_ix');
    const plain = await db.createCollection('shapes_plain');
    const docs = Array.from({ length: 300 }, (_, i) => {
      const lon = ((i * 7919) % 3400) / 10 - 170;
      const lat = ((i * 104729) % 1500) / 10 - 75;
      // lopsided quadrilaterals: the vertex mean and the area centroid differ
      const ring = [[lon, lat], [lon + 8, lat], [lon + 8, lat + 1], [lon + 0.5, lat + 6], [lon, lat]];
      const geo = i % 3 === 0 ? { type: 'LineString', coordinates: [[lon, lat], [lon + 3, lat + 2], [lon + 9, lat + 2]] } : { type: 'Polygon', coordinates: [ring] };
      return { _key: `s${i}`, geo };
    });
    await indexed.saveAll(docs);
    await plain.saveAll(docs);
    await indexed.ensureIndex({ type: 'geo', fields: ['geo'], geoJson: true });
    for (const [lon, lat] of [[0, 0], [120, -30], [-60, 60]] as const) {
      const q = (coll: string): Promise<{ k: string; d: number }[]> =>
        db.query(`FOR s IN ${coll} SORT GEO_DISTANCE(s.geo, [@lon, @lat]) LIMIT 40 RETURN {k: s._key, d: GEO_DISTANCE(s.geo, [@lon, @lat])}`, { lon, lat }).then((c) => c.all());
      const viaIndex = await q('shapes_ix');
      const viaScan = await q('shapes_plain');
      assert.deepEqual(viaIndex.map((r) => r.k), viaScan.map((r) => r.k), `near ${lon},${lat}`);
      for (let i = 1; i < viaIndex.length; i++) assert.ok((viaIndex[i]?.d ?? 0) >= (viaIndex[i - 1]?.d ?? 0));
    }
  });
});
