import type { Database } from 'lmdb';
import { geoJsonCentroid } from '../common/index.ts';
import type { IndexKeyPart } from './index-codec.ts';
import { readPath } from './index-codec.ts';
import type { IndexDefinition } from './types.ts';

/**
 * Geo index storage: every indexed document is one entry `[cell, _key]` → `"lat lon"` in the
 * index's lmdb sub-database, where `cell` numbers a fixed grid of CELL_DEG × CELL_DEG degree cells
 * (row-major from the south-west corner). `geoNear` (geo-near.ts) reads growing boxes of cells
 * around the query point and yields documents in exactly ascending great-circle distance (the
 * haversine AQL's GEO_DISTANCE and DISTANCE use), so `SORT GEO_DISTANCE(...) LIMIT n` reads about
 * n entries.
 */
export const CELL_DEG = 0.5;
export const ROWS = 180 / CELL_DEG;
export const COLS = 360 / CELL_DEG;
export const EARTH_RADIUS_M = 6371000;
export const RAD = Math.PI / 180;

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

export const rowOf = (lat: number): number => Math.min(ROWS - 1, Math.max(0, Math.floor((lat + 90) / CELL_DEG)));
export const colOf = (lon: number): number => Math.min(COLS - 1, Math.max(0, Math.floor((lon + 180) / CELL_DEG)));

/** The index entry of a document at `p`. */
export function geoEntry(p: GeoPoint, key: string): { key: IndexKeyPart[]; value: string } {
  return { key: [rowOf(p.lat) * COLS + colOf(p.lon), key], value: `${p.lat} ${p.lon}` };
}
