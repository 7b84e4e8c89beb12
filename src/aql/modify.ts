import { ArangoError, isArangoError } from '../errors/index.ts';
import type { AqlDocument, DataSource, IndexDescription, WriteOptions, WriteResult } from './data-source.ts';
import type { ExecContext } from './exec-context.ts';
import type { Compiled } from './compile-expr.ts';
import type { ModifyOptions, PlanNode, RExpr } from './plan-types.ts';
import { isObject, toBool, valuesEqual } from './values.ts';
import { splitId } from './functions/document-functions.ts';
import { readPath } from './memory-data-source.ts';

type ModNode = Extract<PlanNode, { type: 'InsertNode' | 'UpdateNode' | 'ReplaceNode' | 'RemoveNode' | 'UpsertNode' }>;

/** The key (and revision) a modification addresses, from a key string, an id or a document. */
function target(collection: string, v: unknown): { key: string; rev: string | undefined } {
  if (typeof v === 'string') {
    const p = splitId(v);
    if (p !== undefined && p.collection === collection) return { key: p.key, rev: undefined };
    return { key: v, rev: undefined };
  }
  if (isObject(v)) {
    const k = v['_key'];
    if (typeof k === 'string') return { key: k, rev: typeof v['_rev'] === 'string' ? v['_rev'] : undefined };
    const id = v['_id'];
    if (typeof id === 'string') {
      const p = splitId(id);
      if (p !== undefined) return { key: p.key, rev: typeof v['_rev'] === 'string' ? v['_rev'] : undefined };
    }
    throw new ArangoError('ERROR_ARANGO_DOCUMENT_KEY_MISSING');
  }
  throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
}

function writeOptions(o: ModifyOptions, rev: string | undefined): WriteOptions {
  return {
    keepNull: o.keepNull, mergeObjects: o.mergeObjects, ignoreRevs: o.ignoreRevs, expectedRev: rev, waitForSync: o.waitForSync,
    ...(o.overwriteMode === undefined ? {} : { overwriteMode: o.overwriteMode }),
  };
}

function asObject(v: unknown): Record<string, unknown> {
  if (!isObject(v)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
  return v;
}

/** Finds the first document matching every attribute of an UPSERT search object (hinted indexes first). */
function findMatch(ds: DataSource, ctx: ExecContext, collection: string, search: Record<string, unknown>, opts: ModifyOptions): AqlDocument | undefined {
  const keys = Object.keys(search);
  const matches = (d: AqlDocument): boolean => keys.every((k) => valuesEqual(d[k], search[k]));
  const key = search['_key'];
  if (typeof key === 'string') {
    const d = ds.document(collection, key);
    return d !== undefined && matches(d) ? d : undefined;
  }
  const usable = (i: IndexDescription): boolean => i.type === 'persistent' && i.fields.every((f) => !f.includes('.') && keys.includes(f))
    && (!i.sparse || i.fields.every((f) => search[f] !== null));
  const indexes = ds.collection(collection)?.indexes ?? [];
  let idx: IndexDescription | undefined;
  for (const name of opts.indexHint) {
    idx = indexes.find((i) => i.name === name && usable(i));
    if (idx !== undefined) break;
  }
  if (idx === undefined && opts.forceIndexHint && opts.indexHint.length > 0) {
    throw new ArangoError('ERROR_QUERY_FORCED_INDEX_HINT_UNUSABLE',
      `could not use index hint to serve query; ${JSON.stringify({ forced: true, type: 'simple', hint: opts.indexHint })}`);
  }
  idx ??= indexes.find(usable);
  const source = idx === undefined
    ? ds.scan(collection)
    : ds.indexScan(collection, idx.id, { equal: idx.fields.map((f) => readPath(search, f)), reverse: false });
  for (const d of source) {
    if (idx === undefined) ctx.stats.scannedFull++; else ctx.stats.scannedIndex++;
    if (matches(d)) return d;
  }
  return undefined;
}

/** Builds the per-row write function of a modification node; returns false when the row was ignored. */
export function compileModification(node: ModNode, ctx: ExecContext, compile: (e: RExpr) => Compiled): (f: unknown[]) => boolean {
  const ds = ctx.dataSource;
  const coll = node.collection;
  const opts = node.options;
  const newId = node.outNew?.id;
  const oldId = node.outOld?.id;
  const store = (f: unknown[], r: WriteResult): void => {
    if (newId !== undefined) f[newId] = r.new;
    if (oldId !== undefined) f[oldId] = r.old;
  };
  let write: (f: unknown[]) => WriteResult;
  if (node.type === 'UpsertNode') {
    const search = compile(node.search);
    const insert = compile(node.insert);
    const update = compile(node.update);
    const oldTmp = node.oldTmp.id;
    const current = node.current?.id;
    write = (f) => {
      let found: AqlDocument | undefined;
      if (current !== undefined) {
        // UPSERT FILTER: the first document the condition accepts
        for (const d of ds.scan(coll)) {
          ctx.stats.scannedFull++;
          f[current] = d;
          if (toBool(search(f))) { found = d; break; }
        }
      } else found = findMatch(ds, ctx, coll, asObject(search(f)), opts);
      if (found === undefined) return ds.insert(coll, asObject(insert(f)), writeOptions(opts, undefined));
      f[oldTmp] = found;
      const patch = asObject(update(f));
      return node.replace ? ds.replace(coll, found._key, patch, writeOptions(opts, undefined)) : ds.update(coll, found._key, patch, writeOptions(opts, undefined));
    };
  } else {
    const doc = node.doc === undefined ? undefined : compile(node.doc);
    const key = node.key === undefined ? undefined : compile(node.key);
    switch (node.type) {
      case 'InsertNode': {
        const d = doc as Compiled;
        write = (f) => ds.insert(coll, asObject(d(f)), writeOptions(opts, undefined));
        break;
      }
      case 'RemoveNode': {
        const k = key as Compiled;
        write = (f) => { const t = target(coll, k(f)); return ds.remove(coll, t.key, writeOptions(opts, t.rev)); };
        break;
      }
      default: {
        const d = doc as Compiled;
        const replace = node.type === 'ReplaceNode';
        write = (f) => {
          const body = asObject(d(f));
          const t = target(coll, key === undefined ? body : key(f));
          const rev = t.rev ?? (typeof body['_rev'] === 'string' ? body['_rev'] : undefined);
          return replace ? ds.replace(coll, t.key, body, writeOptions(opts, rev)) : ds.update(coll, t.key, body, writeOptions(opts, rev));
        };
      }
    }
  }
  return (f) => {
    let r: WriteResult;
    try {
      r = write(f);
    } catch (err) {
      if (opts.ignoreErrors && isArangoError(err) && err.errorNum >= 1000 && err.errorNum < 1500) {
        ctx.stats.writesIgnored++;
        return false;
      }
      throw err;
    }
    ctx.stats.writesExecuted++;
    store(f, r);
    return true;
  };
}
