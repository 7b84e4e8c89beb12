import type { Database } from 'lmdb';
import { geoJsonCentroid } from '../common/index.ts';
import type { IndexKeyPart } from './index-codec.ts';
import { readPath } from './index-codec.ts';
import type { IndexDefinition } from './types.ts';

/**
 * Geo index storage: every indexed document is one entry `[cell, _key]` → `"lat lon"` in the
 * index's lmdb sub-database, where `cell` numbers a fixed grid of CELL_DEG × CELL_DEG degree cells
 * (row-major from the south-west corner). `geoNear` walks rings of cells outwards from the query
 * point and yields documents in exactly ascending great-circle distance (the haversine AQL's
 * GEO_DISTANCE and DISTANCE use), so `SORT GEO_DISTANCE(...) LIMIT n` reads about n entries.
 */
const CELL_DEG = 0.5;
const ROWS = 180 / CELL_DEG;
const COLS = 360 / CELL_DEG;
const EARTH_RADIUS_M = 6371000;
const RAD = Math.PI / 180;

/** A point as the index stores it. */
export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
}

/** Same formula (and operation order) as AQL's geo functions, so orders agree exactly. */
export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

const isPos = (v: unknown): v is [number, number] => Array.isArray(v) && v.length >= 2 && typeof v[0] === 'number' && typeof v[1] === 'number';

/** GeoJSON (or a `[lon, lat]` pair) → its point as GEO_DISTANCE reads it (other shapes: their spherical centroid). */
export function geoJsonPoint(v: unknown): GeoPoint | null {
  // the same centroid GEO_DISTANCE measures from (area-weighted on the sphere for polygons)
  const c = geoJsonCentroid(v);
  return c === null ? null : { lon: c[0], lat: c[1] };
}

export function geoPointOf(doc: Record<string, unknown>, ix: IndexDefinition): GeoPoint | null {
  let p: GeoPoint | null;
  const [f1, f2] = ix.fields;
  if (f1 === undefined) return null;
  if (f2 !== undefined) {
    const lat = readPath(doc, f1);
    const lon = readPath(doc, f2);
    p = typeof lat === 'number' && typeof lon === 'number' ? { lat, lon } : null;
  } else {
    const v = readPath(doc, f1);
    if (ix.options?.['geoJson'] === true) p = geoJsonPoint(v);
    else p = isPos(v) ? { lat: v[0], lon: v[1] } : null;
  }
  if (p === null || !(Math.abs(p.lat) <= 90) || !(Math.abs(p.lon) <= 180)) return null;
  return p;
}

const rowOf = (lat: number): number => Math.min(ROWS - 1, Math.max(0, Math.floor((lat + 90) / CELL_DEG)));
const colOf = (lon: number): number => Math.min(COLS - 1, Math.max(0, Math.floor((lon + 180) / CELL_DEG)));

/** The index entry of a document at `p`. */
export function geoEntry(p: GeoPoint, key: string): { key: IndexKeyPart[]; value: string } {
  return { key: [rowOf(p.lat) * COLS + colOf(p.lon), key], value: `${p.lat} ${p.lon}` };
}

/** A small binary min-heap of (distance, key). */
class Heap {
  readonly #d: number[] = [];
  readonly #k: string[] = [];
  get size(): number {
    return this.#d.length;
  }
  peek(): number {
    return this.#d[0] ?? Infinity;
  }
  push(d: number, k: string): void {
    const ds = this.#d;
    const ks = this.#k;
    let i = ds.length;
    ds.push(d);
    ks.push(k);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const dp = ds[p] as number;
      // ties by key, so equal distances come out in a stable order
      if (dp < d || (dp === d && (ks[p] as string) <= k)) break;
      ds[i] = dp;
      ks[i] = ks[p] as string;
      i = p;
    }
    ds[i] = d;
    ks[i] = k;
  }
  pop(): string {
    const ds = this.#d;
    const ks = this.#k;
    const top = ks[0] as string;
    const d = ds.pop() as number;
    const k = ks.pop() as string;
    const n = ds.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && ((ds[r] as number) < (ds[l] as number) || ((ds[r] as number) === (ds[l] as number) && (ks[r] as string) < (ks[l] as string)))) c = r;
        const dc = ds[c] as number;
        if (dc > d || (dc === d && (ks[c] as string) >= k)) break;
        ds[i] = dc;
        ks[i] = ks[c] as string;
        i = c;
      }
      ds[i] = d;
      ks[i] = k;
    }
    return top;
  }
}

/** Document keys of a geo index in ascending distance from (lat, lon), lazily. */
export function* geoNear(db: Database<string, IndexKeyPart[]>, lat: number, lon: number): Generator<string> {
  const row0 = rowOf(lat);
  const col0 = colOf(lon);
  const heap = new Heap();
  const seen = new Set<number>();
  const scanCells = (from: number, to: number): void => {
    for (let cell = from; cell <= to; cell++) seen.add(cell);
    for (const { key, value } of db.getRange({ start: [from], end: [to, '\uffff'] })) {
      const k = key[1];
      if (typeof k !== 'string') continue;
      const sp = value.indexOf(' ');
      heap.push(haversineM(Number(value.slice(0, sp)), Number(value.slice(sp + 1)), lat, lon), k);
    }
  };
  /** Scans columns [c1, c2] of a row (wrapping around the antimeridian), skipping cells already read. */
  const scanRow = (row: number, c1: number, c2: number): void => {
    const wanted = new Set<number>();
    for (let c = c1; c <= c2 && wanted.size < COLS; c++) {
      const col = ((c % COLS) + COLS) % COLS;
      if (!seen.has(row * COLS + col)) wanted.add(col);
    }
    const cols = [...wanted].sort((x, y) => x - y);
    let i = 0;
    while (i < cols.length) {
      let j = i;
      while (j + 1 < cols.length && cols[j + 1] === (cols[j] as number) + 1) j++;
      scanCells(row * COLS + (cols[i] as number), row * COLS + (cols[j] as number));
      i = j + 1;
    }
  };
  for (let r = 0; ; r++) {
    const allCols = 2 * r + 1 >= COLS;
    for (let row = row0 - r; row <= row0 + r; row++) {
      if (row < 0 || row >= ROWS) continue;
      if (Math.abs(row - row0) === r) scanRow(row, col0 - r, col0 + r);
      else if (allCols) scanRow(row, col0 - r, col0 + r);
      else {
        scanRow(row, col0 - r, col0 - r);
        scanRow(row, col0 + r, col0 + r);
      }
    }
    // a lower bound of the distance of every point outside the square searched so far
    const latLo = (row0 - r) * CELL_DEG - 90;
    const latHi = (row0 + r + 1) * CELL_DEG - 90;
    const allRows = latLo <= -90 && latHi >= 90;
    let bound = Infinity;
    if (latLo > -90) bound = Math.min(bound, (lat - latLo) * RAD * EARTH_RADIUS_M);
    if (latHi < 90) bound = Math.min(bound, (latHi - lat) * RAD * EARTH_RADIUS_M);
    if (!allCols) {
      const lonLo = (col0 - r) * CELL_DEG - 180;
      const lonHi = (col0 + r + 1) * CELL_DEG - 180;
      const dLon = Math.min(lon - lonLo, lonHi - lon) * RAD;
      const phi = Math.min(90, Math.max(Math.abs(Math.max(-90, latLo)), Math.abs(Math.min(90, latHi)))) * RAD;
      bound = Math.min(bound, 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.cos(phi) * Math.sin(dLon / 2))));
    }
    const done = allRows && allCols;
    while (heap.size > 0 && (done || heap.peek() <= bound)) yield heap.pop();
    if (done) return;
  }
}
