import { ArangoError } from '../../errors/index.ts';
import { catalog, isPlainObject, type Collection, type IndexDefinition, type StorageEngine } from '../../storage/index.ts';
import type { RequestContext } from '../context.ts';
import type { Router } from '../router.ts';

/** An index as ArangoDB describes it (`id` is `collection/indexId`). */
export function describeIndex(c: Collection, ix: IndexDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: `${c.name}/${ix.id}`,
    type: ix.type,
    name: ix.name,
    fields: ix.fields,
    unique: ix.unique,
    sparse: ix.sparse,
    selectivityEstimate: 1,
    ...ix.options,
  };
  if (ix.type === 'persistent') {
    out['deduplicate'] = true;
    out['estimates'] = true;
    out['cacheEnabled'] = false;
  }
  return out;
}

/** `/_api/index` — list, get, create persistent, drop. */
export function registerIndexApi(router: Router, engine: StorageEngine): void {
  const collectionFromQuery = (ctx: RequestContext): Collection => {
    const name = ctx.query.get('collection');
    if (!name) throw new ArangoError('ERROR_ARANGO_COLLECTION_PARAMETER_MISSING');
    return engine.collection(ctx.database, name);
  };

  router.add('GET', '/_api/index', (ctx) => {
    const c = collectionFromQuery(ctx);
    ctx.requireCollection(c.name, 'ro');
    const indexes = c.definition.indexes.map((ix) => describeIndex(c, ix));
    const identifiers = Object.fromEntries(indexes.map((ix) => [ix['id'], ix]));
    return { status: 200, body: { error: false, code: 200, indexes, identifiers } };
  });

  router.add('GET', '/_api/index/:collection/:id', (ctx) => {
    const c = engine.collection(ctx.database, ctx.param(0));
    ctx.requireCollection(c.name, 'ro');
    const id = ctx.param(1);
    const ix = c.definition.indexes.find((i) => i.id === id || i.name === id);
    if (!ix) throw new ArangoError('ERROR_ARANGO_INDEX_NOT_FOUND');
    return { status: 200, body: { error: false, code: 200, ...describeIndex(c, ix) } };
  });

  router.add('POST', '/_api/index', async (ctx) => {
    const c = collectionFromQuery(ctx);
    ctx.requireDatabase('rw');
    ctx.requireCollection(c.name, 'rw');
    const body = await ctx.json();
    if (!isPlainObject(body) || typeof body['type'] !== 'string') throw new ArangoError('ERROR_HTTP_BAD_PARAMETER', 'expecting an index definition with a type');
    const { index, isNewlyCreated } = await catalog.createIndex(engine, ctx.database, c.name, {
      type: body['type'],
      fields: body['fields'],
      unique: body['unique'],
      sparse: body['sparse'],
      name: body['name'],
      body,
    });
    const status = isNewlyCreated ? 201 : 200;
    return { status, body: { error: false, code: status, isNewlyCreated, ...describeIndex(c, index) } };
  });

  router.add('DELETE', '/_api/index/:collection/:id', async (ctx) => {
    const c = engine.collection(ctx.database, ctx.param(0));
    ctx.requireDatabase('rw');
    ctx.requireCollection(c.name, 'rw');
    const id = ctx.param(1);
    await catalog.dropIndex(engine, ctx.database, c.name, id);
    return { status: 200, body: { error: false, code: 200, id: `${c.name}/${id}` } };
  });
}
