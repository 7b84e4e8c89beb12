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

/** A linear ring: at least four positions, the last equal to the first (S2's validation refuses open loops). */
function ring(ctx: FunctionContext, name: string, v: unknown): Position[] | null {
  const p = positions(ctx, name, v, 4);
  if (p === null) return null;
  const a = p[0] as Position;
  const b = p[p.length - 1] as Position;
  return a[0] === b[0] && a[1] === b[1] ? p : invalidArg(ctx, name);
}


/** A GeoJSON geometry reduced to what the predicates need: its polygons (rings), segments and vertices. */
interface Geometry {
  readonly polygons: readonly (readonly Position[])[][];
  readonly segments: readonly [Position, Position][];
  readonly vertices: readonly Position[];
}

function ringsOf(v: unknown): Position[][] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  const rings: Position[][] = [];
  for (const r of v) {
    if (!Array.isArray(r) || r.length < 4 || !r.every(isPosition)) return null;
    rings.push(r as Position[]);
  }
  return rings;
}

function linesOf(v: unknown, min: number): Position[] | null {
  return Array.isArray(v) && v.length >= min && v.every(isPosition) ? (v as Position[]) : null;
}

/** Parses a GeoJSON object (or a [lon, lat] pair) into a Geometry; null when it is not one. */
function geometryOf(v: unknown): Geometry | null {
  if (isPosition(v)) return { polygons: [], segments: [], vertices: [v] };
  if (!isObject(v) || typeof v['type'] !== 'string') return null;
  const c = v['coordinates'];
  const polygons: Position[][][] = [];
  const lines: Position[][] = [];
  let points: Position[] = [];
  switch (v['type']) {
    case 'Point': if (!isPosition(c)) return null; points = [c]; break;
    case 'MultiPoint': { const p = linesOf(c, 1); if (p === null) return null; points = p; break; }
    case 'LineString': { const l = linesOf(c, 2); if (l === null) return null; lines.push(l); break; }
    case 'MultiLineString':
      if (!Array.isArray(c)) return null;
      for (const x of c) { const l = linesOf(x, 2); if (l === null) return null; lines.push(l); }
      break;
    case 'Polygon': { const r = ringsOf(c); if (r === null) return null; polygons.push(r); break; }
    case 'MultiPolygon':
      if (!Array.isArray(c) || c.length === 0) return null;
      for (const x of c) { const r = ringsOf(x); if (r === null) return null; polygons.push(r); }
      break;
    default: return null;
  }
  const segments: [Position, Position][] = [];
  const vertices: Position[] = [...points];
  for (const path of [...lines, ...polygons.flat()]) {
    vertices.push(...path);
    for (let i = 0; i + 1 < path.length; i++) segments.push([path[i] as Position, path[i + 1] as Position]);
  }
  return { polygons, segments, vertices };
}

/** Even-odd rule over every ring of every polygon (holes and nested polygons subtract). */
function inside(g: Geometry, p: Position): boolean {
  let n = 0;
  for (const poly of g.polygons) for (const ring of poly) if (inRing(p[0], p[1], ring)) n++;
  return n % 2 === 1;
}

function orient(a: Position, b: Position, c: Position): number {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

function onSegment(a: Position, b: Position, p: Position): boolean {
  return orient(a, b, p) === 0 && Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

function segmentsCross([a, b]: [Position, Position], [c, d]: [Position, Position]): boolean {
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  return onSegment(a, b, c) || onSegment(a, b, d) || onSegment(c, d, a) || onSegment(c, d, b);
}

function touches(g: Geometry, p: Position): boolean {
  return inside(g, p) || g.segments.some(([a, b]) => onSegment(a, b, p)) || g.vertices.some((q) => q[0] === p[0] && q[1] === p[1]);
}

/** True when the two geometries share at least one point (planar over lon/lat). */
function intersects(a: Geometry, b: Geometry): boolean {
  if (b.vertices.some((p) => touches(a, p)) || a.vertices.some((p) => touches(b, p))) return true;
  return a.segments.some((s) => b.segments.some((t) => segmentsCross(s, t)));
}

/** True when every point of `b` lies in the polygons of `a`: all vertices inside, no edge crossing a's boundary. */
function contains(a: Geometry, b: Geometry): boolean {
  if (!b.vertices.every((p) => inside(a, p))) return false;
  return !b.segments.some(([p, q]) => a.segments.some(([r, s]) => orient(p, q, r) !== orient(p, q, s) && orient(r, s, p) !== orient(r, s, q)));
}

/** Spherical area of one ring (m²) on a sphere of radius `r`. */
function ringArea(ring: readonly Position[], r: number): number {
  const rad = Math.PI / 180;
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const p = ring[i] as Position;
    const q = ring[i + 1] as Position;
    sum += (q[0] - p[0]) * rad * (2 + Math.sin(p[1] * rad) + Math.sin(q[1] * rad));
  }
  return Math.abs((sum * r * r) / 2);
}

/** WGS84's authalic radius: a sphere with the ellipsoid's surface area. */
const WGS84_AUTHALIC_RADIUS_M = 6371007.181;

function shape(type: string, coordinates: unknown): Record<string, unknown> {
  return { type, coordinates };
}

/** Geo constructors and measurements over GeoJSON and coordinate pairs (no geo index yet). */
export const GEO_FUNCTIONS: FunctionTable = {
  DISTANCE: fn(4, 4, (_c, args) => {
    const [lat1, lon1, lat2, lon2] = args.map((a) => toNumber(a));
    return haversine(lat1 ?? 0, lon1 ?? 0, lat2 ?? 0, lon2 ?? 0);
  }),
  GEO_POINT: fn(2, 3, (ctx, [lon, lat, elevation], name) => {
    if (typeof lon !== 'number' || typeof lat !== 'number' || (elevation !== undefined && typeof elevation !== 'number')) return invalidArg(ctx, name);
    return shape('Point', elevation === undefined ? [lon, lat] : [lon, lat, elevation]);
  }),
  GEO_MULTIPOINT: fn(1, 1, (ctx, [v], name) => {
    const p = positions(ctx, name, v, 2);
    return p === null ? null : shape('MultiPoint', p);
  }),
  GEO_LINESTRING: fn(1, 1, (ctx, [v], name) => {
    const p = positions(ctx, name, v, 2);
    return p === null ? null : shape('LineString', p);
  }),
  GEO_MULTILINESTRING: fn(1, 1, (ctx, [v], name) => {
    if (!Array.isArray(v) || v.length < 2) return invalidArg(ctx, name);
    for (const l of v) if (positions(ctx, name, l, 2) === null) return null;
    return shape('MultiLineString', v);
  }),
  GEO_POLYGON: fn(1, 1, (ctx, [v], name) => {
    if (!Array.isArray(v) || v.length === 0) return invalidArg(ctx, name);
    const rings = isPosition(v[0]) ? [v] : v;
    for (const r of rings) if (ring(ctx, name, r) === null) return null;
    return shape('Polygon', rings);
  }),
  // a MultiPolygon needs at least two Polygons, a MultiLineString two LineStrings (3.12 pages)
  GEO_MULTIPOLYGON: fn(1, 1, (ctx, [v], name) => {
    if (!Array.isArray(v) || v.length < 2) return invalidArg(ctx, name);
    for (const poly of v) {
      if (!Array.isArray(poly) || poly.length === 0) return invalidArg(ctx, name);
      for (const r of poly) if (ring(ctx, name, r) === null) return null;
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
  GEO_AREA: fn(1, 2, (ctx, [v, ellipsoid], name) => {
    const g = isObject(v) && (v['type'] === 'Polygon' || v['type'] === 'MultiPolygon') ? geometryOf(v) : null;
    if (g === null || (ellipsoid !== undefined && ellipsoid !== 'sphere' && ellipsoid !== 'wgs84')) return invalidArg(ctx, name);
    const r = ellipsoid === 'wgs84' ? WGS84_AUTHALIC_RADIUS_M : EARTH_RADIUS_M;
    let area = 0;
    for (const [outer, ...holes] of g.polygons) {
      if (outer === undefined) continue;
      area += ringArea(outer, r) - holes.reduce((s2, h) => s2 + ringArea(h, r), 0);
    }
    return area;
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
    const ga = geometryOf(a);
    const gb = geometryOf(b);
    if (ga === null || gb === null || ga.polygons.length === 0) return invalidArg(ctx, name);
    return contains(ga, gb);
  }),
  GEO_INTERSECTS: fn(2, 2, (ctx, [a, b], name) => {
    const ga = geometryOf(a);
    const gb = geometryOf(b);
    if (ga === null || gb === null) return invalidArg(ctx, name);
    return intersects(ga, gb);
  }),
};
