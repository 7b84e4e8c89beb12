import { fn, invalidArg, type FunctionContext, type FunctionTable } from './function-types.ts';
import { isObject, toNumber } from '../values.ts';
import { toAuthalic, vincentyDistance, WGS84_AUTHALIC_RADIUS_M } from './geo-ellipsoid.ts';
import {
  angle, arcsCross, arcsIntersect, geoJsonCentroid, leftArea, loopContains, loopOf, onArc, polygonArea, polygonEdges,
  polygonOf, polygonVertices, polygonsContain, toVec, type SpherePolygon, type Vec,
} from '../../common/index.ts';

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


/** A GeoJSON geometry on the unit sphere: its polygons, line paths and points. */
interface Geometry {
  readonly kind: string;
  readonly polygons: readonly SpherePolygon[];
  readonly lines: readonly (readonly Vec[])[];
  readonly points: readonly Vec[];
  /** Every edge: line segments and polygon ring edges. */
  readonly edges: readonly [Vec, Vec][];
  /** Every vertex: points, line vertices and ring vertices. */
  readonly vertices: readonly Vec[];
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
  if (isPosition(v)) {
    const p = toVec(v);
    return { kind: 'Point', polygons: [], lines: [], points: [p], edges: [], vertices: [p] };
  }
  if (!isObject(v) || typeof v['type'] !== 'string') return null;
  const c = v['coordinates'];
  const polygons: SpherePolygon[] = [];
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
    case 'Polygon': { const r = ringsOf(c); if (r === null) return null; polygons.push(polygonOf(r)); break; }
    case 'MultiPolygon':
      if (!Array.isArray(c) || c.length === 0) return null;
      for (const x of c) { const r = ringsOf(x); if (r === null) return null; polygons.push(polygonOf(r)); }
      break;
    default: return null;
  }
  const lineVecs = lines.map((l) => l.map(toVec));
  const pointVecs = points.map(toVec);
  const edges: [Vec, Vec][] = polygonEdges(polygons);
  for (const l of lineVecs) for (let i = 0; i + 1 < l.length; i++) edges.push([l[i] as Vec, l[i + 1] as Vec]);
  const vertices = [...pointVecs, ...lineVecs.flat(), ...polygonVertices(polygons)];
  return { kind: v['type'], polygons, lines: lineVecs, points: pointVecs, edges, vertices };
}

function onBoundaryOrInside(g: Geometry, p: Vec): boolean {
  return polygonsContain(g.polygons, p) || g.edges.some(([a, b]) => onArc(a, b, p)) || g.vertices.some((q) => angle(p, q) <= 1e-9);
}

/** True when the two geometries share at least one point (edges are great-circle arcs). */
function intersects(a: Geometry, b: Geometry): boolean {
  if (b.vertices.some((p) => onBoundaryOrInside(a, p)) || a.vertices.some((p) => onBoundaryOrInside(b, p))) return true;
  return a.edges.some(([p, q]) => b.edges.some(([r, s]) => arcsIntersect(p, q, r, s)));
}

/**
 * True when every point of `b` lies in the polygons of `a`: all of b's vertices inside, no edge
 * of b crossing a's boundary, and (for a polygon b) no ring of a inside b (a hole of a within b).
 */
function contains(a: Geometry, b: Geometry): boolean {
  if (!b.vertices.every((p) => polygonsContain(a.polygons, p))) return false;
  if (b.edges.some(([p, q]) => a.edges.some(([r, s]) => arcsCross(p, q, r, s)))) return false;
  if (b.polygons.length > 0 && a.polygons.some((poly) => poly.holes.some((h) => h.vertices.some((p) => polygonsContain(b.polygons, p))))) return false;
  return true;
}

/** The shape's centroid as [lon, lat] (what GEO_DISTANCE measures from; the geo index stores the same). */
function centroidOf(v: unknown): Position | null {
  return geoJsonCentroid(v);
}

/** Same shape, vertices equal within ~1 cm, rings equal up to their starting vertex. */
function geoEquals(a: Geometry, b: Geometry): boolean {
  if (a.kind !== b.kind || a.polygons.length !== b.polygons.length || a.lines.length !== b.lines.length || a.points.length !== b.points.length) return false;
  const same = (p: Vec, q: Vec): boolean => angle(p, q) <= 1e-9;
  const sameList = (x: readonly Vec[], y: readonly Vec[]): boolean => x.length === y.length && x.every((p, i) => same(p, y[i] as Vec));
  const sameRing = (x: readonly Vec[], y: readonly Vec[]): boolean =>
    x.length === y.length && x.some((_p, k) => x.every((p, i) => same(p, y[(i + k) % y.length] as Vec)));
  if (!sameList(a.points, b.points)) return false;
  if (!a.lines.every((l, i) => sameList(l, b.lines[i] ?? []))) return false;
  return a.polygons.every((p, i) => {
    const q = b.polygons[i];
    return q !== undefined && sameRing(p.outer.vertices, q.outer.vertices) && p.holes.length === q.holes.length
      && p.holes.every((h, k) => sameRing(h.vertices, q.holes[k]?.vertices ?? []));
  });
}

/** Applies `f` to every position of a GeoJSON object's coordinates. */
/** Largest polygon whose edges are checked pairwise for crossings (bounds the O(n²) check). */
const MAX_CHECKED_EDGES = 1000;

/** S2's polygon validity as far as it matters here: no two edges of the rings cross (self-intersection). */
function ringsAreSimple(rings: readonly (readonly Position[])[]): boolean {
  const loops = rings.map((r) => loopOf(r).vertices);
  const edges: { a: Vec; b: Vec; ring: number; i: number; n: number }[] = [];
  loops.forEach((l, ring) => l.forEach((a, i) => edges.push({ a, b: l[(i + 1) % l.length] as Vec, ring, i, n: l.length })));
  if (loops.some((l) => l.length < 3)) return false;
  if (edges.length > MAX_CHECKED_EDGES) return true;
  for (let x = 0; x < edges.length; x++) {
    for (let y = x + 1; y < edges.length; y++) {
      const e = edges[x] as (typeof edges)[number];
      const f = edges[y] as (typeof edges)[number];
      // neighbours in one ring share a vertex by construction
      if (e.ring === f.ring && (f.i === e.i + 1 || (e.i === 0 && f.i === e.n - 1))) continue;
      if (arcsCross(e.a, e.b, f.a, f.b)) return false;
    }
  }
  return true;
}

function mapPositions(v: Record<string, unknown>, f: (p: Position) => Position): Record<string, unknown> {
  const walk = (x: unknown): unknown => (isPosition(x) ? f(x) : Array.isArray(x) ? x.map(walk) : x);
  return { ...v, coordinates: walk(v['coordinates']) };
}

/** Distance between the centroids (meters) on the sphere or WGS84; null when an argument is no geometry. */
function distance(a: unknown, b: unknown, ellipsoid: unknown): number | null {
  if (ellipsoid !== undefined && ellipsoid !== 'sphere' && ellipsoid !== 'wgs84') return null;
  const p = centroidOf(a);
  const q = centroidOf(b);
  if (p === null || q === null) return null;
  if (ellipsoid === 'wgs84') {
    const d = vincentyDistance(p, q);
    if (d !== null) return d;
  }
  return haversine(p[1], p[0], q[1], q[0]);
}

function shape(type: string, coordinates: unknown): Record<string, unknown> {
  return { type, coordinates };
}

/** Geo constructors, measurements and predicates over GeoJSON and coordinate pairs, on the sphere (S2's reading of GeoJSON). */
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
    if (!ringsAreSimple(rings as Position[][])) return invalidArg(ctx, name);
    return shape('Polygon', rings);
  }),
  // a MultiPolygon needs at least two Polygons, a MultiLineString two LineStrings (3.12 pages)
  GEO_MULTIPOLYGON: fn(1, 1, (ctx, [v], name) => {
    if (!Array.isArray(v) || v.length < 2) return invalidArg(ctx, name);
    for (const poly of v) {
      if (!Array.isArray(poly) || poly.length === 0) return invalidArg(ctx, name);
      for (const r of poly) if (ring(ctx, name, r) === null) return null;
    }
    if (!ringsAreSimple((v as Position[][][]).flat())) return invalidArg(ctx, name);
    return shape('MultiPolygon', v);
  }),
  GEO_DISTANCE: fn(2, 3, (ctx, [a, b, ellipsoid], name) => {
    const d = distance(a, b, ellipsoid);
    return d === null ? invalidArg(ctx, name) : d;
  }),
  GEO_IN_RANGE: fn(4, 7, (ctx, [a, b, lo, hi, incLo, incHi, ellipsoid], name) => {
    const d = distance(a, b, ellipsoid);
    if (d === null) return invalidArg(ctx, name);
    const low = toNumber(lo);
    const high = toNumber(hi);
    return (incLo === false ? d > low : d >= low) && (incHi === false ? d < high : d <= high);
  }),
  GEO_EQUALS: fn(2, 2, (ctx, [a, b], name) => {
    const ga = geometryOf(a);
    const gb = geometryOf(b);
    if (ga === null || gb === null) return invalidArg(ctx, name);
    return geoEquals(ga, gb);
  }),
  GEO_AREA: fn(1, 2, (ctx, [v, ellipsoid], name) => {
    const isPoly = isObject(v) && (v['type'] === 'Polygon' || v['type'] === 'MultiPolygon');
    if (!isPoly || (ellipsoid !== undefined && ellipsoid !== 'sphere' && ellipsoid !== 'wgs84')) return invalidArg(ctx, name);
    // wgs84: the same rings on the authalic sphere (an equal-area mapping of the ellipsoid)
    const g = geometryOf(ellipsoid === 'wgs84' ? mapPositions(v, toAuthalic) : v);
    if (g === null) return invalidArg(ctx, name);
    const r = ellipsoid === 'wgs84' ? WGS84_AUTHALIC_RADIUS_M : EARTH_RADIUS_M;
    return g.polygons.reduce((sum, p) => sum + polygonArea(p), 0) * r * r;
  }),
  IS_IN_POLYGON: fn(2, 3, (ctx, [poly, a, b], name) => {
    if (!Array.isArray(poly) || poly.length < 3 || !poly.every(isPosition)) return invalidArg(ctx, name);
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
    // the deprecated form predates ring orientation: its region is the smaller side of the ring
    const loop = loopOf(poly.map((p) => (geoJson ? p : ([p[1], p[0]] as Position))));
    const region = leftArea(loop) > 2 * Math.PI ? { vertices: [...loop.vertices].reverse() } : loop;
    return loopContains(region, toVec([lon, lat]));
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
