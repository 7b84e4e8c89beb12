// Geo indexes used by queries (issue #12): SORT GEO_DISTANCE / DISTANCE ... LIMIT n reads the index
// nearest-first and answers exactly what a full scan answers, with the index kept up to date by
// inserts, updates and removals, and inside a stream transaction (its own writes included).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aql, type Database } from 'arangojs';
import { suiteServer, type ServerHandle } from '../harness/server.ts';

describe('geo index in queries', () => {
  let server: ServerHandle;
  let db: Database;
  suiteServer({}, (s) => {
    server = s;
    db = s.db();
  });

  it('answers nearest-first queries from the index exactly as a full scan does, and keeps the index current', async () => {
    const indexed = await db.createCollection('geo_ix');
    const plain = await db.createCollection('geo_plain');
    const docs = Array.from({ length: 3000 }, (_, i) => {
      const lon = ((i * 7919) % 36000) / 100 - 180;
      const lat = ((i * 104729) % 17000) / 100 - 85;
      return { _key: `p${i}`, loc: [lon, lat], lat, lon };
    });
    await indexed.saveAll(docs);
    await plain.saveAll(docs);
    await indexed.ensureIndex({ type: 'geo', fields: ['loc'], geoJson: true });
    await indexed.ensureIndex({ type: 'geo', fields: ['lat', 'lon'] });
    const near = (coll: string, lon: number, lat: number, n: number): Promise<string[]> =>
      db.query(`FOR p IN ${coll} SORT GEO_DISTANCE(p.loc, [@lon, @lat]) LIMIT @n RETURN p._key`, { lon, lat, n }).then((c) => c.all());
    for (const [lon, lat] of [[0, 0], [179.5, 10], [-179.9, -84], [13.4, 52.5]] as const) {
      for (const n of [1, 25, 400]) assert.deepEqual(await near('geo_ix', lon, lat, n), await near('geo_plain', lon, lat, n), `near ${lon},${lat} limit ${n}`);
      const byDistance = await (await db.query(aql`FOR p IN geo_ix SORT DISTANCE(p.lat, p.lon, ${lat}, ${lon}) LIMIT 25 RETURN p._key`)).all();
      assert.deepEqual(byDistance, await near('geo_plain', lon, lat, 25));
    }
    const plan = await db.explain(aql`FOR p IN geo_ix SORT GEO_DISTANCE(p.loc, [1, 2]) LIMIT 5 RETURN p`);
    const nodes = (plan as { plan?: { nodes?: Array<{ type: string }>; rules?: string[] } }).plan;
    assert.ok(nodes?.nodes?.some((x) => x.type === 'IndexNode'), JSON.stringify(nodes?.nodes?.map((x) => x.type)));
    assert.ok(!nodes?.nodes?.some((x) => x.type === 'SortNode'));

    // writes keep the index current: a new nearest point, a moved one, a removed one
    await indexed.save({ _key: 'here', loc: [100.001, 0.001] });
    assert.deepEqual(await near('geo_ix', 100, 0, 1), ['here']);
    await indexed.update('here', { loc: [-100.001, 0.001] });
    assert.deepEqual(await near('geo_ix', -100, 0, 1), ['here']);
    assert.notDeepEqual(await near('geo_ix', 100, 0, 1), ['here']);
    await indexed.remove('here');
    assert.deepEqual(await near('geo_ix', -100, 0, 3), await near('geo_plain', -100, 0, 3));

    // inside a stream transaction the query sees the transaction's own writes
    const trx = await db.beginTransaction({ write: indexed });
    await trx.step(() => indexed.save({ _key: 'intrx', loc: [50, 50] }));
    const inside = await trx.step(() => db.query(aql`FOR p IN geo_ix SORT GEO_DISTANCE(p.loc, [50, 50]) LIMIT 1 RETURN p._key`));
    assert.deepEqual(await inside.all(), ['intrx']);
    await trx.abort();
    assert.notDeepEqual(await near('geo_ix', 50, 50, 1), ['intrx']);
  });
});
