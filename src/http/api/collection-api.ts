import { ArangoError } from '../../errors/index.ts';
import { catalog, encodeRevision, isPlainObject, type Collection, type StorageEngine } from '../../storage/index.ts';
import type { TransactionManager } from '../../transaction/index.ts';
import type { HttpReply, RequestContext } from '../context.ts';
import type { Router } from '../router.ts';
import { transactionId } from './document-api.ts';

/** The short description ArangoDB returns for a collection. */
export function describeCollection(c: Collection): Record<string, unknown> {
  const d = c.definition;
  return { id: d.id, name: d.name, status: 3, type: d.type, isSystem: d.isSystem, globallyUniqueId: `h${d.id}/${d.name}` };
}

/** The properties view (short description + settings). */
export function collectionProperties(c: Collection): Record<string, unknown> {
  const d = c.definition;
  const keyOptions: Record<string, unknown> = { type: d.keyOptions.type, allowUserKeys: d.keyOptions.allowUserKeys, lastValue: d.counter };
  if (d.keyOptions.type === 'autoincrement') {
    keyOptions['increment'] = d.keyOptions.increment ?? 1;
    keyOptions['offset'] = d.keyOptions.offset ?? 0;
  }
  return {
    ...describeCollection(c),
    waitForSync: d.waitForSync,
    keyOptions,
    schema: d.schema ?? null,
    computedValues: null,
    cacheEnabled: false,
    syncByRevision: true,
    usesRevisionsAsDocumentIds: true,
    writeConcern: 1,
    replicationFactor: 1,
    numberOfShards: 1,
    shardKeys: ['_key'],
    internalValidatorType: 0,
  };
}

const ok = (body: Record<string, unknown>, status = 200): HttpReply => ({ status, body: { error: false, code: status, ...body } });

/** `/_api/collection` — create, list, inspect, change, rename, truncate, drop. */
export function registerCollectionApi(router: Router, engine: StorageEngine, transactions?: TransactionManager): void {
  const get = (ctx: RequestContext, need: 'ro' | 'rw'): Collection => {
    const c = engine.collection(ctx.database, ctx.param(0));
    ctx.requireCollection(c.name, need);
    return c;
  };

  router.add('GET', '/_api/collection', (ctx) => {
    const exclude = ctx.flag('excludeSystem', false);
    const result = engine
      .collections(ctx.database)
      .filter((c) => !(exclude && c.definition.isSystem))
      .map(describeCollection);
    return ok({ result });
  });

  router.add('POST', '/_api/collection', async (ctx) => {
    ctx.requireDatabase('rw');
    const body = await ctx.json();
    if (!isPlainObject(body)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'expecting a JSON object');
    const name = body['name'];
    if (typeof name !== 'string') throw new ArangoError('ERROR_ARANGO_ILLEGAL_NAME', 'name must be a string');
    const type = body['type'] === undefined ? 2 : body['type'];
    if (type !== 2 && type !== 3) throw new ArangoError('ERROR_ARANGO_COLLECTION_TYPE_INVALID');
    const c = await catalog.createCollection(engine, ctx.database, name, {
      type,
      keyOptions: body['keyOptions'],
      waitForSync: body['waitForSync'] === true,
      schema: body['schema'],
    });
    return ok(collectionProperties(c));
  });

  router.add('GET', '/_api/collection/:name', (ctx) => ok(describeCollection(get(ctx, 'ro'))));
  router.add('GET', '/_api/collection/:name/properties', (ctx) => ok(collectionProperties(get(ctx, 'ro'))));
  router.add('GET', '/_api/collection/:name/count', async (ctx) => {
    const c = get(ctx, 'ro');
    const trxId = transactionId(ctx);
    // inside a stream transaction the count is the transaction's view (snapshot + own writes)
    if (trxId !== undefined && transactions) {
      const n = await transactions.as(ctx.principal).within(ctx.database, trxId, (trx) => trx.count(trx.readable(c.name)));
      return ok({ ...collectionProperties(c), count: n });
    }
    return ok({ ...collectionProperties(c), count: c.count() });
  });
  router.add('GET', '/_api/collection/:name/figures', (ctx) => {
    const c = get(ctx, 'ro');
    const indexes = c.definition.indexes.length;
    return ok({ ...collectionProperties(c), count: c.count(), figures: { indexes: { count: indexes, size: 0 }, documentsSize: 0, cacheInUse: false, cacheSize: 0, cacheUsage: 0 } });
  });
  router.add('GET', '/_api/collection/:name/revision', (ctx) => {
    const c = get(ctx, 'ro');
    return ok({ ...collectionProperties(c), revision: lastRevision(c) });
  });
  router.add('GET', '/_api/collection/:name/checksum', (ctx) => {
    const c = get(ctx, 'ro');
    let checksum = 0;
    for (const d of c.all()) for (const ch of d._key + d._rev) checksum = (checksum * 31 + ch.charCodeAt(0)) >>> 0;
    return ok({ ...describeCollection(c), checksum: String(checksum), revision: lastRevision(c) });
  });

  router.add('PUT', '/_api/collection/:name/properties', async (ctx) => {
    ctx.requireDatabase('rw');
    const c = get(ctx, 'rw');
    const body = await ctx.json();
    if (!isPlainObject(body)) throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'expecting a JSON object');
    const props: { waitForSync?: unknown; schema?: unknown } = { waitForSync: body['waitForSync'] };
    if ('schema' in body) props.schema = body['schema'];
    return ok(collectionProperties(await catalog.changeCollectionProperties(engine, ctx.database, c.name, props)));
  });

  router.add('PUT', '/_api/collection/:name/rename', async (ctx) => {
    ctx.requireDatabase('rw');
    const c = get(ctx, 'rw');
    const body = await ctx.json();
    const newName = isPlainObject(body) ? body['name'] : undefined;
    if (typeof newName !== 'string') throw new ArangoError('ERROR_ARANGO_ILLEGAL_NAME', 'name must be a string');
    return ok(describeCollection(await catalog.renameCollection(engine, ctx.database, c.name, newName)));
  });

  router.add('PUT', '/_api/collection/:name/truncate', async (ctx) => {
    const c = get(ctx, 'rw');
    return ok(describeCollection(await catalog.truncateCollection(engine, ctx.database, c.name)));
  });

  for (const noop of ['load', 'unload', 'loadIndexesIntoMemory', 'recalculateCount', 'compact', 'responsibleShard']) {
    router.add('PUT', `/_api/collection/:name/${noop}`, (ctx) => {
      const c = get(ctx, 'ro');
      return ok({ ...describeCollection(c), count: c.count(), result: true });
    });
  }

  router.add('DELETE', '/_api/collection/:name', async (ctx) => {
    ctx.requireDatabase('rw');
    const c = get(ctx, 'rw');
    const id = await catalog.dropCollection(engine, ctx.database, c.name, ctx.flag('isSystem', false));
    return ok({ id });
  });
}

/** The collection's newest revision (the highest `_rev` of its documents; a full scan). */
function lastRevision(c: Collection): string {
  let best = '0';
  for (const d of c.all()) if (d._rev.length > best.length || (d._rev.length === best.length && d._rev > best)) best = d._rev;
  return best === '0' ? encodeRevision(0) : best;
}
