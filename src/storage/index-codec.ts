import { createHash } from 'node:crypto';
import { collationFingerprint, compareStrings, stringSortKey } from '../common/collation.ts';

/**
 * Encodes attribute values into lmdb (ordered-binary) keys so that the byte order of index keys is
 * exactly AQL's order (`compareValues`): null < bool < number < string < array < object, strings
 * under the server's collation (`common/collation.ts`), arrays element-wise with missing elements
 * as null, objects by their sorted attribute names with missing attributes as null.
 * Each value becomes a (tag, payload) pair; strings, arrays and objects have a string payload.
 */
export type IndexKeyPart = number | string;

/**
 * Version of the key format plus the collation fingerprint: index entries written under another
 * value are rebuilt when the data directory is opened (see `StorageEngine`). Version 3: geo
 * indexes also hold the cells their shapes cover (geo-region.ts); 4: fulltext and mdi indexes hold
 * entries (fulltext-index.ts, mdi-index.ts).
 */
export function indexKeyFormat(): string {
  return `4:${collationFingerprint()}`;
}

// characters of the composite (array/object) payload; all sort below the digits 0x30.. of weights
const C_END = '\u0021';
const C_PAIR = '\u0025';
const C_NULL = '\u0026';
const C_BOOL = '\u0027';
const C_NUMBER = '\u0028';
const C_STRING = '\u0029';
const C_ARRAY = '\u002a';
const C_OBJECT = '\u002b';

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);
const BIG_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;

/** 16 hex digits whose order is the numeric order of `n`. */
function sortableNumber(n: number): string {
  f64[0] = n === 0 ? 0 : n;
  const bytes: number[] = [];
  for (let i = 0; i < 8; i++) bytes.push(u8[BIG_ENDIAN ? i : 7 - i] ?? 0);
  const negative = ((bytes[0] ?? 0) & 0x80) !== 0;
  let out = '';
  for (let i = 0; i < 8; i++) {
    let b = bytes[i] ?? 0;
    b = negative ? ~b & 0xff : i === 0 ? b | 0x80 : b;
    out += b.toString(16).padStart(2, '0');
  }
  return out;
}

/**
 * Reverses the order of a sort key: each character becomes two (0x30–0x12F) of its complement,
 * and a terminator above them makes a key that is a prefix of another sort after it.
 */
function invert(sortKey: string): string {
  let out = '';
  for (let i = 0; i < sortKey.length; i++) {
    const x = 0xffff - sortKey.charCodeAt(i);
    out += String.fromCharCode(0x30 + (x >> 8), 0x30 + (x & 0xff));
  }
  return out + '\u0130';
}

function encodeComposite(value: unknown, out: string[]): void {
  if (value === null || value === undefined) out.push(C_NULL);
  else if (typeof value === 'boolean') out.push(C_BOOL, value ? '1' : '0');
  else if (typeof value === 'number') out.push(C_NUMBER, sortableNumber(value));
  else if (typeof value === 'string') out.push(C_STRING, stringSortKey(value));
  else if (Array.isArray(value)) {
    out.push(C_ARRAY);
    encodeArrayBody(value, out);
  } else {
    out.push(C_OBJECT);
    encodeObjectBody(value as Record<string, unknown>, out);
  }
}

// AQL pads the shorter array with nulls: trailing nulls do not change the order
function encodeArrayBody(value: readonly unknown[], out: string[]): void {
  let n = value.length;
  while (n > 0 && (value[n - 1] === null || value[n - 1] === undefined)) n--;
  for (let i = 0; i < n; i++) encodeComposite(value[i], out);
  out.push(C_END);
}

// AQL walks the sorted union of attribute names, a missing one counting as null. At the first
// name only one side has (with a non-null value), that side is greater: so names are inverted.
function encodeObjectBody(value: Record<string, unknown>, out: string[]): void {
  const keys = Object.keys(value).filter((k) => value[k] !== null && value[k] !== undefined).sort(compareStrings);
  for (const k of keys) {
    out.push(C_PAIR, invert(stringSortKey(k)));
    encodeComposite(value[k], out);
  }
  out.push(C_END);
}

/** Payloads above this many UTF-8 bytes are cut and get a hash (lmdb keys hold at most 1978 bytes). */
const MAX_PAYLOAD_BYTES = 900;

/**
 * Keeps a payload within the lmdb key limit. A cut payload keeps its first ~900 bytes (so order is
 * exact up to there, a few hundred characters of a string) and ends with a SHA-1 of the value, so
 * equality and uniqueness stay exact.
 */
function capped(payload: string, value: unknown): string {
  if (payload.length * 3 <= MAX_PAYLOAD_BYTES || Buffer.byteLength(payload) <= MAX_PAYLOAD_BYTES) return payload;
  let end = Math.min(payload.length, MAX_PAYLOAD_BYTES);
  while (Buffer.byteLength(payload.slice(0, end)) > MAX_PAYLOAD_BYTES - 40) end -= 16;
  const hash = createHash('sha1').update(JSON.stringify(value)).digest('hex');
  return payload.slice(0, end) + hash;
}

/** Appends the encoding of `value` to `out`. `undefined` (missing attribute) indexes as null. */
export function encodeIndexValue(value: unknown, out: IndexKeyPart[]): void {
  if (value === null || value === undefined) {
    out.push(0, 0);
  } else if (typeof value === 'boolean') {
    out.push(1, value ? 1 : 0);
  } else if (typeof value === 'number') {
    out.push(2, value === 0 ? 0 : value);
  } else if (typeof value === 'string') {
    out.push(3, capped(stringSortKey(value), value));
  } else if (Array.isArray(value)) {
    const parts: string[] = [];
    encodeArrayBody(value, parts);
    out.push(4, capped(parts.join(''), value));
  } else {
    const parts: string[] = [];
    encodeObjectBody(value as Record<string, unknown>, parts);
    out.push(5, capped(parts.join(''), value));
  }
}

/** Reads the attribute at a dotted path (`a.b.c`); missing → undefined. */
export function readPath(doc: Record<string, unknown>, path: string): unknown {
  if (!path.includes('.')) return doc[path];
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The values of `fields` in `doc`, or null for a sparse index when one of them is null/missing. */
export function indexValues(doc: Record<string, unknown>, fields: readonly string[], sparse: boolean): unknown[] | null {
  const values: unknown[] = [];
  for (const f of fields) {
    const v = readPath(doc, f);
    if (sparse && (v === null || v === undefined)) return null;
    values.push(v);
  }
  return values;
}

/** The lmdb key of an index entry: encoded values, then (for non-unique indexes) the document key. */
export function indexKey(values: readonly unknown[], docKey: string | null): IndexKeyPart[] {
  const out: IndexKeyPart[] = [];
  for (const v of values) encodeIndexValue(v, out);
  if (docKey !== null) out.push(docKey);
  return out;
}
