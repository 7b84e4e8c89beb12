/**
 * Encodes attribute values into lmdb (ordered-binary) keys so that the byte order of index
 * keys follows ArangoDB's type order: null < bool < number < string < array < object.
 * Each value becomes a (tag, value) pair; composite values sort by their JSON text, which
 * is good enough for the rare index over arrays/objects.
 */
export type IndexKeyPart = number | string;

/** Appends the encoding of `value` to `out`. `undefined` (missing attribute) indexes as null. */
export function encodeIndexValue(value: unknown, out: IndexKeyPart[]): void {
  if (value === null || value === undefined) {
    out.push(0, 0);
  } else if (typeof value === 'boolean') {
    out.push(1, value ? 1 : 0);
  } else if (typeof value === 'number') {
    out.push(2, value);
  } else if (typeof value === 'string') {
    out.push(3, value);
  } else if (Array.isArray(value)) {
    out.push(4, JSON.stringify(value));
  } else {
    out.push(5, JSON.stringify(value));
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
