import {
  cross, dot, polygonOf, polygonsContain, toVec, type LonLat, type SpherePolygon, type Vec,
} from '../common/index.ts';

/**
 * Latitude/longitude boxes that hold every point of a GeoJSON geometry as the AQL geo functions
 * read it (edges are great-circle arcs, a polygon's region is left of its outer ring, even-odd
 * over all rings). The geo index covers shapes with the grid cells of these boxes, and a
 * GEO_CONTAINS / GEO_INTERSECTS filter reads the cells of its shape's boxes: two geometries that
 * share a point share the cell of that point.
 *
 * - a point: its own (padded) box;
 * - a line: one box per segment, from its end points widened to the segment's most poleward
 *   latitude when that lies inside the segment (a great-circle arc bulges toward a pole), over
 *   the shorter way between its longitudes (an arc shorter than 180° covers less than 180° of
 *   longitude);
 * - a polygon: its rings' latitude range over the union of their segments' longitudes: from a
 *   point of the region the meridian toward a pole the region does not hold leaves the region
 *   through a ring at the same longitude, and further poleward; a region that holds a pole
 *   reaches it at every longitude.
 *
 * Every box is padded by PAD_DEG (far more than the 1e-9 rad the functions allow for "on the
 * boundary"), in longitude by PAD_DEG / cos(latitude), so boxes touching a pole span all
 * longitudes and boxes touching the antimeridian include its other side.
 */
export interface GeoBox {
  readonly latLo: number;
  readonly latHi: number;
  /** Longitude intervals [lo, hi] within [-180, 180]. */
  readonly lons: readonly (readonly [number, number])[];
}

const RAD = Math.PI / 180;
const PAD_DEG = 1e-6;
/** Arcs whose end points are this close to antipodal (radians) have no defined great circle: treated as spanning everything. */
const TINY = 1e-12;

const isPos = (v: unknown): v is LonLat => Array.isArray(v) && v.length >= 2 && typeof v[0] === 'number' && typeof v[1] === 'number';
const positions = (v: unknown, min: number): LonLat[] | null => (Array.isArray(v) && v.length >= min && v.every(isPos) ? (v as LonLat[]) : null);

/** The parts of a GeoJSON geometry as `geometryOf` in the AQL geo functions accepts it (same rules), or null. */
interface Parts {
  readonly points: LonLat[];
  readonly lines: LonLat[][];
  /** Rings of every polygon (all their segments bound the region). */
  readonly rings: LonLat[][];
  readonly polygons: SpherePolygon[];
}

function ringsOf(v: unknown): LonLat[][] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  const rings: LonLat[][] = [];
  for (const r of v) {
    const p = positions(r, 4);
    if (p === null) return null;
    rings.push(p);
  }
  return rings;
}

function partsOf(v: unknown): Parts | null {
  const parts: Parts = { points: [], lines: [], rings: [], polygons: [] };
  if (isPos(v)) {
    parts.points.push(v);
    return parts;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const c = o['coordinates'];
  switch (o['type']) {
    case 'Point': if (!isPos(c)) return null; parts.points.push(c); break;
    case 'MultiPoint': { const p = positions(c, 1); if (p === null) return null; parts.points.push(...p); break; }
    case 'LineString': { const l = positions(c, 2); if (l === null) return null; parts.lines.push(l); break; }
    case 'MultiLineString':
      if (!Array.isArray(c)) return null;
      for (const x of c) { const l = positions(x, 2); if (l === null) return null; parts.lines.push(l); }
      break;
    case 'Polygon': { const r = ringsOf(c); if (r === null) return null; parts.rings.push(...r); parts.polygons.push(polygonOf(r)); break; }
    case 'MultiPolygon':
      if (!Array.isArray(c) || c.length === 0) return null;
      for (const x of c) { const r = ringsOf(x); if (r === null) return null; parts.rings.push(...r); parts.polygons.push(polygonOf(r)); }
      break;
    default: return null;
  }
  return parts;
}

const latOf = (v: Vec): number => Math.atan2(v[2], Math.hypot(v[0], v[1])) / RAD;
const lonOf = (v: Vec): number => Math.atan2(v[1], v[0]) / RAD;

/** A box before padding: latitudes and one unwrapped longitude interval (lo ≤ hi, possibly past ±180), or all longitudes. */
interface RawBox { latLo: number; latHi: number; lonLo: number; lonHi: number; allLons: boolean }

function pointBox(v: Vec): RawBox {
  const lat = latOf(v);
  const lon = lonOf(v);
  return { latLo: lat, latHi: lat, lonLo: lon, lonHi: lon, allLons: false };
}

/** The box of the great-circle arc from a to b. */
function arcBox(a: Vec, b: Vec): RawBox {
  const box = pointBox(a);
  const pb = pointBox(b);
  box.latLo = Math.min(box.latLo, pb.latLo);
  box.latHi = Math.max(box.latHi, pb.latHi);
  let dLon = pb.lonLo - box.lonLo;
  dLon -= 360 * Math.round(dLon / 360);
  const n = cross(a, b);
  const len = Math.hypot(n[0], n[1], n[2]);
  if (len < TINY || Math.abs(Math.abs(dLon) - 180) < 1e-9) {
    // the same point twice, antipodal ends or a meridian arc over a pole: nothing narrower is safe
    if (len < TINY && dot(a, b) > 0) return box;
    return { latLo: -90, latHi: 90, lonLo: -180, lonHi: 180, allLons: true };
  }
  box.lonLo = Math.min(box.lonLo, box.lonLo + dLon);
  box.lonHi = box.lonLo + Math.abs(dLon);
  // the great circle's most northern point, and (its antipode) its most southern
  const u: Vec = [n[0] / len, n[1] / len, n[2] / len];
  const h = Math.hypot(u[0], u[1]);
  if (h > TINY) {
    const top: Vec = [(-u[2] * u[0]) / h, (-u[2] * u[1]) / h, h];
    const inArc = (p: Vec): boolean => dot(cross(a, p), u) >= -1e-12 && dot(cross(p, b), u) >= -1e-12;
    if (inArc(top)) box.latHi = Math.max(box.latHi, latOf(top));
    const bottom: Vec = [-top[0], -top[1], -top[2]];
    if (inArc(bottom)) box.latLo = Math.min(box.latLo, latOf(bottom));
  }
  return box;
}

/** Pads a raw box and splits its longitudes at the antimeridian. */
function padded(r: RawBox): GeoBox {
  const latLo = Math.max(-90, r.latLo - PAD_DEG);
  const latHi = Math.min(90, r.latHi + PAD_DEG);
  const c = Math.cos(Math.max(Math.abs(latLo), Math.abs(latHi)) * RAD);
  const lonPad = c > 1e-9 ? PAD_DEG / c : Infinity;
  let lo = r.lonLo - lonPad;
  let hi = r.lonHi + lonPad;
  if (r.allLons || !(hi - lo < 360)) return { latLo, latHi, lons: [[-180, 180]] };
  const k = Math.floor((lo + 180) / 360);
  lo -= 360 * k;
  hi -= 360 * k;
  return { latLo, latHi, lons: hi <= 180 ? [[lo, hi]] : [[lo, 180], [-180, hi - 360]] };
}

const NORTH: Vec = [0, 0, 1];
const SOUTH: Vec = [0, 0, -1];

/** The boxes of a geometry (see above), or null when it is none the geo functions accept. */
export function geoBoxes(v: unknown): GeoBox[] | null {
  const parts = partsOf(v);
  if (parts === null) return null;
  const out: GeoBox[] = [];
  for (const p of parts.points) out.push(padded(pointBox(toVec(p))));
  for (const line of parts.lines) {
    const vs = line.map(toVec);
    for (let i = 0; i + 1 < vs.length; i++) out.push(padded(arcBox(vs[i] as Vec, vs[i + 1] as Vec)));
  }
  if (parts.polygons.length > 0) {
    const region: RawBox = { latLo: 90, latHi: -90, lonLo: 0, lonHi: 0, allLons: false };
    const lonBoxes: RawBox[] = [];
    for (const ring of parts.rings) {
      const vs = ring.map(toVec);
      // the closing segment too: the functions close a ring whose last position is not its first
      for (let i = 0; i < vs.length; i++) {
        const b = arcBox(vs[i] as Vec, vs[(i + 1) % vs.length] as Vec);
        region.latLo = Math.min(region.latLo, b.latLo);
        region.latHi = Math.max(region.latHi, b.latHi);
        lonBoxes.push(b);
      }
    }
    const north = polygonsContain(parts.polygons, NORTH);
    const south = polygonsContain(parts.polygons, SOUTH);
    if (north) region.latHi = 90;
    if (south) region.latLo = -90;
    if (north || south || lonBoxes.some((b) => b.allLons)) out.push(padded({ ...region, lonLo: -180, lonHi: 180, allLons: true }));
    // the region's latitudes over each segment's longitudes
    else for (const b of lonBoxes) out.push(padded({ ...b, latLo: region.latLo, latHi: region.latHi }));
  }
  return out;
}
