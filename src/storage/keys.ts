import { randomUUID } from 'node:crypto';
import { ArangoError } from '../errors/index.ts';

/** Characters ArangoDB allows in a document key (besides letters and digits). */
const KEY_RE = /^[a-zA-Z0-9_\-:.@()+,=;$!*'%]{1,254}$/;
const DB_NAME_RE = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;
const COLLECTION_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_-]{0,255}$/;

/** True when `key` is a valid ArangoDB document key. */
export function isValidKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_RE.test(key);
}

/** Throws 1221 unless `key` is a valid document key. */
export function assertValidKey(key: unknown): asserts key is string {
  if (!isValidKey(key)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_KEY_BAD');
}

/** True for a valid database name (`_system` included). */
export function isValidDatabaseName(name: unknown): name is string {
  return typeof name === 'string' && (name === '_system' || DB_NAME_RE.test(name));
}

/** True for a valid collection name; names starting with `_` are system collections. */
export function isValidCollectionName(name: unknown): name is string {
  return typeof name === 'string' && COLLECTION_NAME_RE.test(name);
}

// ArangoDB's HLC alphabet: ordered so that equal-length encodings sort like the numbers.
const REV_ALPHABET = '-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const REV_DECODE = new Map<string, number>([...REV_ALPHABET].map((c, i) => [c, i]));

/** Encodes a tick as an ArangoDB-style revision string (e.g. `_hXk2aa---`). */
export function encodeRevision(tick: number): string {
  let out = '';
  let n = tick;
  while (n > 0) {
    out = REV_ALPHABET[n % 64] + out;
    n = Math.floor(n / 64);
  }
  return out === '' ? '-' : out;
}

/** Decodes a revision string produced by `encodeRevision`; NaN when it is not one. */
export function decodeRevision(rev: string): number {
  let n = 0;
  for (const c of rev) {
    const v = REV_DECODE.get(c);
    if (v === undefined) return Number.NaN;
    n = n * 64 + v;
  }
  return n;
}

/** Key generator settings of a collection (ArangoDB's `keyOptions`). */
export interface KeyOptions {
  readonly type: 'traditional' | 'autoincrement' | 'uuid' | 'padded';
  readonly allowUserKeys: boolean;
  readonly increment?: number;
  readonly offset?: number;
}

/** Parses ArangoDB `keyOptions` from a create-collection request. Throws 1232 on an unknown type. */
export function parseKeyOptions(raw: unknown): KeyOptions {
  if (raw === undefined || raw === null) return { type: 'traditional', allowUserKeys: true };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ArangoError('ERROR_BAD_PARAMETER', 'keyOptions must be an object');
  const r = raw as Record<string, unknown>;
  const type = r['type'] ?? 'traditional';
  if (type !== 'traditional' && type !== 'autoincrement' && type !== 'uuid' && type !== 'padded') {
    throw new ArangoError('ERROR_ARANGO_INVALID_KEY_GENERATOR');
  }
  const allowUserKeys = r['allowUserKeys'] === undefined ? true : r['allowUserKeys'] === true;
  if (type === 'autoincrement') {
    const increment = typeof r['increment'] === 'number' ? r['increment'] : 1;
    const offset = typeof r['offset'] === 'number' ? r['offset'] : 0;
    if (!Number.isInteger(increment) || increment < 1 || increment >= 2 ** 16) {
      throw new ArangoError('ERROR_ARANGO_INVALID_KEY_GENERATOR', 'increment value must be greater than zero');
    }
    if (!Number.isInteger(offset) || offset < 0) throw new ArangoError('ERROR_ARANGO_INVALID_KEY_GENERATOR');
    return { type, allowUserKeys, increment, offset };
  }
  return { type, allowUserKeys };
}

/** Generates a key for a new document; `tick` is the write's unique tick, `counter` the collection's last autoincrement value. */
export function generateKey(options: KeyOptions, tick: number, counter: number): { key: string; counter: number } {
  switch (options.type) {
    case 'traditional':
      return { key: String(tick), counter };
    case 'padded':
      return { key: tick.toString(16).padStart(16, '0'), counter };
    case 'uuid':
      return { key: randomUUID(), counter };
    case 'autoincrement': {
      const inc = options.increment ?? 1;
      const offset = options.offset ?? 0;
      let next = counter + inc;
      if (next < offset) next = offset;
      return { key: String(next), counter: next };
    }
  }
}
