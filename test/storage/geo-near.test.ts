// The geo index's nearest-first search (src/storage/geo-near.ts) against brute force: for random
// point sets (uniform, clustered at the poles and along the antimeridian, with duplicates) and
// random query points (poles, antimeridian, equator), the keys come out in exactly the order of
// (haversine distance, key), with and without a distance limit, and a LIMIT-sized prefix reads a
// small part of the index even next to a pole.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { open, type Database, type RootDatabase } from 'lmdb';
import { geoEntry, haversineM } from '../../src/storage/geo-index.ts';
import { geoNear, type GeoReadStats } from '../../src/storage/geo-near.ts';
import type { IndexKeyPart } from '../../src/storage/index.ts';
import { tempDir } from '../harness/server.ts';

/** Repeat count of the property loops (CI runs them once; raise it locally to search harder). */
const REPEAT = Number(process.env['KITSUNE_STRESS_REPEAT'] ?? '1');

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Pt { key: string; lat: number; lon: number }

function pointSet(rnd: () => number, n: number): Pt[] {
  const pts: Pt[] = [];
  const add = (lat: number, lon: number): void => { pts.push({ key: `k${pts.length}`, lat, lon }); };
  for (const [lat, lon] of [[90, 0], [90, 123], [-90, 0], [0, 180], [0, -180], [89.9999, 180], [-89.9999, -180]] as const) add(lat, lon);
  while (pts.length < n) {
    const kind = Math.floor(rnd() * 6);
    if (kind === 0) add((Math.asin(2 * rnd() - 1) * 180) / Math.PI, rnd() * 360 - 180); // uniform on the sphere
    else if (kind === 1) add(rnd() * 180 - 90, rnd() * 360 - 180); // uniform in degrees (dense at the poles)
    else if (kind === 2) add(90 - rnd() * 2, rnd() * 360 - 180); // north polar cap
    else if (kind === 3) add(-90 + rnd() * 2, rnd() * 360 - 180); // south polar cap
    else if (kind === 4) add(rnd() * 180 - 90, rnd() < 0.5 ? 180 - rnd() * 1.5 : -180 + rnd() * 1.5); // along the antimeridian
    else {
      const p = pts[Math.floor(rnd() * pts.length)] as Pt; // a duplicate position (ties broken by key)
      add(p.lat, p.lon);
    }
  }
  return pts;
}

function queryPoints(rnd: () => number, n: number): [number, number][] {
  const q: [number, number][] = [[90, 0], [-90, 0], [90, -180], [0, 180], [0, -180], [89.99, 179.99], [-89.5, -179.99], [0, 0], [45, 180]];
  while (q.length < n) {
    const kind = Math.floor(rnd() * 4);
    if (kind === 0) q.push([rnd() * 180 - 90, rnd() * 360 - 180]);
    else if (kind === 1) q.push([(rnd() < 0.5 ? 1 : -1) * (90 - rnd() * rnd() * 3), rnd() * 360 - 180]);
    else if (kind === 2) q.push([rnd() * 180 - 90, rnd() < 0.5 ? 180 - rnd() * 0.5 : -180 + rnd() * 0.5]);
    else q.push([rnd() * 10 - 5, rnd() * 360 - 180]);
  }
  return q;
}

function bruteForce(pts: readonly Pt[], lat: number, lon: number): { key: string; d: number }[] {
  return pts.map((p) => ({ key: p.key, d: haversineM(p.lat, p.lon, lat, lon) })).sort((a, b) => a.d - b.d || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function take(it: Iterator<string>, n: number): string[] {
  const out: string[] = [];
  while (out.length < n) {
    const r = it.next();
    if (r.done === true) break;
    out.push(r.value);
  }
  return out;
}

describe('geo index nearest-first search', () => {
  const tmp = tempDir();
  let env: RootDatabase;
  let dbs: Database<string, IndexKeyPart[]>[] = [];
  before(() => {
    env = open({ path: path.join(tmp.dir, 'geo.lmdb'), maxDbs: 16 });
  });
  after(async () => {
    await env.close();
    tmp.cleanup();
  });

  async function load(name: string, pts: readonly Pt[]): Promise<Database<string, IndexKeyPart[]>> {
    const db = env.openDB<string, IndexKeyPart[]>({ name });
    await env.transaction(() => {
      for (const p of pts) {
        const e = geoEntry(p, p.key);
        void db.put(e.key, e.value);
      }
    });
    dbs.push(db);
    return db;
  }

  it('yields exactly the brute-force order for random points and query points (poles, antimeridian)', async () => {
    for (let rep = 0; rep < REPEAT; rep++) {
      const seed = 1000 + rep;
      const rnd = prng(seed);
      const pts = pointSet(rnd, 4000);
      const db = await load(`order${rep}`, pts);
      for (const [lat, lon] of queryPoints(rnd, 60)) {
        const expected = bruteForce(pts, lat, lon).map((x) => x.key);
        const n = [1, 7, 100, 1000, pts.length][Math.floor(rnd() * 5)] as number;
        assert.deepEqual(take(geoNear(db, lat, lon), n), expected.slice(0, n), `seed ${seed}, query (${lat}, ${lon}), first ${n}`);
      }
      // every query point once in full: the whole index, in order, each key once
      for (const [lat, lon] of [[90, 0], [-89.99, 180], [12.3, -179.99]] as const) {
        assert.deepEqual([...geoNear(db, lat, lon)], bruteForce(pts, lat, lon).map((x) => x.key), `seed ${seed}, full order from (${lat}, ${lon})`);
      }
    }
  });

  it('stops after the points within a distance limit, in order, none missing', async () => {
    const rnd = prng(77);
    const pts = pointSet(rnd, 3000);
    const db = await load('limit', pts);
    for (const [lat, lon] of queryPoints(rnd, 40)) {
      const max = [0, 1000, 50_000, 400_000, 3_000_000, 30_000_000][Math.floor(rnd() * 6)] as number;
      const expected = bruteForce(pts, lat, lon).filter((x) => x.d <= max).map((x) => x.key);
      const got = [...geoNear(db, lat, lon, max)];
      // a meter of slack past the limit is allowed (callers re-check), nothing within it may be missing
      assert.deepEqual(got.slice(0, expected.length), expected, `query (${lat}, ${lon}) within ${max} m`);
      const byKey = new Map(pts.map((p) => [p.key, p]));
      for (const k of got.slice(expected.length)) {
        const p = byKey.get(k) as Pt;
        assert.ok(haversineM(p.lat, p.lon, lat, lon) <= max + 1, `${k} is beyond the limit`);
      }
    }
  });

  it('reads a small part of the index for a LIMIT-sized prefix, also next to the poles', async () => {
    const rnd = prng(5);
    // uniform in degrees, as the benchmark's points: dense near the poles
    const pts: Pt[] = Array.from({ length: 50_000 }, (_, i) => ({ key: `p${i}`, lat: rnd() * 180 - 90, lon: rnd() * 360 - 180 }));
    const db = await load('cost', pts);
    for (const [lat, lon] of [[0, 0], [60, 10], [85, -170], [89.9, 45], [-89.99, 179.9], [90, 0]] as const) {
      for (const n of [1, 100]) {
        const stats: GeoReadStats = { entries: 0, ranges: 0 };
        const got = take(geoNear(db, lat, lon, undefined, stats), n);
        assert.deepEqual(got, bruteForce(pts, lat, lon).slice(0, n).map((x) => x.key));
        assert.ok(stats.entries <= 40 * n + 400, `(${lat}, ${lon}) first ${n}: read ${stats.entries} of ${pts.length} entries in ${stats.ranges} ranges`);
      }
    }
  });
});
