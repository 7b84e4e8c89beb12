import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aql, type Database } from 'arangojs';
import { arangoFailure, failure } from '../harness/arango-failure.ts';
import { rawRequest, startServer, tempDir, waitFor, type ServerHandle } from '../harness/server.ts';

describe('AQL through /_api/cursor with arangojs', () => {
  let server: ServerHandle;
  let db: Database;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir });
    db = server.db();
    const people = await db.createCollection('people');
    await people.ensureIndex({ type: 'persistent', fields: ['age'], name: 'byAge' });
    await people.ensureIndex({ type: 'persistent', fields: ['city'], name: 'byCity' });
    await people.import(Array.from({ length: 2500 }, (_, i) => ({ _key: `p${i}`, age: i % 100, city: ['Rome', 'Oslo', 'Lima'][i % 3], tags: i % 2 ? ['a'] : ['b'] })));
    const knows = await db.createEdgeCollection('knows');
    await knows.import([
      { _from: 'people/p1', _to: 'people/p2' },
      { _from: 'people/p2', _to: 'people/p3' },
      { _from: 'people/p3', _to: 'people/p4' },
    ]);
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('pages through a result with batchSize, count and cursor.next()', async () => {
    const cursor = await db.query(aql`FOR p IN people SORT p._key RETURN p._key`, { batchSize: 700, count: true });
    assert.equal(cursor.count, 2500);
    assert.equal(cursor.batches.hasMore, true);
    assert.equal(await cursor.next(), 'p0');
    const rest = await cursor.all();
    assert.equal(rest.length, 2499);
    assert.equal(cursor.hasNext, false);
  });

  it('computes filters, sorts, limits and COLLECT like ArangoDB', async () => {
    const top = await db.query(aql`FOR p IN people FILTER p.age >= 98 SORT p.age DESC, p._key LIMIT 3 RETURN [p._key, p.age]`);
    assert.deepEqual(await top.all(), [['p1099', 99], ['p1199', 99], ['p1299', 99]]);
    const groups = await db.query(aql`FOR p IN people COLLECT city = p.city WITH COUNT INTO n SORT city RETURN {city, n}`);
    assert.deepEqual(await groups.all(), [{ city: 'Lima', n: 833 }, { city: 'Oslo', n: 833 }, { city: 'Rome', n: 834 }]);
    const withStats = await db.query(aql`FOR p IN people FILTER p.city == ${'Oslo'} LIMIT 2, 3 RETURN p._key`, { fullCount: true });
    assert.equal((await withStats.all()).length, 3);
    assert.equal(withStats.extra.stats?.fullCount, 833);
    assert.ok((withStats.extra.stats?.scannedIndex ?? 0) > 0);
  });

  it('uses the persistent and primary indexes, visible through explain', async () => {
    const byCity = await db.explain(aql`FOR p IN people FILTER p.city == "Rome" RETURN p`);
    const node = byCity.plan.nodes.find((n) => n.type === 'IndexNode') as { indexes?: Array<{ name: string }> } | undefined;
    assert.equal(node?.indexes?.[0]?.name, 'byCity');
    const byKey = await db.explain(aql`FOR p IN people FILTER p._key == "p7" RETURN p`);
    assert.equal((byKey.plan.nodes.find((n) => n.type === 'IndexNode') as { indexes?: Array<{ type: string }> } | undefined)?.indexes?.[0]?.type, 'primary');
    const scan = await db.explain(aql`FOR p IN people FILTER p.tags[0] == "a" RETURN p`);
    assert.ok(scan.plan.nodes.some((n) => n.type === 'EnumerateCollectionNode'));
  });

  it('traverses a graph', async () => {
    const cursor = await db.query(aql`FOR v IN 1..3 OUTBOUND "people/p1" knows RETURN v._key`);
    assert.deepEqual(await cursor.all(), ['p2', 'p3', 'p4']);
  });

  it('runs modification queries atomically and reports writesExecuted', async () => {
    const ok = await db.query(aql`FOR i IN 1..5 INSERT {_key: CONCAT("m", i), i} INTO people RETURN NEW._key`);
    assert.deepEqual(await ok.all(), ['m1', 'm2', 'm3', 'm4', 'm5']);
    assert.equal(ok.extra.stats?.writesExecuted, 5);
    const before = (await db.collection('people').count()).count;
    assert.deepEqual(await failure(() => db.query(aql`FOR i IN 1..5 INSERT {_key: i == 4 ? "m1" : CONCAT("x", i)} INTO people`)), [409, 1210]);
    assert.equal((await db.collection('people').count()).count, before, 'no document of the failed query was written');
    assert.equal(await db.collection('people').documentExists('x1'), false);
  });

  it('reports syntax errors with their position and bind parameter errors', async () => {
    const syntax = await arangoFailure(() => db.query('FOR p IN people\nFILTER p.age = 3 RETURN p'));
    assert.deepEqual([syntax.code, syntax.errorNum], [400, 1501]);
    assert.match(syntax.message, /at position 2:/);
    assert.deepEqual(await failure(() => db.query('RETURN @a', {})), [400, 1551]);
    assert.deepEqual(await failure(() => db.query('RETURN 1', { b: 2 })), [400, 1552]);
    assert.deepEqual(await failure(() => db.query('RETURN NO_SUCH_FUNCTION(1)')), [404, 1540]);
    assert.deepEqual(await failure(() => db.query('FOR x IN nosuchcollection RETURN x')), [404, 1203]);
    const warned = await db.query('RETURN 1 / 0');
    assert.deepEqual(await warned.all(), [null]);
    assert.equal(warned.extra.warnings[0]?.code, 1562);
  });

  it('stops a runaway query with maxRuntime and kills a streamed one by id', async () => {
    assert.deepEqual(await failure(() => db.query('FOR i IN 1..1000000000 FILTER i < 0 RETURN i', {}, { maxRuntime: 0.3 })), [410, 1500]);
    const stream = await db.query(aql`FOR p IN people RETURN p`, { stream: true, batchSize: 10 });
    const current = (await db.route('_api/query/current').get()).parsedBody as Array<{ id: string; stream: boolean }>;
    const mine = current.find((q) => q.stream);
    assert.ok(mine, 'the streamed query is listed as running');
    await db.route(`_api/query/${mine.id}`).delete();
    assert.deepEqual(await failure(() => stream.all()), [410, 1500]);
  });

  it('expires an idle cursor after its ttl (1600 afterwards)', async () => {
    const r = await rawRequest(server.endpoint, 'POST', '/_api/cursor', JSON.stringify({ query: 'FOR p IN people RETURN 1', batchSize: 5, ttl: 1, options: { stream: true } }));
    const id = (r.json as { id: string }).id;
    await waitFor(async () => {
      const cur = (await db.route('_api/query/current').get()).parsedBody as Array<{ id: string }>;
      return !cur.some((q) => q.id === id);
    }, { timeoutMs: 10_000, what: 'the idle cursor to expire' });
    const after = await rawRequest(server.endpoint, 'POST', `/_api/cursor/${id}`);
    assert.equal(after.status, 404);
    assert.equal((after.json as { errorNum: number }).errorNum, 1600);
  });

  it('replans a repeated query after its index was dropped or its collection recreated', async () => {
    const plans = await db.createCollection('plans');
    const ix = await plans.ensureIndex({ type: 'persistent', fields: ['v'] });
    await plans.import([{ v: 1 }, { v: 2 }, { v: 1 }]);
    const run = async () => (await db.query(aql`FOR p IN plans FILTER p.v == 1 RETURN p.v`)).all();
    assert.deepEqual(await run(), [1, 1]);
    assert.deepEqual(await run(), [1, 1]);
    await plans.dropIndex(ix.id);
    assert.deepEqual(await run(), [1, 1]);
    await plans.drop();
    await db.createCollection('plans');
    await db.collection('plans').save({ v: 1 });
    assert.deepEqual(await run(), [1]);
  });

  it('checks collection permissions of queries', async () => {
    await db.createUser('qreader', 'pw');
    await db.setUserAccessLevel('qreader', { database: '_system' }, 'ro');
    const ro = server.db('_system', { username: 'qreader', password: 'pw' });
    assert.equal((await (await ro.query(aql`RETURN LENGTH(FOR p IN people RETURN 1)`)).all())[0], (await db.collection('people').count()).count);
    assert.deepEqual(await failure(() => ro.query(aql`INSERT {} INTO people`)), [403, 11]);
    const parsed = (await db.route('_api/query').post({ query: 'FOR p IN people RETURN @x' })).parsedBody as { collections: string[]; bindVars: string[] };
    assert.deepEqual([parsed.collections, parsed.bindVars], [['people'], ['x']]);
  });
});
