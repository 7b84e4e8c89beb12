import { fn, invalidArg, type FunctionContext, type FunctionTable } from './function-types.ts';
import { isObject, toNumber, valuesEqual } from '../values.ts';

/** Earth radius ArangoDB's geo functions use (meters). */
const EARTH_RADIUS_M = 6371000;

type Position = readonly [number, number];

function isPosition(v: unknown): v is Position {
  return Array.isArray(v) && v.length >= 2 && typeof v[0] === 'number' && typeof v[1] === 'number';
}

/** Great-circle distance in meters between two (lat, lon) pairs in degrees (haversine). */
function haversine(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A GeoJSON Point or a [lon, lat] pair → [lon, lat]; other shapes give their first position's centroid. */
function pointOf(v: unknown): Position | null {
  if (isPosition(v)) return v;
  if (isObject(v) && v['type'] === 'Point' && isPosition(v['coordinates'])) return v['coordinates'];
  if (isObject(v) && typeof v['type'] === 'string' && Array.isArray(v['coordinates'])) {
    const flat: Position[] = [];
    const walk = (x: unknown): void => {
      if (isPosition(x)) flat.push(x);
      else if (Array.isArray(x)) x.forEach(walk);
    };
    walk(v['coordinates']);
    if (flat.length === 0) return null;
    const lon = flat.reduce((s, p) => s + p[0], 0) / flat.length;
    const lat = flat.reduce((s, p) => s + p[1], 0) / flat.length;
    return [lon, lat];
  }
  return null;
}

/** Ray casting over a ring of [lon, lat] positions. */
function inRing(lon: number, lat: number, ring: readonly Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i];
    const b = ring[j];
    if (a === undefined || b === undefined) continue;
    if (a[1] > lat !== b[1] > lat && lon < ((b[0] - a[0]) * (lat - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
  }
  return inside;
}

function positions(ctx: FunctionContext, name: string, v: unknown, min: number): Position[] | null {
  if (!Array.isArray(v) || v.length < min || !v.every(isPosition)) return invalidArg(ctx, name);
  return v as Position[];
}

function shape(type: string, coordinates: unknown): Record<string, unknown> {
  return { type, coordinates };
}

/** Geo constructors and measurements over GeoJSON and coordinate pairs (no geo index yet). */
export const GEO_FUNCTIONS: FunctionTable = {
  DISTANCE: fn(4, 4, (_c, args) => {
    const [lat1, lon1, lat2, lon2] = args.map((a) => toNumber(a));
    return haversine(lat1 ?? 0, lon1 ?? 0, lat2 ?? 0, lon2 ?? 0);
  }),
  GEO_POINT: fn(2, 2, (ctx, [lon, lat], name) => (typeof lon === 'number' && typeof lat === 'number' ? shape('Point', [lon, lat]) : invalidArg(ctx, name))),
  GEO_MULTIPOINT: fn(1, 1, (ctx, [v], name) => {
    const p = positions(ctx, name, v, 2);
    return p === null ? null : shape('MultiPoint', p);
  }),
  GEO_LINESTRING: fn(1, 1, (ctx, [v], name) => {
    const p = positions(ctx, name, v, 2);
    return p === null ? null : shape('LineString', p);
  }),
  GEO_MULTILINESTRING: fn(1, 1, (ctx, [v], name) => {
    if (!Array.isArray(v) || v.length < 1) return invalidArg(ctx, name);
    for (const l of v) if (positions(ctx, name, l, 2) === null) return null;
    return shape('MultiLineString', v);
  }),
  GEO_POLYGON: fn(1, 1, (ctx, [v], name) => {
    if (!Array.isArray(v) || v.length === 0) return invalidArg(ctx, name);
    const rings = isPosition(v[0]) ? [v] : v;
    for (const r of rings) if (positions(ctx, name, r, 4) === null) return null;
    return shape('Polygon', rings);
  }),
  GEO_MULTIPOLYGON: fn(1, 1, (ctx, [v], name) => {
    if (!Array.isArray(v) || v.length < 1) return invalidArg(ctx, name);
    for (const poly of v) {
      if (!Array.isArray(poly)) return invalidArg(ctx, name);
      for (const r of poly) if (positions(ctx, name, r, 4) === null) return null;
    }
    return shape('MultiPolygon', v);
  }),
  GEO_DISTANCE: fn(2, 3, (ctx, [a, b], name) => {
    const p = pointOf(a);
    const q = pointOf(b);
    if (p === null || q === null) return invalidArg(ctx, name);
    return haversine(p[1], p[0], q[1], q[0]);
  }),
  GEO_IN_RANGE: fn(4, 7, (ctx, [a, b, lo, hi, incLo, incHi], name) => {
    const p = pointOf(a);
    const q = pointOf(b);
    if (p === null || q === null) return invalidArg(ctx, name);
    const d = haversine(p[1], p[0], q[1], q[0]);
    const low = toNumber(lo);
    const high = toNumber(hi);
    return (incLo === false ? d > low : d >= low) && (incHi === false ? d < high : d <= high);
  }),
  GEO_EQUALS: fn(2, 2, (_c, [a, b]) => valuesEqual(a, b)),
  GEO_AREA: fn(1, 2, (ctx, [v], name) => {
    if (!isObject(v) || v['type'] !== 'Polygon' || !Array.isArray(v['coordinates'])) return invalidArg(ctx, name);
    const ring = v['coordinates'][0];
    if (!Array.isArray(ring) || !ring.every(isPosition)) return invalidArg(ctx, name);
    // spherical excess of the outer ring
    const rad = Math.PI / 180;
    let sum = 0;
    for (let i = 0; i < ring.length - 1; i++) {
      const p = ring[i] as Position;
      const q = ring[i + 1] as Position;
      sum += (q[0] - p[0]) * rad * (2 + Math.sin(p[1] * rad) + Math.sin(q[1] * rad));
    }
    return Math.abs((sum * EARTH_RADIUS_M * EARTH_RADIUS_M) / 2);
  }),
  IS_IN_POLYGON: fn(2, 3, (ctx, [poly, a, b], name) => {
    if (!Array.isArray(poly) || !poly.every(isPosition)) return invalidArg(ctx, name);
    // IS_IN_POLYGON(polygon, latitude, longitude) or (polygon, [lat, lon], geoJson)
    let lat: number;
    let lon: number;
    const geoJson = b === true;
    if (isPosition(a)) {
      lat = geoJson ? a[1] : a[0];
      lon = geoJson ? a[0] : a[1];
    } else {
      lat = toNumber(a);
      lon = toNumber(b);
    }
    const ring = poly.map((p) => (geoJson ? p : ([p[1], p[0]] as Position)));
    return inRing(lon, lat, ring);
  }),
  GEO_CONTAINS: fn(2, 2, (ctx, [a, b], name) => {
    const q = pointOf(b);
    if (!isObject(a) || a['type'] !== 'Polygon' || !Array.isArray(a['coordinates']) || q === null) return invalidArg(ctx, name);
    const rings = a['coordinates'].filter((r): r is Position[] => Array.isArray(r) && r.every(isPosition));
    const [outer, ...holes] = rings;
    return outer !== undefined && inRing(q[0], q[1], outer) && !holes.some((h) => inRing(q[0], q[1], h));
  }),
};
