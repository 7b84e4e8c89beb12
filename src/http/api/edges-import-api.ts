import { ArangoError } from '../../errors/index.ts';
import { EDGE_COLLECTION, isPlainObject, type Collection, type Document, type StorageEngine, type WriteOptions } from '../../storage/index.ts';
import type { TransactionManager } from '../../transaction/index.ts';
import { decodeUtf8Body, parseJsonBody, parseJsonText } from '../body.ts';
import type { Router } from '../router.ts';
import { transactionId } from './document-api.ts';

/** Where imported documents go: the storage's write transaction or a stream transaction. */
interface ImportTarget {
  exists(key: string): boolean;
  insert(doc: unknown, opts: WriteOptions): void;
}

/** `/_api/edges/{collection}` (edges of a vertex) and `/_api/import` (bulk load). */
export function registerEdgesAndImportApi(router: Router, engine: StorageEngine, transactions: TransactionManager): void {
  router.add('GET', '/_api/edges/:collection', (ctx) => {
    const c = engine.collection(ctx.database, ctx.param(0));
    ctx.requireCollection(c.name, 'ro');
    if (c.definition.type !== EDGE_COLLECTION) throw new ArangoError('ERROR_ARANGO_COLLECTION_TYPE_INVALID');
    const vertex = ctx.query.get('vertex');
    if (!vertex) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', "illegal document identifier in 'vertex'");
    const direction = ctx.query.get('direction') ?? 'any';
    // arangojs sends `direction=undefined` for edges in both directions
    if (!['any', 'in', 'out', 'undefined', ''].includes(direction)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'invalid direction');
    const edges: Document[] = [];
    const seen = new Set<string>();
    const dirs: Array<'out' | 'in'> = direction === 'in' ? ['in'] : direction === 'out' ? ['out'] : ['out', 'in'];
    for (const dir of dirs) {
      for (const key of c.edgeKeys(vertex, dir)) {
        if (seen.has(key)) continue;
        seen.add(key);
        const e = c.get(key);
        if (e) edges.push(e);
      }
    }
    return { status: 200, body: { edges, error: false, code: 200, stats: { scannedIndex: edges.length, filtered: 0 } } };
  });

  router.add('POST', '/_api/import', async (ctx) => {
    const name = ctx.query.get('collection');
    if (!name) throw new ArangoError('ERROR_ARANGO_COLLECTION_PARAMETER_MISSING');
    const c = engine.collection(ctx.database, name);
    ctx.requireCollection(c.name, 'rw');
    // arangojs sends an empty `type=` for headers + values
    const docs = parseImportBody(await ctx.body(), ctx.query.get('type') || null);
    const onDuplicate = ctx.query.get('onDuplicate') ?? (ctx.flag('overwrite', false) ? 'replace' : 'error');
    if (!['error', 'update', 'replace', 'ignore'].includes(onDuplicate)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'invalid onDuplicate');
    const complete = ctx.flag('complete', false);
    const wantDetails = ctx.flag('details', false);
    const fromPrefix = ctx.query.get('fromPrefix');
    const toPrefix = ctx.query.get('toPrefix');
    const o = { onDuplicate, complete, fromPrefix, toPrefix };
    const trxId = transactionId(ctx);
    const stats =
      trxId === undefined
        ? await engine.writeAtomic((tx) => importDocs({ exists: (k) => c.getRaw(k) !== undefined, insert: (d, w) => void c.insert(tx, d, w) }, docs, o))
        : await transactions.as(ctx.principal).within(ctx.database, trxId, (trx) => {
            const tc = trx.writable(c.name);
            return trx.atomically(() => importDocs({ exists: (k) => trx.get(tc, k) !== undefined, insert: (d, w) => void trx.insert(tc, d, w) }, docs, o));
          });
    const body: Record<string, unknown> = { error: false, created: stats.created, errors: stats.errors, empty: stats.empty, updated: stats.updated, ignored: stats.ignored };
    if (wantDetails) body['details'] = stats.details;
    return { status: 201, body };
  });
}

interface ImportStats {
  created: number;
  errors: number;
  empty: number;
  updated: number;
  ignored: number;
  details: string[];
}

function importDocs(
  c: ImportTarget,
  docs: unknown[],
  o: { onDuplicate: string; complete: boolean; fromPrefix: string | null; toPrefix: string | null },
): ImportStats {
  const s: ImportStats = { created: 0, errors: 0, empty: 0, updated: 0, ignored: 0, details: [] };
  const opts: WriteOptions = {
    overwriteMode: o.onDuplicate === 'error' ? 'conflict' : o.onDuplicate === 'ignore' ? 'ignore' : o.onDuplicate === 'update' ? 'update' : 'replace',
  };
  docs.forEach((raw, i) => {
    if (raw === null || (isPlainObject(raw) && Object.keys(raw).length === 0)) {
      s.empty++;
      return;
    }
    try {
      let doc = raw;
      if (isPlainObject(doc) && (o.fromPrefix || o.toPrefix)) doc = withPrefixes(doc, o.fromPrefix, o.toPrefix);
      // only overwrite modes need to know whether the key existed (conflict mode throws instead)
      const existed = o.onDuplicate !== 'error' && isPlainObject(doc) && typeof doc['_key'] === 'string' && c.exists(doc['_key']);
      c.insert(doc, opts);
      if (!existed) s.created++;
      else if (o.onDuplicate === 'ignore') s.ignored++;
      else s.updated++;
    } catch (err) {
      if (o.complete || !(err instanceof ArangoError)) throw err;
      s.errors++;
      s.details.push(`at position ${i}: creating document failed with error '${err.message}', offending document: ${JSON.stringify(raw).slice(0, 256)}`);
    }
  });
  return s;
}

function withPrefixes(doc: Record<string, unknown>, from: string | null, to: string | null): Record<string, unknown> {
  const out = { ...doc };
  if (from && typeof out['_from'] === 'string' && !out['_from'].includes('/')) out['_from'] = `${from}/${out['_from']}`;
  if (to && typeof out['_to'] === 'string' && !out['_to'].includes('/')) out['_to'] = `${to}/${out['_to']}`;
  return out;
}

/**
 * The import body: `type=documents` (JSON lines), `type=list`/`array` (one JSON array),
 * `type=auto` (either), or no type: headers + values (first line the attribute names).
 */
function parseImportBody(buf: Buffer, type: string | null): unknown[] {
  const text = decodeUtf8Body(buf);
  const trimmed = text.trimStart();
  if (type === 'list' || type === 'array' || (type === 'auto' && trimmed.startsWith('[') && isWholeArray(buf))) {
    const v = parseJsonBody(buf);
    if (!Array.isArray(v)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'expecting a JSON array in the body');
    return v;
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const rows = lines.map(parseJsonText);
  if (type === 'documents' || type === 'auto') return rows;
  if (type !== null) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', `invalid value for 'type': ${type}`);
  const [header, ...values] = rows;
  if (!Array.isArray(header) || !header.every((h) => typeof h === 'string')) {
    throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'no JSON array found in first line');
  }
  return values.map((row) => {
    if (!Array.isArray(row) || row.length !== header.length) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'wrong number of JSON values');
    const doc: Record<string, unknown> = {};
    header.forEach((h, i) => {
      if (row[i] !== null) doc[h as string] = row[i];
    });
    return doc;
  });
}

function isWholeArray(buf: Buffer): boolean {
  try {
    return Array.isArray(JSON.parse(buf.toString('utf8')));
  } catch {
    return false;
  }
}
