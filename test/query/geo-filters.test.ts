// Geo index use by FILTERs (issue #12): GEO_DISTANCE / DISTANCE / GEO_IN_RANGE bounds (with and
// without the SORT), GEO_CONTAINS / GEO_INTERSECTS on points and on stored shapes (polygons,
// lines, multi-points, including huge and pole-holding ones), and the deprecated NEAR / WITHIN /
// WITHIN_RECTANGLE. Every query runs on a collection with geo indexes and on an identical one
// without, on the lmdb storage: the rows must be the same, and explain must show the geo index.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { MemoryDataSource, prepareQuery } from '../../src/aql/index.ts';
import { LmdbDataSource } from '../../src/query/index.ts';
import { StorageEngine, catalog } from '../../src/storage/index.ts';
import { tempDir } from '../harness/server.ts';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Pos = [number, number];
const RAD = Math.PI / 180;
const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** The point at `dist` degrees of arc from (lon, lat) toward `bearing` degrees (east of north). */
function destination([lon, lat]: Pos, bearing: number, dist: number): Pos {
  const p1 = lat * RAD;
  const d = dist * RAD;
  const b = bearing * RAD;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = lon * RAD + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  let lonDeg = l2 / RAD;
  lonDeg -= 360 * Math.round(lonDeg / 360);
  return [r6(lonDeg), r6(p2 / RAD)];
}

function center(rnd: () => number): Pos {
  const k = rnd();
  if (k < 0.15) return [rnd() * 360 - 180, (rnd() < 0.5 ? 1 : -1) * (85 + rnd() * 5)]; // near a pole
  if (k < 0.3) return [rnd() < 0.5 ? 179 + rnd() : -180 + rnd(), rnd() * 120 - 60]; // at the antimeridian
  return [rnd() * 360 - 180, (Math.asin(2 * rnd() - 1) * 180) / Math.PI];
}

/**
 * A star-shaped ring around c (counter-clockwise: the small side is the interior; clockwise: its
 * complement). Neighbouring vertices are less than 180° apart as seen from c, so no great-circle
 * edge cuts across the centre (the ring stays simple, also around a pole).
 */
function ring(rnd: () => number, c: Pos, radius: number, clockwise: boolean): Pos[] {
  const n = 4 + Math.floor(rnd() * 5);
  const turn = rnd() * 360;
  const bearings = Array.from({ length: n }, (_, i) => turn + ((i + rnd() * 0.5) * 360) / n);
  // bearings grow clockwise seen from above: walking them in decreasing order runs counter-clockwise
  if (!clockwise) bearings.reverse();
  const pts = bearings.map((b) => destination(c, b, radius * (0.5 + rnd() * 0.5)));
  return [...pts, pts[0] as Pos];
}

const scratch = new MemoryDataSource();
/** Whether the geo constructors accept the polygon (simple rings), as S2 would. */
const valid = (p: Record<string, unknown>): boolean =>
  prepareQuery(`RETURN ${p['type'] === 'Polygon' ? 'GEO_POLYGON' : 'GEO_MULTIPOLYGON'}(@c) != null`, { c: p['coordinates'] }, scratch).execute().all()[0] === true;

function polygon(rnd: () => number): Record<string, unknown> {
  for (;;) {
    const p = anyPolygon(rnd);
    if (valid(p)) return p;
  }
}

function anyPolygon(rnd: () => number): Record<string, unknown> {
  const c = center(rnd);
  const radius = rnd() < 0.8 ? 0.2 + rnd() * 6 : 15 + rnd() * 50;
  const clockwise = rnd() < 0.1;
  if (rnd() < 0.15) {
    const c2 = destination(c, rnd() * 360, radius * 3 + 1);
    return { type: 'MultiPolygon', coordinates: [[ring(rnd, c, radius, false)], [ring(rnd, c2, radius, false)]] };
  }
  const rings = [ring(rnd, c, radius, clockwise)];
  if (!clockwise && rnd() < 0.2) rings.push(ring(rnd, c, radius * 0.3, true)); // a hole
  return { type: 'Polygon', coordinates: rings };
}

function shape(rnd: () => number): unknown {
  const k = rnd();
  const c = center(rnd);
  if (k < 0.2) return c;
  if (k < 0.3) return { type: 'Point', coordinates: c };
  if (k < 0.45) return { type: 'MultiPoint', coordinates: Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => destination(c, rnd() * 360, rnd() * 5)) };
  if (k < 0.65) {
    const line = [c];
    for (let i = 0; i < 1 + Math.floor(rnd() * 5); i++) line.push(destination(line[line.length - 1] as Pos, rnd() * 360, rnd() * (rnd() < 0.9 ? 8 : 60)));
    return { type: 'LineString', coordinates: line };
  }
  return polygon(rnd);
}

describe('geo index in FILTERs: same rows as without the index', () => {
  const tmp = tempDir();
  let engine: StorageEngine;
  let ds: LmdbDataSource;
  const rnd = prng(4242);
  const points: { _key: string; loc: Pos; lat: number; lon: number; pair: [number, number] }[] = [];
  const shapes: { _key: string; geo: unknown }[] = [];

  before(async () => {
    engine = await StorageEngine.open({ dataDir: tmp.dir, retention: { maxAgeSeconds: 3600, maxEntries: 1e7 } }, pino({ level: 'silent' }));
    await catalog.bootstrap(engine);
    await catalog.createDatabase(engine, 'g');
    for (const name of ['pts_ix', 'pts_plain', 'shapes_ix', 'shapes_plain']) await catalog.createCollection(engine, 'g', name);
    for (let i = 0; i < 1500; i++) {
      const [lon, lat] = i % 3 === 0 ? center(rnd) : [r6(rnd() * 40 - 20), r6(rnd() * 40 - 20)];
      points.push({ _key: `p${i}`, loc: [lon, lat], lat, lon, pair: [lat, lon] });
    }
    for (let i = 0; i < 600; i++) shapes.push({ _key: `s${i}`, geo: shape(rnd) });
    const c = (name: string) => engine.collection('g', name);
    await engine.write((tx) => {
      for (const d of points) { c('pts_ix').insert(tx, d); c('pts_plain').insert(tx, d); }
      for (const d of shapes.slice(0, 300)) { c('shapes_ix').insert(tx, d); c('shapes_plain').insert(tx, d); }
    });
    const geo = (coll: string, fields: string[], geoJson: boolean) => catalog.createIndex(engine, 'g', coll, { type: 'geo', fields, body: { type: 'geo', fields, geoJson } });
    await geo('pts_ix', ['loc'], true);
    await geo('pts_ix', ['lat', 'lon'], false);
    await geo('pts_ix', ['pair'], false);
    await geo('shapes_ix', ['geo'], true);
    // half the shapes arrive after the index exists (written by inserts, not by the index build)
    await engine.write((tx) => {
      for (const d of shapes.slice(300)) { c('shapes_ix').insert(tx, d); c('shapes_plain').insert(tx, d); }
    });
    ds = new LmdbDataSource(engine, 'g');
  });
  after(async () => {
    await engine.close();
    tmp.cleanup();
  });

  /** Runs a query on the indexed collection and on the plain one; returns both results and whether the index served it. */
  /** The bind parameters a query declares. */
  const pick = (q: string, bind: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(bind).filter(([k]) => new RegExp(`@${k}\\b`).test(q)));
  function both(q: string, bind: Record<string, unknown>, coll: 'pts' | 'shapes'): { ix: unknown[]; plain: unknown[]; usesGeo: boolean } {
    const on = (name: string) => prepareQuery(q.replaceAll('@@c', name), pick(q, bind), ds);
    const pix = on(`${coll}_ix`);
    const plan = JSON.stringify(pix.explain());
    return { ix: pix.execute().all(), plain: on(`${coll}_plain`).execute().all(), usesGeo: plan.includes('"type":"IndexNode"') && plan.includes('"type":"geo"') };
  }
  const sorted = (rows: unknown[]): unknown[] => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

  it('GEO_DISTANCE / DISTANCE / GEO_IN_RANGE bounds, alone and with the SORT and a LIMIT', () => {
    let rows = 0;
    for (let i = 0; i < 40; i++) {
      const [lon, lat] = i % 2 === 0 ? center(rnd) : [rnd() * 40 - 20, rnd() * 40 - 20];
      const r = [0, 5000, 100_000, 600_000, 3_000_000, 12_000_000][i % 6] as number;
      const bind = { p: [lon, lat], lat, lon, r, n: 1 + Math.floor(rnd() * 40) };
      const forms: [string, boolean][] = [
        ['FOR d IN @@c FILTER GEO_DISTANCE(@p, d.loc) <= @r RETURN d._key', false],
        ['FOR d IN @@c FILTER GEO_DISTANCE(d.loc, @p) < @r SORT GEO_DISTANCE(d.loc, @p) RETURN d._key', true],
        ['FOR d IN @@c FILTER @r >= GEO_DISTANCE(@p, d.loc) SORT GEO_DISTANCE(@p, d.loc) LIMIT @n RETURN d._key', true],
        ['FOR d IN @@c LET x = GEO_DISTANCE(d.loc, @p) FILTER x <= @r SORT x RETURN [d._key, x]', true],
        ['FOR d IN @@c FILTER DISTANCE(d.lat, d.lon, @lat, @lon) <= @r SORT DISTANCE(d.lat, d.lon, @lat, @lon) LIMIT @n RETURN d._key', true],
        ['FOR d IN @@c FILTER DISTANCE(@lat, @lon, d.pair[0], d.pair[1]) < @r RETURN d._key', false],
        ['FOR d IN @@c FILTER GEO_IN_RANGE(d.loc, @p, @r / 4, @r, false, true) RETURN d._key', false],
        ['FOR d IN @@c FILTER GEO_DISTANCE(@p, [d.lon, d.lat]) <= @r FILTER d.lat > 0 SORT GEO_DISTANCE(@p, [d.lon, d.lat]) RETURN d._key', true],
      ];
      for (const [q, ordered] of forms) {
        const res = both(q, bind, 'pts');
        assert.ok(res.usesGeo, `no geo index for ${q}`);
        assert.deepEqual(ordered ? res.ix : sorted(res.ix), ordered ? res.plain : sorted(res.plain), `${q} ${JSON.stringify(bind)}`);
        rows += res.ix.length;
      }
    }
    assert.ok(rows > 5000, `only ${rows} rows compared`);
  });

  it('GEO_CONTAINS / GEO_INTERSECTS of random shapes on points, in all three index layouts', () => {
    let rows = 0;
    for (let i = 0; i < 50; i++) {
      const bind = { shape: i % 2 === 0 ? polygon(rnd) : shape(rnd) };
      const forms = [
        'FOR d IN @@c FILTER GEO_CONTAINS(@shape, d.loc) RETURN d._key',
        'FOR d IN @@c FILTER GEO_INTERSECTS(@shape, d.loc) RETURN d._key',
        'FOR d IN @@c FILTER GEO_INTERSECTS(d.loc, @shape) RETURN d._key',
        'FOR d IN @@c FILTER GEO_CONTAINS(@shape, [d.lon, d.lat]) RETURN d._key',
        'FOR d IN @@c FILTER GEO_INTERSECTS(@shape, [d.pair[1], d.pair[0]]) RETURN d._key',
        'FOR d IN @@c FILTER GEO_CONTAINS(@shape, d.loc) SORT GEO_DISTANCE(d.loc, [0, 0]) LIMIT 10 RETURN d._key',
      ];
      for (const q of forms) {
        const res = both(q, bind, 'pts');
        assert.ok(res.usesGeo, `no geo index for ${q}`);
        assert.deepEqual(q.includes('SORT') ? res.ix : sorted(res.ix), q.includes('SORT') ? res.plain : sorted(res.plain), `${q} ${JSON.stringify(bind)}`);
        rows += res.ix.length;
      }
    }
    assert.ok(rows > 2000, `only ${rows} rows compared`);
  });

  it('GEO_CONTAINS / GEO_INTERSECTS / GEO_DISTANCE on stored shapes (lines, polygons, huge and pole-holding ones)', () => {
    let rows = 0;
    for (let i = 0; i < 80; i++) {
      const bind = { shape: i % 2 === 0 ? polygon(rnd) : shape(rnd), p: center(rnd), r: 2_000_000 };
      const forms = [
        'FOR d IN @@c FILTER GEO_CONTAINS(@shape, d.geo) RETURN d._key',
        'FOR d IN @@c FILTER GEO_INTERSECTS(@shape, d.geo) RETURN d._key',
        'FOR d IN @@c FILTER GEO_DISTANCE(@p, d.geo) <= @r SORT GEO_DISTANCE(@p, d.geo) RETURN d._key',
      ];
      for (const q of forms) {
        const res = both(q, bind, 'shapes');
        assert.ok(res.usesGeo, `no geo index for ${q}`);
        const ordered = q.includes('SORT');
        assert.deepEqual(ordered ? res.ix : sorted(res.ix), ordered ? res.plain : sorted(res.plain), `${q} ${JSON.stringify(bind)}`);
        rows += res.ix.length;
      }
    }
    assert.ok(rows > 1000, `only ${rows} rows compared`);
    // the intersect test does find stored shapes (not only empty answers agreeing)
    const hits = both('FOR d IN @@c FILTER GEO_INTERSECTS(@shape, d.geo) RETURN d._key', { shape: { type: 'Polygon', coordinates: [[[-180, -89], [180, -89], [180, 89], [-180, 89], [-180, -89]].map(([a, b]) => [a, b])] } }, 'shapes');
    assert.deepEqual(sorted(hits.ix), sorted(hits.plain));
  });

  it('keeps shape entries current on update and remove', async () => {
    const coll = engine.collection('g', 'shapes_ix');
    const square = { type: 'Polygon', coordinates: [[[40, 40], [41, 40], [41, 41], [40, 41], [40, 40]]] };
    const probe = { type: 'Point', coordinates: [40.5, 40.5] };
    const q = 'FOR d IN shapes_ix FILTER GEO_INTERSECTS(@probe, d.geo) FILTER d._key == "moving" RETURN d._key';
    const run = () => prepareQuery(q, { probe }, ds).execute().all();
    await engine.write((tx) => { coll.insert(tx, { _key: 'moving', geo: square }); });
    assert.deepEqual(run(), ['moving']);
    await engine.write((tx) => { coll.update(tx, 'moving', { geo: { type: 'LineString', coordinates: [[-100, 10], [-90, 12]] } }, {}); });
    assert.deepEqual(run(), []);
    await engine.write((tx) => { coll.update(tx, 'moving', { geo: square }, {}); });
    assert.deepEqual(run(), ['moving']);
    await engine.write((tx) => { coll.remove(tx, 'moving', {}); });
    assert.deepEqual(run(), []);
  });

  it('NEAR / WITHIN / WITHIN_RECTANGLE use the geo index and answer what the equivalent queries answer', () => {
    for (let i = 0; i < 20; i++) {
      const [lon, lat] = i % 2 === 0 ? center(rnd) : [rnd() * 40 - 20, rnd() * 40 - 20];
      const bind = { lat, lon, n: 1 + Math.floor(rnd() * 30), r: [10_000, 300_000, 2_000_000][i % 3] as number, lat2: lat + rnd() * 10, lon2: lon + rnd() * 10 };
      const cases: [string, string, Record<string, unknown>][] = [
        ['RETURN NEAR(pts_ix, @lat, @lon, @n, "dist")', 'FOR d IN pts_plain SORT GEO_DISTANCE([@lon, @lat], d.loc) LIMIT @n RETURN MERGE(d, {dist: GEO_DISTANCE([@lon, @lat], d.loc)})', bind],
        ['RETURN NEAR(pts_ix, @lat, @lon)', 'FOR d IN pts_plain SORT GEO_DISTANCE([@lon, @lat], d.loc) LIMIT 100 RETURN d', bind],
        ['RETURN WITHIN(pts_ix, @lat, @lon, @r, "d")', 'FOR d IN pts_plain FILTER GEO_DISTANCE([@lon, @lat], d.loc) <= @r SORT GEO_DISTANCE([@lon, @lat], d.loc) RETURN MERGE(d, {d: GEO_DISTANCE([@lon, @lat], d.loc)})', bind],
        ['RETURN WITHIN_RECTANGLE(pts_ix, @lat, @lon, @lat2, @lon2)',
          'FOR d IN pts_plain FILTER GEO_CONTAINS({type: "Polygon", coordinates: [[[@lon, @lat], [@lon2, @lat], [@lon2, @lat2], [@lon, @lat2], [@lon, @lat]]]}, d.loc) RETURN d', bind],
      ];
      for (const [legacy, plain, b] of cases) {
        const p = prepareQuery(legacy, pick(legacy, b), ds);
        const plan = JSON.stringify(p.explain());
        assert.ok(plan.includes('"type":"geo"') && plan.includes('replace-function-with-index'), plan);
        // the same documents of the other collection, but for _id and _rev
        const bare = (d: unknown): string => JSON.stringify({ ...(d as object), _id: undefined, _rev: undefined });
        const got = (p.execute().all()[0] as unknown[]).map(bare);
        const want = prepareQuery(plain, pick(plain, b), ds).execute().all().map(bare);
        assert.deepEqual(legacy.includes('RECTANGLE') ? got.sort() : got, legacy.includes('RECTANGLE') ? want.sort() : want, `${legacy} ${JSON.stringify(b)}`);
      }
    }
    assert.throws(() => prepareQuery('RETURN NEAR(pts_plain, 0, 0)', {}, ds), (e: { errorNum?: number }) => e.errorNum === 1570);
    assert.throws(() => prepareQuery('RETURN WITHIN(pts_ix, 0, 0, "far")', {}, ds), (e: { errorNum?: number }) => e.errorNum === 1542);
  });

  it('edge cases: the antimeridian from both sides, the poles at any longitude, shared vertices', async () => {
    const extraPoints = [[180, 10], [-180, 20], [0, 90], [77, 90], [0, -90], [10, 10], [179.9999999, 0], [-179.9999999, 0]] as const;
    const extraShapes = [
      { type: 'LineString', coordinates: [[179, 5], [180, 5]] },
      { type: 'Polygon', coordinates: [[[-10, 80], [110, 80], [-130, 80], [-10, 80]]] }, // around the north pole
      { type: 'MultiPoint', coordinates: [[-180, -30], [0, -90]] },
    ];
    await engine.write((tx) => {
      extraPoints.forEach(([lon, lat], i) => {
        const d = { _key: `e${i}`, loc: [lon, lat], lat, lon, pair: [lat, lon] };
        engine.collection('g', 'pts_ix').insert(tx, d);
        engine.collection('g', 'pts_plain').insert(tx, d);
      });
      extraShapes.forEach((geo, i) => {
        engine.collection('g', 'shapes_ix').insert(tx, { _key: `e${i}`, geo });
        engine.collection('g', 'shapes_plain').insert(tx, { _key: `e${i}`, geo });
      });
    });
    const cases: [string, Record<string, unknown>, 'pts' | 'shapes', string[]][] = [
      ['FOR d IN @@c FILTER GEO_INTERSECTS(@s, d.loc) FILTER d._key LIKE "e%" RETURN d._key',
        { s: { type: 'Polygon', coordinates: [[[-180, 0], [-170, 0], [-170, 30], [-180, 30], [-180, 0]]] } }, 'pts', ['e0', 'e1', 'e7']],
      ['FOR d IN @@c FILTER GEO_INTERSECTS(@s, d.loc) RETURN d._key', { s: { type: 'Point', coordinates: [-60, 90] } }, 'pts', ['e2', 'e3']],
      ['FOR d IN @@c FILTER GEO_INTERSECTS(@s, d.loc) FILTER d._key LIKE "e%" RETURN d._key', { s: { type: 'Polygon', coordinates: [[[10, 10], [30, 10], [30, 20], [10, 10]]] } }, 'pts', ['e5']],
      ['FOR d IN @@c FILTER GEO_CONTAINS(@s, d.loc) FILTER d._key LIKE "e%" RETURN d._key', { s: { type: 'Polygon', coordinates: [[[0, 85], [120, 85], [-120, 85], [0, 85]]] } }, 'pts', ['e2', 'e3']],
      ['FOR d IN @@c FILTER GEO_DISTANCE([-180, 10], d.loc) <= 1 RETURN d._key', {}, 'pts', ['e0']],
      ['FOR d IN @@c FILTER DISTANCE(d.lat, d.lon, 0, 180) <= 1 SORT DISTANCE(d.lat, d.lon, 0, 180) RETURN d._key', {}, 'pts', ['e6', 'e7']],
      ['FOR d IN @@c FILTER GEO_INTERSECTS(@s, d.geo) FILTER d._key LIKE "e%" RETURN d._key', { s: [-180, 5] }, 'shapes', ['e0']],
      ['FOR d IN @@c FILTER GEO_INTERSECTS(@s, d.geo) FILTER d._key LIKE "e%" RETURN d._key', { s: { type: 'Point', coordinates: [33, 89.5] } }, 'shapes', ['e1']],
      ['FOR d IN @@c FILTER GEO_INTERSECTS(@s, d.geo) FILTER d._key LIKE "e%" RETURN d._key', { s: [123, -90] }, 'shapes', ['e2']],
    ];
    for (const [q, bind, coll, expected] of cases) {
      const res = both(q, bind, coll);
      assert.ok(res.usesGeo, `no geo index for ${q}`);
      assert.deepEqual(sorted(res.plain), expected, `without the index: ${q} ${JSON.stringify(bind)}`);
      assert.deepEqual(sorted(res.ix), expected, `with the index: ${q} ${JSON.stringify(bind)}`);
    }
  });

  it('answers inside a write transaction (scan fallback) what it answers outside', async () => {
    const q = 'FOR d IN pts_ix FILTER GEO_DISTANCE([3, 4], d.loc) <= 500000 SORT GEO_DISTANCE([3, 4], d.loc) RETURN d._key';
    const outside = prepareQuery(q, {}, ds).execute().all();
    const inside = await engine.writeAtomic((tx) => prepareQuery(q, {}, new LmdbDataSource(engine, 'g', tx)).execute().all());
    assert.ok(outside.length > 0);
    assert.deepEqual(inside, outside);
  });
});
