import { ANALYZERS_COLLECTION, AnalyzerStore, type AnalyzerDocuments } from '../../analyzer/index.ts';
import { ArangoError, ERRORS, isArangoError } from '../../errors/index.ts';
import { catalog, isPlainObject, type StorageEngine } from '../../storage/index.ts';
import type { Router } from '../router.ts';

/** `_analyzers` of one database on the lmdb storage (the collection is created on first use). */
function analyzerDocuments(engine: StorageEngine, database: string): AnalyzerDocuments {
  const find = () => engine.findCollection(database, ANALYZERS_COLLECTION);
  return {
    get: (name) => find()?.get(name),
    all: () => find()?.all() ?? [],
    async insert(doc) {
      if (!find()) {
        // two first creations at once: the loser's collection already exists, which is what it wanted
        await catalog.createCollection(engine, database, ANALYZERS_COLLECTION, { isSystem: true }).catch((err: unknown) => {
          if (!(isArangoError(err) && err.errorNum === ERRORS.ERROR_ARANGO_DUPLICATE_NAME.errorNum)) throw err;
        });
      }
      const c = engine.collection(database, ANALYZERS_COLLECTION);
      await engine.write((tx) => c.insert(tx, doc));
    },
    async remove(name) {
      const c = find();
      if (!c || c.getRaw(name) === undefined) return false;
      await engine.write((tx) => c.remove(tx, name));
      return true;
    },
  };
}

/** `/_api/analyzer`: create, list, get and drop Analyzers (ArangoDB 3.12 shapes and errorNums). */
export function registerAnalyzerApi(router: Router, engine: StorageEngine): void {
  const store = new AnalyzerStore((database) => analyzerDocuments(engine, database));

  router.add('GET', '/_api/analyzer', (ctx) => {
    ctx.requireDatabase('ro');
    // as ArangoDB: `_system`'s Analyzers are listed elsewhere too, for callers who may read `_system`
    const includeSystem = ctx.databaseLevel('_system') !== 'none';
    return { status: 200, body: { error: false, code: 200, result: store.list(ctx.database, includeSystem) } };
  });

  router.add('GET', '/_api/analyzer/:name', (ctx) => {
    ctx.requireDatabase('ro');
    const name = ctx.param(0);
    if (name.startsWith('_system::') || name.startsWith('::')) ctx.requireDatabase('ro', '_system');
    return { status: 200, body: { error: false, code: 200, ...store.get(ctx.database, name) } };
  });

  router.add('POST', '/_api/analyzer', async (ctx) => {
    ctx.requireDatabase('rw');
    const body = await ctx.json();
    if (!isPlainObject(body)) throw new ArangoError('ERROR_BAD_PARAMETER', 'expecting a JSON object');
    const { isNew, analyzer } = await store.create(ctx.database, body);
    return { status: isNew ? 201 : 200, body: analyzer };
  });

  router.add('DELETE', '/_api/analyzer/:name', async (ctx) => {
    ctx.requireDatabase('rw');
    const name = await store.drop(ctx.database, ctx.param(0));
    return { status: 200, body: { error: false, code: 200, name } };
  });
}
