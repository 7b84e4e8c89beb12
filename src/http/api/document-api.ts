import { ArangoError } from '../../errors/index.ts';
import { isPlainObject, type Collection, type Document, type StorageEngine, type WriteContext, type WriteOptions, type WriteResult } from '../../storage/index.ts';
import type { StreamTransaction, TransactionManager } from '../../transaction/index.ts';
import type { HttpReply, RequestContext } from '../context.ts';
import type { Router } from '../router.ts';
import { arrayError, errorCodesHeader, unquote, writeOptions } from './document-params.ts';

type Op = 'replace' | 'update' | 'remove';

/** Document writes, either straight to the storage or into a stream transaction. */
interface DocumentWriter {
  insert(c: Collection, doc: unknown, opts: WriteOptions): WriteResult;
  apply(c: Collection, op: Op, key: string, body: unknown, opts: WriteOptions): WriteResult;
}

/** The stream transaction id a request names (`x-arango-trx-id`), if any. */
export function transactionId(ctx: RequestContext): string | undefined {
  const h = ctx.req.headers['x-arango-trx-id'];
  return typeof h === 'string' && h !== '' ? h : undefined;
}

/** `/_api/document` — single and array CRUD with ArangoDB's options and headers. */
export function registerDocumentApi(router: Router, engine: StorageEngine, transactions: TransactionManager): void {
  const coll = (ctx: RequestContext, need: 'ro' | 'rw'): Collection => {
    const c = engine.collection(ctx.database, ctx.param(0));
    ctx.requireCollection(c.name, need);
    return c;
  };

  /** Runs the writes of one request: in its stream transaction if it names one, else group-committed. */
  const write = <T>(ctx: RequestContext, fn: (w: DocumentWriter) => T): Promise<T> => {
    const id = transactionId(ctx);
    if (id === undefined) return engine.write((tx) => fn(storageWriter(tx)));
    return transactions.as(ctx.principal).within(ctx.database, id, (trx) => fn(transactionWriter(trx)));
  };

  /** A document read, as the request's stream transaction sees it if it names one. */
  const read = async (ctx: RequestContext, c: Collection, key: string): Promise<Buffer | undefined> => {
    const id = transactionId(ctx);
    if (id === undefined) return c.getRaw(key);
    return transactions.as(ctx.principal).within(ctx.database, id, (trx) => {
      const doc = trx.get(trx.readable(c.name), key);
      return doc ? Buffer.from(JSON.stringify(doc)) : undefined;
    });
  };

  router.add('GET', '/_api/document/:collection/:key', async (ctx) => {
    const c = coll(ctx, 'ro');
    return readOne(ctx, c, await read(ctx, c, ctx.param(1)));
  });

  router.add('POST', '/_api/document/:collection', async (ctx) => {
    const c = coll(ctx, 'rw');
    const body = await ctx.json();
    const opts = writeOptions(ctx, c.definition.waitForSync);
    const status = opts.waitForSync ? 201 : 202;
    if (Array.isArray(body)) {
      const counts = new Map<number, number>();
      const results = await write(ctx, (w) =>
        body.map((doc) => {
          try {
            return shape(w.insert(c, doc, opts), opts.silent);
          } catch (err) {
            return arrayError(err, counts);
          }
        }),
      );
      return { status, body: opts.silent ? results.filter((r) => 'error' in r) : results, headers: errorCodesHeader(counts) };
    }
    if (!isPlainObject(body)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
    const result = await write(ctx, (w) => w.insert(c, body, opts));
    return { status, body: opts.silent ? {} : result };
  });

  const single = (op: Op) => async (ctx: RequestContext): Promise<HttpReply> => {
    const c = coll(ctx, 'rw');
    const key = ctx.param(1);
    const opts = writeOptions(ctx, c.definition.waitForSync);
    const body = op === 'remove' ? undefined : await ctx.json();
    if (op !== 'remove' && !isPlainObject(body)) throw new ArangoError('ERROR_ARANGO_DOCUMENT_TYPE_INVALID');
    const result = await write(ctx, (w) => w.apply(c, op, key, body, opts));
    return { status: opts.waitForSync ? (op === 'remove' ? 200 : 201) : 202, body: opts.silent ? {} : result };
  };
  router.add('PUT', '/_api/document/:collection/:key', single('replace'));
  router.add('PATCH', '/_api/document/:collection/:key', single('update'));
  router.add('DELETE', '/_api/document/:collection/:key', single('remove'));

  const multi = (op: Op) => async (ctx: RequestContext): Promise<HttpReply> => {
    if (op === 'replace' && ctx.flag('onlyget', false)) {
      const c = coll(ctx, 'ro');
      const id = transactionId(ctx);
      if (id === undefined) return multiGet(ctx, (key) => c.get(key));
      return transactions.as(ctx.principal).within(ctx.database, id, (trx) => multiGet(ctx, (key) => trx.get(trx.readable(c.name), key)));
    }
    const c = coll(ctx, 'rw');
    const body = await ctx.json();
    if (!Array.isArray(body)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'expecting an array of documents');
    const opts = writeOptions(ctx, c.definition.waitForSync);
    const counts = new Map<number, number>();
    const results = await write(ctx, (w) =>
      body.map((item: unknown) => {
        try {
          const key = keyOf(item);
          return shape(w.apply(c, op, key, item, { ...opts, expectedRev: undefined }), opts.silent);
        } catch (err) {
          return arrayError(err, counts);
        }
      }),
    );
    const status = opts.waitForSync ? (op === 'remove' ? 200 : 201) : 202;
    return { status, body: opts.silent ? results.filter((r) => 'error' in r) : results, headers: errorCodesHeader(counts) };
  };
  router.add('PUT', '/_api/document/:collection', multi('replace'));
  router.add('PATCH', '/_api/document/:collection', multi('update'));
  router.add('DELETE', '/_api/document/:collection', multi('remove'));
}

function storageWriter(tx: WriteContext): DocumentWriter {
  return {
    insert: (c, doc, opts) => c.insert(tx, doc, opts),
    apply(c, op, key, body, opts) {
      if (op === 'replace') return c.replace(tx, key, body, opts);
      if (op === 'update') return c.update(tx, key, body, opts);
      const revFromBody = isPlainObject(body) && opts.ignoreRevs === false ? body['_rev'] : undefined;
      return c.remove(tx, key, opts, revFromBody);
    },
  };
}

function transactionWriter(trx: StreamTransaction): DocumentWriter {
  return {
    insert: (c, doc, opts) => trx.insert(trx.writable(c.name), doc, opts),
    apply(c, op, key, body, opts) {
      const tc = trx.writable(c.name);
      if (op === 'replace') return trx.replace(tc, key, body, opts);
      if (op === 'update') return trx.update(tc, key, body, opts);
      const revFromBody = isPlainObject(body) && opts.ignoreRevs === false ? body['_rev'] : undefined;
      return trx.remove(tc, key, opts, revFromBody);
    },
  };
}

function shape(r: WriteResult, silent: boolean): Record<string, unknown> {
  return silent ? {} : { ...r };
}

/** The key of an array-mode item: a key string or an object with `_key` (or `_id`). */
function keyOf(item: unknown): string {
  if (typeof item === 'string') return item.includes('/') ? item.slice(item.indexOf('/') + 1) : item;
  if (isPlainObject(item)) {
    if (typeof item['_key'] === 'string') return item['_key'];
    if (typeof item['_id'] === 'string') return item['_id'].slice(item['_id'].indexOf('/') + 1);
  }
  throw new ArangoError('ERROR_ARANGO_DOCUMENT_HANDLE_BAD');
}

/** GET/HEAD of one document: raw stored bytes, ETag, If-None-Match (304) and If-Match (412). */
function readOne(ctx: RequestContext, c: Collection, raw: Buffer | undefined): HttpReply {
  const key = ctx.param(1);
  if (!raw) throw new ArangoError('ERROR_ARANGO_DOCUMENT_NOT_FOUND', undefined, { extra: { _id: `${c.name}/${key}`, _key: key } });
  const rev = revisionOf(raw);
  const etag = `"${rev}"`;
  const ifNoneMatch = ctx.req.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string' && unquote(ifNoneMatch) === rev) return { status: 304, headers: { etag } };
  const ifMatch = ctx.req.headers['if-match'];
  if (typeof ifMatch === 'string' && unquote(ifMatch) !== rev) {
    throw new ArangoError('ERROR_ARANGO_CONFLICT', 'conflict, _rev values do not match', {
      httpStatus: 412,
      extra: { _id: `${c.name}/${key}`, _key: key, _rev: rev },
    });
  }
  return { status: 200, raw, headers: { etag } };
}

const REV_MARK = Buffer.from('"_rev":"');

/** The `_rev` of stored JSON bytes (documents are written with `_rev` among the first attributes). */
function revisionOf(raw: Buffer): string {
  const at = raw.indexOf(REV_MARK);
  const start = at + REV_MARK.length;
  return raw.toString('latin1', start, raw.indexOf(34, start));
}

/** PUT /_api/document/{c}?onlyget=true: the documents for a list of keys, errors in place. */
async function multiGet(ctx: RequestContext, get: (key: string) => Document | undefined): Promise<HttpReply> {
  const body = await ctx.json();
  if (!Array.isArray(body)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'expecting an array of keys');
  const counts = new Map<number, number>();
  const out = body.map((item: unknown) => {
    try {
      const key = keyOf(item);
      const doc = get(key);
      if (!doc) throw new ArangoError('ERROR_ARANGO_DOCUMENT_NOT_FOUND', undefined, { extra: { _key: key } });
      return doc;
    } catch (err) {
      return arrayError(err, counts);
    }
  });
  return { status: 200, body: out, headers: errorCodesHeader(counts) };
}
