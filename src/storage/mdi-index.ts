import type { Database, Transaction } from 'lmdb';
import { ArangoError } from '../errors/index.ts';
import { encodeIndexValue, readPath, type IndexKeyPart } from './index-codec.ts';
import type { IndexDefinition } from './types.ts';

/**
 * The multi-dimensional indexes (`mdi`, `mdi-prefixed`), as ArangoDB builds them: each document's
 * `fields` (doubles) become one Z-order (Morton) value, their order-preserving 64-bit images with
 * the bits interleaved, most significant first, stored as hex. An `mdi-prefixed` index puts the
 * encoded `prefixFields` values (index-codec.ts) in front, so equality on them selects one Z range.
 *
 * Entries: `[...prefix, z, _key] → ''`, or `[...prefix, z] → _key` for a unique index (two documents
 * with the same prefix and coordinates are 1210). A field that is missing or null leaves a sparse
 * index without the document; any other non-number (or a missing field of a non-sparse index) is
 * error 1561 (invalid arithmetic value), as ArangoDB refuses such documents.
 *
 * A box query walks the Z range of the box's corners and, at the first entry outside the box, jumps
 * to the next Z value inside it (BIGMIN, Tropf & Herzog 1981), so it reads the entries in the box
 * plus about one per Z-curve excursion out of it, not the whole range.
 */

const BITS = 64;
const view = new DataView(new ArrayBuffer(8));

/** The 64 bits (most significant first) of a double's order-preserving unsigned image. */
function sortableBits(n: number): Uint8Array {
  view.setFloat64(0, n === 0 ? 0 : n);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const neg = hi >>> 31 === 1;
  const h = neg ? ~hi >>> 0 : (hi | 0x80000000) >>> 0;
  const l = neg ? ~lo >>> 0 : lo;
  const out = new Uint8Array(BITS);
  for (let i = 0; i < 32; i++) {
    out[i] = (h >>> (31 - i)) & 1;
    out[32 + i] = (l >>> (31 - i)) & 1;
  }
  return out;
}

/** Interleaves per-dimension bit arrays into one Z value (bit b of dimension i at b * d + i). */
function interleave(dims: readonly Uint8Array[]): Uint8Array {
  const d = dims.length;
  const z = new Uint8Array(BITS * d);
  for (let b = 0; b < BITS; b++) for (let i = 0; i < d; i++) z[b * d + i] = dims[i]?.[b] ?? 0;
  return z;
}

function toHex(z: Uint8Array): string {
  let s = '';
  for (let i = 0; i < z.length; i += 4) s += ((z[i] ?? 0) * 8 + (z[i + 1] ?? 0) * 4 + (z[i + 2] ?? 0) * 2 + (z[i + 3] ?? 0)).toString(16);
  return s;
}

function fromHex(s: string): Uint8Array {
  const z = new Uint8Array(s.length * 4);
  for (let i = 0; i < s.length; i++) {
    const v = parseInt(s[i] ?? '0', 16);
    z[i * 4] = (v >> 3) & 1;
    z[i * 4 + 1] = (v >> 2) & 1;
    z[i * 4 + 2] = (v >> 1) & 1;
    z[i * 4 + 3] = v & 1;
  }
  return z;
}

/** The encoded prefix and the Z value of a document, or null when a sparse index skips it. */
function mdiKeyOf(doc: Record<string, unknown>, ix: IndexDefinition): { prefix: IndexKeyPart[]; z: string } | null {
  const prefix: IndexKeyPart[] = [];
  const prefixFields = mdiPrefixFields(ix);
  for (const f of prefixFields) {
    const v = readPath(doc, f);
    if (ix.sparse && (v === null || v === undefined)) return null;
    encodeIndexValue(v ?? null, prefix);
  }
  const dims: Uint8Array[] = [];
  for (const f of ix.fields) {
    const v = readPath(doc, f);
    if (ix.sparse && (v === null || v === undefined)) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArangoError('ERROR_QUERY_INVALID_ARITHMETIC_VALUE', `invalid arithmetic value: the value of '${f}' in index ${ix.name} is not a number`);
    dims.push(sortableBits(v));
  }
  return { prefix, z: toHex(interleave(dims)) };
}

/** The `prefixFields` of an mdi-prefixed index (none for mdi). */
export function mdiPrefixFields(ix: Pick<IndexDefinition, 'type' | 'options'>): string[] {
  const p = ix.type === 'mdi-prefixed' ? ix.options?.['prefixFields'] : undefined;
  return Array.isArray(p) ? p.filter((x): x is string => typeof x === 'string') : [];
}

/** The lmdb entries of one document in an mdi index (the unique one's value is the document key). */
export function mdiEntries(doc: Record<string, unknown> & { _key: string }, ix: IndexDefinition): { key: IndexKeyPart[]; value: string }[] {
  const k = mdiKeyOf(doc, ix);
  if (k === null) return [];
  return ix.unique ? [{ key: [...k.prefix, k.z], value: doc._key }] : [{ key: [...k.prefix, k.z, doc._key], value: '' }];
}

/** Entries an mdi box scan read (tests and benchmarks). */
export interface MdiReadStats {
  entries: number;
  seeks: number;
}

/**
 * The smallest Z value greater than `z` inside the box [zmin, zmax] (all three interleaved over
 * `d` dimensions), or null when there is none.
 */
function bigmin(z: Uint8Array, zminIn: Uint8Array, zmaxIn: Uint8Array, d: number): Uint8Array | null {
  const zmin = zminIn.slice();
  const zmax = zmaxIn.slice();
  let best: Uint8Array | null = null;
  // sets bit p and clears the lower bits of p's dimension ("1000…"), or the reverse ("0111…")
  const load = (v: Uint8Array, p: number, high: 0 | 1): Uint8Array => {
    v[p] = high;
    for (let q = p + d; q < v.length; q += d) v[q] = high === 1 ? 0 : 1;
    return v;
  };
  for (let p = 0; p < z.length; p++) {
    const zb = z[p], lo = zmin[p], hi = zmax[p];
    if (zb === 0 && lo === 0 && hi === 1) {
      best = load(zmin.slice(), p, 1);
      load(zmax, p, 0);
    } else if (zb === 0 && lo === 1 && hi === 1) {
      return zmin;
    } else if (zb === 1 && lo === 0 && hi === 0) {
      return best;
    } else if (zb === 1 && lo === 0 && hi === 1) {
      load(zmin, p, 1);
    }
  }
  return best;
}

/**
 * Keys of the documents whose prefix values equal `prefix` and whose coordinates lie in the box
 * [lower[i], upper[i]] (inclusive; ±Infinity for an open side), in Z order.
 */
export function* mdiScan(
  db: Database<string, IndexKeyPart[]>, ix: IndexDefinition, prefixValues: readonly unknown[], lower: readonly number[], upper: readonly number[],
  snapshot?: Transaction, stats?: MdiReadStats,
): Generator<string> {
  const d = ix.fields.length;
  const prefix: IndexKeyPart[] = [];
  for (const v of prefixValues) encodeIndexValue(v ?? null, prefix);
  const lo = ix.fields.map((_, i) => sortableBits(Math.max(lower[i] ?? -Infinity, -Number.MAX_VALUE)));
  const hi = ix.fields.map((_, i) => sortableBits(Math.min(upper[i] ?? Infinity, Number.MAX_VALUE)));
  for (let i = 0; i < d; i++) if ((lower[i] ?? -Infinity) > (upper[i] ?? Infinity)) return;
  const zmin = interleave(lo);
  const zmax = interleave(hi);
  const endHex = toHex(zmax);
  let from = toHex(zmin);
  const inBox = (z: Uint8Array): boolean => {
    for (let i = 0; i < d; i++) {
      // compare dimension i's bits of z with lo[i] / hi[i], most significant first
      let cLo = 0, cHi = 0;
      for (let b = 0; b < BITS && (cLo === 0 || cHi === 0); b++) {
        const v = z[b * d + i] ?? 0;
        if (cLo === 0 && v !== lo[i]?.[b]) cLo = v > (lo[i]?.[b] ?? 0) ? 1 : -1;
        if (cHi === 0 && v !== hi[i]?.[b]) cHi = v > (hi[i]?.[b] ?? 0) ? 1 : -1;
      }
      if (cLo < 0 || cHi > 0) return false;
    }
    return true;
  };
  for (;;) {
    if (stats !== undefined) stats.seeks++;
    const range: { start: IndexKeyPart[]; end: IndexKeyPart[]; transaction?: Transaction } = { start: [...prefix, from], end: [...prefix, endHex, '\uffff'] };
    if (snapshot !== undefined) range.transaction = snapshot;
    let jump: string | null = null;
    for (const { key, value } of db.getRange(range)) {
      if (stats !== undefined) stats.entries++;
      const zHex = key[prefix.length];
      if (typeof zHex !== 'string') continue;
      const z = fromHex(zHex);
      if (inBox(z)) {
        const k = ix.unique ? value : key[key.length - 1];
        if (typeof k === 'string') yield k;
        continue;
      }
      const next = bigmin(z, zmin, zmax, d);
      if (next === null) return;
      jump = toHex(next);
      break;
    }
    if (jump === null) return;
    from = jump;
  }
}
