/**
 * Geometry on the unit sphere, with ArangoDB's (S2's) reading of GeoJSON since 3.10: edges are
 * great-circle arcs, a ring's interior is to the LEFT of its direction of travel (so a clockwise
 * outer ring is the complement, larger than a hemisphere), holes are tolerated in either
 * orientation (each hole removes the smaller of its two sides), and containment is even-odd over
 * all rings of a Polygon or MultiPolygon.
 */

/** A unit vector. */
export type Vec = readonly [number, number, number];
/** `[longitude, latitude]` in degrees, as GeoJSON has it. */
export type LonLat = readonly [number, number];

const RAD = Math.PI / 180;
/** Tolerance for "on the boundary" and point equality (radians, ~6 mm on Earth). */
const EPS = 1e-9;

export function toVec(p: LonLat): Vec {
  const lon = p[0] * RAD;
  const lat = p[1] * RAD;
  const c = Math.cos(lat);
  return [c * Math.cos(lon), c * Math.sin(lon), Math.sin(lat)];
}

export function toLonLat(v: Vec): LonLat {
  return [Math.atan2(v[1], v[0]) / RAD, Math.atan2(v[2], Math.hypot(v[0], v[1])) / RAD];
}

export const dot = (a: Vec, b: Vec): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: Vec, b: Vec): Vec => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const add = (a: Vec, b: Vec, k = 1): Vec => [a[0] + k * b[0], a[1] + k * b[1], a[2] + k * b[2]];
const norm = (a: Vec): number => Math.hypot(a[0], a[1], a[2]);

export function normalize(a: Vec): Vec {
  const n = norm(a);
  return n === 0 ? a : [a[0] / n, a[1] / n, a[2] / n];
}

/** Central angle between two unit vectors (radians), stable for small and near-antipodal angles. */
export function angle(a: Vec, b: Vec): number {
  return Math.atan2(norm(cross(a, b)), dot(a, b));
}

/** A closed ring without its repeated last vertex; the region it bounds is to its left. */
export interface Loop {
  readonly vertices: readonly Vec[];
}

/** Builds a loop from GeoJSON positions (first = last), dropping consecutive duplicates. */
export function loopOf(ring: readonly LonLat[]): Loop {
  const out: Vec[] = [];
  for (const p of ring) {
    const v = toVec(p);
    const last = out[out.length - 1];
    if (last === undefined || angle(last, v) > EPS) out.push(v);
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (out.length > 1 && first !== undefined && last !== undefined && angle(first, last) <= EPS) out.pop();
  return { vertices: out };
}

function reversed(l: Loop): Loop {
  return { vertices: [...l.vertices].reverse() };
}

function vertex(l: Loop, i: number): Vec {
  const n = l.vertices.length;
  return l.vertices[((i % n) + n) % n] as Vec;
}

/** Unit tangent at `a` pointing along the great circle toward `b`. */
function tangent(a: Vec, b: Vec): Vec {
  return normalize(add(b, a, -dot(a, b)));
}

/** Area (steradians, 0..4π) of the region to the left of the loop, by Gauss-Bonnet over its turning angles. */
export function leftArea(l: Loop): number {
  const n = l.vertices.length;
  if (n < 3) return 0;
  let turning = 0;
  for (let i = 0; i < n; i++) {
    const prev = vertex(l, i - 1);
    const v = vertex(l, i);
    const next = vertex(l, i + 1);
    const tin = tangent(v, prev);
    const tout = tangent(v, next);
    // arriving direction is -tin; the signed turn from it to tout, left turns positive
    const inDir: Vec = [-tin[0], -tin[1], -tin[2]];
    turning += Math.atan2(dot(cross(inDir, tout), v), dot(inDir, tout));
  }
  const area = 2 * Math.PI - turning;
  return Math.min(4 * Math.PI, Math.max(0, area));
}

/** True when arcs ab and cd cross at a point interior to both (all four orientations agree). */
export function arcsCross(a: Vec, b: Vec, c: Vec, d: Vec): boolean {
  const ab = cross(a, b);
  const acb = -dot(ab, c);
  const bda = dot(ab, d);
  if (acb * bda <= 0) return false;
  const cd = cross(c, d);
  const cbd = -dot(cd, b);
  const dac = dot(cd, a);
  return acb * cbd > 0 && acb * dac > 0;
}

/** True when `p` lies on the arc ab (within EPS). */
export function onArc(a: Vec, b: Vec, p: Vec): boolean {
  if (angle(a, p) <= EPS || angle(b, p) <= EPS) return true;
  const n = cross(a, b);
  const len = norm(n);
  if (len < EPS) return false;
  if (Math.abs(dot(n, p)) / len > EPS) return false;
  return dot(cross(a, p), n) > 0 && dot(cross(p, b), n) > 0;
}

/** True when arcs ab and cd share any point (crossing, touching or overlapping). */
export function arcsIntersect(a: Vec, b: Vec, c: Vec, d: Vec): boolean {
  return arcsCross(a, b, c, d) || onArc(a, b, c) || onArc(a, b, d) || onArc(c, d, a) || onArc(c, d, b);
}

function edges(l: Loop): [Vec, Vec][] {
  const out: [Vec, Vec][] = [];
  for (let i = 0; i < l.vertices.length; i++) out.push([vertex(l, i), vertex(l, i + 1)]);
  return out;
}

/** A point just left of edge `i` (inside the loop's region by definition), off-centre to avoid symmetric cases. */
function referenceInside(l: Loop, i: number): Vec {
  const a = vertex(l, i);
  const b = vertex(l, i + 1);
  const m = normalize(add(add([0, 0, 0], a, 0.6180339887), b, 0.3819660113));
  // the step off the edge shrinks with the edge, so small polygons (a building) keep it inside
  return normalize(add(m, normalize(cross(a, b)), Math.min(1.37e-7, 1e-4 * angle(a, b))));
}

/** True when `p` is in the region to the left of the loop (boundary points: undefined, as in S2). */
export function loopContains(l: Loop, p: Vec): boolean {
  const n = l.vertices.length;
  if (n < 3) return false;
  let ref = referenceInside(l, 0);
  for (let i = 1; i < n && dot(ref, p) < -0.9; i++) ref = referenceInside(l, i);
  let crossings = 0;
  for (const [a, b] of edges(l)) if (arcsCross(ref, p, a, b)) crossings++;
  return crossings % 2 === 0;
}

/** A Polygon: its outer loop (as given) and its holes (each normalized to enclose its smaller side). */
export interface SpherePolygon {
  readonly outer: Loop;
  readonly holes: readonly Loop[];
}

export function polygonOf(rings: readonly (readonly LonLat[])[]): SpherePolygon {
  const [outer = [], ...holes] = rings;
  return {
    outer: loopOf(outer),
    holes: holes.map((h) => {
      const l = loopOf(h);
      return leftArea(l) > 2 * Math.PI ? reversed(l) : l;
    }),
  };
}

/** Even-odd over the polygons' rings: inside the outer loop and in no hole, nested polygons act as holes. */
export function polygonsContain(polys: readonly SpherePolygon[], p: Vec): boolean {
  let inside = false;
  for (const poly of polys) {
    let here = loopContains(poly.outer, p);
    for (const h of poly.holes) if (loopContains(h, p)) here = !here;
    if (here) inside = !inside;
  }
  return inside;
}

/** Area in steradians of a polygon (outer region less its holes). */
export function polygonArea(poly: SpherePolygon): number {
  return Math.max(0, leftArea(poly.outer) - poly.holes.reduce((s, h) => s + leftArea(h), 0));
}

/** Every edge of the polygons. */
export function polygonEdges(polys: readonly SpherePolygon[]): [Vec, Vec][] {
  return polys.flatMap((p) => [p.outer, ...p.holes].flatMap(edges));
}

/** Every vertex of the polygons. */
export function polygonVertices(polys: readonly SpherePolygon[]): Vec[] {
  return polys.flatMap((p) => [p.outer, ...p.holes].flatMap((l) => [...l.vertices]));
}

/**
 * The centroid S2 uses for distances: area-weighted for polygons (by a fan of triangles from the
 * first vertex), length-weighted midpoints for lines, the mean of points; null when degenerate.
 */
export function centroid(polys: readonly SpherePolygon[], lines: readonly (readonly Vec[])[], points: readonly Vec[]): Vec | null {
  let sum: Vec = [0, 0, 0];
  if (polys.length > 0) {
    for (const poly of polys) {
      for (const [k, l] of [poly.outer, ...poly.holes].entries()) {
        const sign = k === 0 ? 1 : -1;
        const o = vertex(l, 0);
        for (let i = 1; i + 1 < l.vertices.length; i++) {
          const b = vertex(l, i);
          const c = vertex(l, i + 1);
          // the planar triangle's centroid times its (signed) area is a good spherical centroid for small triangles
          const t = cross(add(b, o, -1), add(c, o, -1));
          const areaVec = dot(t, normalize(add(add(o, b), c))) / 2;
          sum = add(sum, add(add(o, b), c), (sign * areaVec) / 3);
        }
      }
    }
  } else if (lines.length > 0) {
    for (const line of lines) {
      for (let i = 0; i + 1 < line.length; i++) {
        const a = line[i] as Vec;
        const b = line[i + 1] as Vec;
        sum = add(sum, normalize(add(a, b)), angle(a, b));
      }
    }
  } else {
    for (const p of points) sum = add(sum, p);
  }
  return norm(sum) < 1e-15 ? null : normalize(sum);
}

const isLonLat = (v: unknown): v is LonLat => Array.isArray(v) && v.length >= 2 && typeof v[0] === 'number' && typeof v[1] === 'number';
const lonLats = (v: unknown): LonLat[] | null => (Array.isArray(v) && v.every(isLonLat) ? (v as LonLat[]) : null);

/**
 * The centroid of a GeoJSON geometry or `[lon, lat]` pair as `[lon, lat]` (what ArangoDB measures
 * GEO_DISTANCE from and what a geoJson geo index stores for non-points); null when `v` is none.
 * Points keep their exact degrees.
 */
export function geoJsonCentroid(v: unknown): LonLat | null {
  if (isLonLat(v)) return v;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const c = o['coordinates'];
  const polys: SpherePolygon[] = [];
  const lines: Vec[][] = [];
  let points: Vec[] = [];
  switch (o['type']) {
    case 'Point': return isLonLat(c) ? c : null;
    case 'MultiPoint': { const p = lonLats(c); if (p === null || p.length === 0) return null; points = p.map(toVec); break; }
    case 'LineString': { const l = lonLats(c); if (l === null || l.length < 2) return null; lines.push(l.map(toVec)); break; }
    case 'MultiLineString':
      if (!Array.isArray(c)) return null;
      for (const x of c) { const l = lonLats(x); if (l === null || l.length < 2) return null; lines.push(l.map(toVec)); }
      break;
    case 'Polygon': {
      if (!Array.isArray(c) || c.length === 0) return null;
      const rings = c.map(lonLats);
      if (rings.some((r) => r === null || r.length < 4)) return null;
      polys.push(polygonOf(rings as LonLat[][]));
      break;
    }
    case 'MultiPolygon':
      if (!Array.isArray(c) || c.length === 0) return null;
      for (const p of c) {
        if (!Array.isArray(p) || p.length === 0) return null;
        const rings = p.map(lonLats);
        if (rings.some((r) => r === null || r.length < 4)) return null;
        polys.push(polygonOf(rings as LonLat[][]));
      }
      break;
    default: return null;
  }
  const cv = centroid(polys, lines, points);
  return cv === null ? null : toLonLat(cv);
}
