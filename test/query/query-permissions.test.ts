// Permissions at run time (every collection a query reaches, however it is named) and queries
// and cursors that belong to the user who started them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';

describe('query permissions and ownership', () => {
  let server: ServerHandle;
  let db: Database;
  let eve: Database;
  let bob: Database;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir });
    db = server.db();
    await db.createCollection('public');
    await db.createCollection('secret');
    await db.createCollection('mine');
    await db.createEdgeCollection('links');
    await db.collection('public').save({ _key: 'p1' });
    await db.collection('secret').save({ _key: 's1', pin: 1234 });
    await db.collection('links').save({ _from: 'public/p1', _to: 'secret/s1' });
    for (const [user, level] of [['eve', 'ro'], ['bob', 'ro']] as const) {
      await db.createUser(user, 'pw');
      await db.setUserAccessLevel(user, { database: '_system' }, level);
      await db.setUserAccessLevel(user, { database: '_system', collection: 'secret' }, 'none');
      await db.setUserAccessLevel(user, { database: '_system', collection: 'mine' }, 'rw');
    }
    eve = server.db('_system', { username: 'eve', password: 'pw' });
    bob = server.db('_system', { username: 'bob', password: 'pw' });
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('allows what the grants allow', async () => {
    assert.deepEqual(await (await eve.query('RETURN DOCUMENT("public/p1")._key')).all(), ['p1']);
    assert.deepEqual(await (await eve.query('FOR e IN links RETURN e._to')).all(), ['secret/s1']);
  });

  const bypasses: Array<[string, string, Record<string, unknown>]> = [
    ['DOCUMENT with a literal id', 'RETURN DOCUMENT("secret/s1")', {}],
    ['DOCUMENT with a computed id', 'RETURN DOCUMENT(CONCAT("sec", "ret/s1"))', {}],
    ['DOCUMENT with a collection bind value', 'RETURN DOCUMENT(@c, "s1")', { c: 'secret' }],
    ['a @@collection bind value', 'FOR s IN @@c RETURN s', { '@c': 'secret' }],
    ['a subquery', 'RETURN (FOR s IN secret RETURN s.pin)', {}],
    ['a traversal reaching its vertices', 'FOR v IN 1..1 OUTBOUND "public/p1" links RETURN v.pin', {}],
    ['a traversal starting at one', 'FOR v, e, p IN 1..1 INBOUND "secret/s1" links RETURN p', {}],
    ['a shortest path', 'FOR v IN OUTBOUND SHORTEST_PATH "public/p1" TO "secret/s1" links RETURN v.pin', {}],
    ['a copy into a writable collection', 'INSERT DOCUMENT("secret/s1") INTO mine', {}],
    // small index lookups run inline on the main thread: the same checks hold there
    ['a primary-index lookup (answered inline)', 'FOR s IN secret FILTER s._key == "s1" RETURN s', {}],
    ['a primary-index lookup over a @@collection bind value (answered inline)', 'FOR s IN @@c FILTER s._key == @k RETURN s.pin', { '@c': 'secret', k: 's1' }],
  ];
  for (const [way, query, bindVars] of bypasses) {
    it(`refuses reading a forbidden collection through ${way} (403, 11)`, async () => {
      assert.deepEqual(await failure(() => eve.query(query, bindVars)), [403, 11]);
    });
  }

  it('needs rw to write (403, 11)', async () => {
    assert.deepEqual(await failure(() => eve.query('INSERT {} INTO public')), [403, 11]);
    assert.deepEqual(await (await eve.query('INSERT {v: 1} INTO mine RETURN NEW.v')).all(), [1]);
    assert.equal((await db.collection('mine').count()).count, 1);
  });

  it('shows, kills and pages a query only for its user (admins see all), with unguessable ids', async () => {
    const started = await eve.query('FOR i IN 1..10 RETURN i', {}, { stream: true, batchSize: 2 });
    const current = async (who: Database) => ((await who.route('_api/query/current').get()).parsedBody as Array<{ id: string; user: string }>);
    const eveSees = await current(eve);
    assert.equal(eveSees.length, 1);
    const qid = eveSees[0]?.id ?? '';
    assert.ok(qid.length >= 12, `id ${qid} is long and random`);
    assert.equal((await current(bob)).length, 0);
    assert.equal((await current(db)).some((q) => q.id === qid && q.user === 'eve'), true);
    assert.deepEqual(await failure(() => bob.route(`_api/query/${qid}`).delete()), [404, 1591]);
    const auth = (u: string) => ({ authorization: `Basic ${Buffer.from(`${u}:pw`).toString('base64')}` });
    const other = await rawRequest(server.endpoint, 'POST', `/_api/cursor/${qid}`, undefined, auth('bob'));
    assert.deepEqual([other.status, (other.json as { errorNum: number }).errorNum], [404, 1600]);
    const del = await rawRequest(server.endpoint, 'DELETE', `/_api/cursor/${qid}`, undefined, auth('bob'));
    assert.equal(del.status, 404);
    assert.deepEqual(await started.all(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('keeps reading collections in later batches of a stream cursor', async () => {
    const cursor = await eve.query('FOR i IN 1..6 RETURN DOCUMENT("public/p1")._key', {}, { stream: true, batchSize: 2 });
    assert.deepEqual(await cursor.all(), ['p1', 'p1', 'p1', 'p1', 'p1', 'p1']);
    assert.deepEqual(await (await eve.query('RETURN DOCUMENT("public/p1")._key')).all(), ['p1']);
  });

  it('answers a full last stream batch with hasMore false', async () => {
    const r = await rawRequest(server.endpoint, 'POST', '/_api/cursor', JSON.stringify({ query: 'FOR i IN 1..4 RETURN i', batchSize: 2, options: { stream: true } }));
    const first = r.json as { id: string; hasMore: boolean; result: number[] };
    assert.deepEqual([first.result, first.hasMore], [[1, 2], true]);
    const next = await rawRequest(server.endpoint, 'PUT', `/_api/cursor/${first.id}`);
    const second = next.json as { hasMore: boolean; result: number[] };
    assert.deepEqual([second.result, second.hasMore], [[3, 4], false]);
  });

  it('explains with profile (stats.rules) and failOnWarning, and sends x-arango-queue-time-seconds', async () => {
    const r = await rawRequest(server.endpoint, 'POST', '/_api/explain', JSON.stringify({ query: 'FOR p IN public FILTER p._key == "p1" RETURN p', options: { profile: 2 } }));
    assert.equal(typeof (r.json as { stats: { rules: unknown } }).stats.rules, 'object');
    assert.match(r.headers.get('x-arango-queue-time-seconds') ?? '', /^\d+\.\d{6}$/);
    const warned = await rawRequest(server.endpoint, 'POST', '/_api/explain', JSON.stringify({ query: 'RETURN 1 / 0' }));
    assert.ok((warned.json as { warnings: unknown[] }).warnings.length > 0);
    const failed = await rawRequest(server.endpoint, 'POST', '/_api/explain', JSON.stringify({ query: 'RETURN 1 / 0', options: { failOnWarning: true } }));
    assert.equal(failed.status, 400);
    assert.match(failed.headers.get('x-arango-queue-time-seconds') ?? '', /^\d+\.\d{6}$/);
  });

  it('reads and sets the query tracking properties and clears the slow log', async () => {
    const props = (await db.route('_api/query/properties').get()).parsedBody as { slowQueryThreshold: number; maxSlowQueries: number };
    assert.equal(props.slowQueryThreshold, 10);
    await db.route('_api/query/properties').put({ slowQueryThreshold: 0.0001, maxSlowQueries: 5 });
    await (await db.query('RETURN SLEEP(0.01)')).all();
    await db.createCollection('tracked_sink');
    await db.query('FOR i IN 1..2 INSERT {i} INTO tracked_sink');
    assert.deepEqual(await failure(() => db.query('FOR i IN 1..1e9 FILTER i < 0 RETURN i', {}, { maxRuntime: 0.2 })), [410, 1500]);
    type Listed = { query: string; modificationQuery: boolean; exitCode: number; state: string; peakMemoryUsage: number };
    const slow = (await db.route('_api/query/slow').get()).parsedBody as Listed[];
    const sleep = slow.find((q) => q.query === 'RETURN SLEEP(0.01)');
    assert.deepEqual([sleep?.modificationQuery, sleep?.exitCode, sleep?.state, typeof sleep?.peakMemoryUsage], [false, 0, 'finished', 'number']);
    const insert = slow.find((q) => q.query.startsWith('FOR i IN 1..2 INSERT'));
    assert.deepEqual([insert?.modificationQuery, insert?.exitCode], [true, 0]);
    const killed = slow.find((q) => q.query.includes('FILTER i < 0'));
    assert.deepEqual([killed?.modificationQuery, killed?.exitCode, killed?.state], [false, 1500, 'killed']);
    await db.route('_api/query/slow').delete();
    assert.deepEqual((await db.route('_api/query/slow').get()).parsedBody, []);
    await db.route('_api/query/properties').put({ slowQueryThreshold: 10 });
  });
});

describe('deeply nested queries', () => {
  let server: ServerHandle;
  const tmp = tempDir();
  before(async () => {
    server = await startServer({ dataDir: tmp.dir });
  });
  after(async () => {
    await server.stop();
    tmp.cleanup();
  });

  for (const [shape, query] of [
    ['parentheses', `RETURN ${'('.repeat(20000)}1${')'.repeat(20000)}`],
    ['arrays', `RETURN ${'['.repeat(20000)}1${']'.repeat(20000)}`],
    ['unary operators', `RETURN ${'- '.repeat(20000)}1`],
    ['NOT chains', `RETURN ${'NOT '.repeat(20000)}true`],
  ] as const) {
    it(`answers ${shape} nested 2·10^4 deep with a query error, not a 500`, async () => {
      const r = await rawRequest(server.endpoint, 'POST', '/_api/cursor', JSON.stringify({ query }));
      const body = r.json as { errorNum: number };
      assert.equal(r.status, 400);
      assert.ok([1501, 1524].includes(body.errorNum), `errorNum ${body.errorNum}`);
      const ok = await rawRequest(server.endpoint, 'POST', '/_api/cursor', JSON.stringify({ query: 'RETURN 1' }));
      assert.equal(ok.status, 201);
    });
  }
});
