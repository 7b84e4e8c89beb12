import type { Database } from 'lmdb';
import type { IndexKeyPart } from './index-codec.ts';
import { CELL_DEG, COLS, EARTH_RADIUS_M, RAD, ROWS, haversineM, rowOf } from './geo-index.ts';

/**
 * Nearest-first reads of a geo index (geo-index.ts has the cell grid and the entries).
 *
 * The search reads the cells of growing "cap boxes": for a radius D (an angle) around the query
 * point (φ0, λ0), every point within D lies in latitudes [φ0 − D, φ0 + D] and, unless the cap
 * reaches a pole (then: all longitudes), in longitudes λ0 ± asin(sin D / cos φ0) (the meridians
 * tangent to the cap). So once a box is read, every point not read yet is farther than D, and the
 * entries read so far that are within D can be yielded in exact order. The boxes nest, so each
 * row keeps the column span already read and only its new ends are read.
 */

/** Meters below every bound: more than the haversine's rounding error anywhere (~0.1 m near antipodes). */
const SLACK_M = 1;
/** Radians added to the edges of every box, so rounding in asin never makes a box smaller than its cap. */
const PAD = 1e-6;
/** First radius and smallest step (half a cell); steps grow by a third of the radius. */
const STEP = (CELL_DEG / 2) * RAD;

/** Counters of one search (tests and benchmarks). */
export interface GeoReadStats {
  /** Index entries read. */
  entries: number;
  /** lmdb range reads. */
  ranges: number;
}

/** A small binary min-heap of (distance, key), ties by key. */
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

const mod = (c: number): number => ((c % COLS) + COLS) % COLS;

/**
 * Document keys of a geo index in ascending distance from (lat, lon), lazily. With `maxDistance`
 * (meters) it stops after the documents within that distance (plus a meter of slack: callers
 * re-check their exact condition).
 */
export function* geoNear(
  db: Database<string, IndexKeyPart[]>, lat: number, lon: number, maxDistance?: number, stats?: GeoReadStats,
): Generator<string> {
  const heap = new Heap();
  const cosPhi = Math.cos(lat * RAD);
  const limit = maxDistance === undefined ? Infinity : maxDistance + SLACK_M;
  // per row, the span of (unwrapped) columns read so far; empty while hi < lo
  const lo = new Int32Array(ROWS);
  const hi = new Int32Array(ROWS).fill(-1);
  const scanCells = (from: number, to: number): void => {
    if (stats !== undefined) stats.ranges++;
    for (const { key, value } of db.getRange({ start: [from], end: [to, '\uffff'] })) {
      const k = key[1];
      if (typeof k !== 'string') continue;
      if (stats !== undefined) stats.entries++;
      const sp = value.indexOf(' ');
      heap.push(haversineM(Number(value.slice(0, sp)), Number(value.slice(sp + 1)), lat, lon), k);
    }
  };
  /** Reads columns c1..c2 (unwrapped, at most a whole row) of a row, wrapping at the antimeridian. */
  const scanCols = (row: number, c1: number, c2: number): void => {
    const a = mod(c1);
    const b = mod(c2);
    if (a <= b) scanCells(row * COLS + a, row * COLS + b);
    else {
      scanCells(row * COLS + a, row * COLS + COLS - 1);
      scanCells(row * COLS, row * COLS + b);
    }
  };
  /** Widens a row's read span to [c1, c2] (a whole row when that is COLS or more), reading only the new columns. */
  const widen = (row: number, c1: number, c2: number): void => {
    const l = lo[row] as number;
    const h = hi[row] as number;
    if (h - l + 1 >= COLS) return;
    const empty = h < l;
    const ul = empty ? c1 : Math.min(l, c1);
    const uh = empty ? c2 : Math.max(h, c2);
    if (uh - ul + 1 >= COLS) {
      if (empty) scanCols(row, 0, COLS - 1);
      else scanCols(row, h + 1, l + COLS - 1);
      lo[row] = 0;
      hi[row] = COLS - 1;
      return;
    }
    if (empty) scanCols(row, ul, uh);
    else {
      if (ul < l) scanCols(row, ul, l - 1);
      if (uh > h) scanCols(row, h + 1, uh);
    }
    lo[row] = ul;
    hi[row] = uh;
  };
  for (let d = STEP; ; d += Math.max(STEP, d / 3)) {
    const all = d >= Math.PI;
    const dDeg = d / RAD + PAD / RAD;
    const latLo = lat - dDeg;
    const latHi = lat + dDeg;
    let c1 = 0;
    let c2 = COLS - 1;
    if (latLo > -90 && latHi < 90) {
      // the cap holds no pole, so sin d < cos φ0
      const dLon = (Math.asin(Math.min(1, Math.sin(d) / cosPhi)) + PAD) / RAD;
      c1 = Math.floor((lon - dLon + 180) / CELL_DEG);
      c2 = Math.floor((lon + dLon + 180) / CELL_DEG);
    }
    const r2 = rowOf(latHi);
    for (let row = rowOf(latLo); row <= r2; row++) widen(row, c1, c2);
    // everything not read yet is farther than d
    const bound = all ? Infinity : d * EARTH_RADIUS_M - SLACK_M;
    const upTo = Math.min(bound, limit);
    while (heap.size > 0 && heap.peek() <= upTo) yield heap.pop();
    if (all || bound >= limit) return;
  }
}
