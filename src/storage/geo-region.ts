import type { Database } from 'lmdb';
import type { IndexKeyPart } from './index-codec.ts';
import { readPath } from './index-codec.ts';
import { CELL_DEG, COLS, ROWS, geoEntry, geoPointOf } from './geo-index.ts';
import { geoBoxes, type GeoBox } from './geo-cover.ts';
import type { GeoReadStats } from './geo-near.ts';
import type { IndexDefinition } from './types.ts';

/**
 * A geo index's entries beyond the one point per document (geo-index.ts), and the reads of
 * GEO_CONTAINS / GEO_INTERSECTS filters. The first key part says what an entry is:
 *
 * - `[cell, _key]` → `"lat lon"`: the document's point (its centroid for shapes), cell < ROWS·COLS;
 * - `[FINE + cell, _key]` → `""`: a shape (geoJson index, anything but a Point) covers that grid
 *   cell: the cells of its boxes (geo-cover.ts) when they are at most MAX_CELLS,
 * - `[COARSE + cell, _key]` → `""`: else the 5° cells of its boxes, again at most MAX_CELLS,
 * - `[GLOBAL, _key]` → `""`: else the shape is a candidate of every region read.
 *
 * So a document has at most MAX_CELLS + 1 entries. A region read takes the cells of the filter
 * shape's boxes in all three spaces and yields each key once; the filter is then evaluated on
 * every document read (the index only narrows the candidates).
 */
const FINE = 1_000_000;
const COARSE = 2_000_000;
const GLOBAL = 3_000_000;
const MAX_CELLS = 64;
/** Boxes adding up to more cells than this are not even expanded at a level. */
const EXPAND_LIMIT = 4096;

interface Level {
  readonly deg: number;
  readonly rows: number;
  readonly cols: number;
  readonly base: number;
}
const FINE_LEVEL: Level = { deg: CELL_DEG, rows: ROWS, cols: COLS, base: FINE };
const COARSE_LEVEL: Level = { deg: 5, rows: 36, cols: 72, base: COARSE };

/** Per row, the merged column intervals of the boxes' cells; null when the boxes add up to more than `limit` cells. */
function cellRanges(boxes: readonly GeoBox[], level: Level, limit: number): Map<number, [number, number][]> | null {
  const clamp = (x: number, n: number): number => Math.min(n - 1, Math.max(0, Math.floor(x)));
  const rowOf = (lat: number): number => clamp((lat + 90) / level.deg, level.rows);
  const colOf = (lon: number): number => clamp((lon + 180) / level.deg, level.cols);
  let total = 0;
  const rows = new Map<number, [number, number][]>();
  for (const b of boxes) {
    const r1 = rowOf(b.latLo);
    const r2 = rowOf(b.latHi);
    const cols = b.lons.map(([lo, hi]): [number, number] => [colOf(lo), colOf(hi)]);
    total += (r2 - r1 + 1) * cols.reduce((s, [a, c]) => s + c - a + 1, 0);
    if (total > limit) return null;
    for (let r = r1; r <= r2; r++) {
      let list = rows.get(r);
      if (list === undefined) rows.set(r, (list = []));
      list.push(...cols);
    }
  }
  for (const [r, list] of rows) {
    list.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const [a, c] of list) {
      const last = merged[merged.length - 1];
      if (last !== undefined && a <= last[1] + 1) last[1] = Math.max(last[1], c);
      else merged.push([a, c]);
    }
    rows.set(r, merged);
  }
  return rows;
}

/** The cover entries of a shape (see above); none for values that are no geometry. */
function coverKeys(v: unknown, key: string): IndexKeyPart[][] {
  const boxes = geoBoxes(v);
  if (boxes === null || boxes.length === 0) return [];
  for (const level of [FINE_LEVEL, COARSE_LEVEL]) {
    const ranges = cellRanges(boxes, level, EXPAND_LIMIT);
    if (ranges === null) continue;
    const out: IndexKeyPart[][] = [];
    for (const [row, list] of ranges) for (const [a, c] of list) for (let col = a; col <= c; col++) out.push([level.base + row * level.cols + col, key]);
    if (out.length <= MAX_CELLS) return out;
  }
  return [[GLOBAL, key]];
}

/** Every entry a document has in a geo index: its point, and for a shape in a geoJson index its cover. */
export function geoEntries(doc: Record<string, unknown> & { _key: string }, ix: IndexDefinition): { key: IndexKeyPart[]; value: string }[] {
  const out: { key: IndexKeyPart[]; value: string }[] = [];
  const p = geoPointOf(doc, ix);
  if (p !== null) out.push(geoEntry(p, doc._key));
  const [field] = ix.fields;
  if (ix.fields.length === 1 && field !== undefined && ix.options?.['geoJson'] === true) {
    const v = readPath(doc, field);
    const isShape = typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Record<string, unknown>)['type'] !== 'Point';
    if (isShape) for (const key of coverKeys(v, doc._key)) out.push({ key, value: '' });
  }
  return out;
}

/**
 * Keys of the documents whose point or shape may share a point with the geometry `shape`, each
 * once, in no particular order; undefined when `shape` is no geometry (the caller scans).
 */
export function geoRegion(db: Database<string, IndexKeyPart[]>, shape: unknown, stats?: GeoReadStats): Iterable<string> | undefined {
  const boxes = geoBoxes(shape);
  if (boxes === null) return undefined;
  return (function* () {
    const seen = new Set<string>();
    function* read(from: number, to: number): Generator<string> {
      if (stats !== undefined) stats.ranges++;
      for (const key of db.getKeys({ start: [from], end: [to, '\uffff'] })) {
        const k = key[1];
        if (stats !== undefined) stats.entries++;
        if (typeof k !== 'string' || seen.has(k)) continue;
        seen.add(k);
        yield k;
      }
    }
    for (const level of [FINE_LEVEL, COARSE_LEVEL]) {
      const ranges = cellRanges(boxes, level, Infinity) ?? new Map<number, [number, number][]>();
      for (const [row, list] of ranges) {
        for (const [a, c] of list) {
          const from = row * level.cols + a;
          const to = row * level.cols + c;
          // points live at the fine cells themselves
          if (level === FINE_LEVEL) yield* read(from, to);
          yield* read(level.base + from, level.base + to);
        }
      }
    }
    yield* read(GLOBAL, GLOBAL);
  })();
}
