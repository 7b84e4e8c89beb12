import { compareValues, type IndexScanRange } from '../../aql/index.ts';
import { readPath, type Collection, type Document } from '../../storage/index.ts';
import { indexScanBounds } from '../lmdb-data-source.ts';

/** True when a document's values of an index's fields fall inside a scan range. */
export function inIndexRange(doc: Document, fields: readonly string[], range: IndexScanRange, sparse: boolean): boolean {
  const values = fields.map((f) => readPath(doc, f) ?? null);
  if (sparse && values.some((v) => v === null)) return false;
  for (let i = 0; i < range.equal.length; i++) if (compareValues(values[i], range.equal[i]) !== 0) return false;
  const next = values[range.equal.length];
  if (range.lower) {
    const r = compareValues(next, range.lower.value);
    if (r < 0 || (r === 0 && !range.lower.inclusive)) return false;
  }
  if (range.upper) {
    const r = compareValues(next, range.upper.value);
    if (r > 0 || (r === 0 && !range.upper.inclusive)) return false;
  }
  return true;
}

/**
 * A persistent-index scan over the current read snapshot with a query's own writes on top
 * (`own`: new version per key, null = removed), in index order.
 */
export function overlayIndexScan(c: Collection, indexId: string, range: IndexScanRange, own: ReadonlyMap<string, Document | null>): Generator<Document> {
  const id = indexId.includes('/') ? indexId.slice(indexId.indexOf('/') + 1) : indexId;
  const fromSnapshot = function* (): Generator<Document> {
    for (const key of c.indexScan(id, indexScanBounds(range))) {
      if (own.has(key)) continue;
      const doc = c.get(key);
      if (doc) yield doc;
    }
  };
  return mergeInIndexOrder(c, id, range, fromSnapshot(), own);
}

/**
 * Merges the matching documents of `own` (a writer's new versions, null = removed) into a
 * snapshot's index scan that already skips every key in `own`, in the index's order.
 */
export function* mergeInIndexOrder(
  c: Collection,
  id: string,
  range: IndexScanRange,
  fromSnapshot: Iterable<Document>,
  own: ReadonlyMap<string, Document | null>,
): Generator<Document> {
  const ix = c.definition.indexes.find((i) => i.id === id);
  const fields = ix?.fields ?? [];
  const all = [...fromSnapshot];
  for (const d of own.values()) if (d !== null && inIndexRange(d, fields, range, ix?.sparse ?? false)) all.push(d);
  const cmp = (a: Document, b: Document): number => {
    for (const f of fields) {
      const r = compareValues(readPath(a, f) ?? null, readPath(b, f) ?? null);
      if (r !== 0) return r;
    }
    return a._key < b._key ? -1 : a._key > b._key ? 1 : 0;
  };
  all.sort(range.reverse ? (a, b) => cmp(b, a) : cmp);
  yield* all;
}
