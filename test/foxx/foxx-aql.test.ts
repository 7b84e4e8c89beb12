import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';
import { fixtureZip } from './foxx-helpers.ts';
import { craftZip } from './zip-craft.ts';

describe('AQL from Foxx services (db._query, query tag)', () => {
  const tmp = tempDir('kitsune-foxx-aql-');
  let server: ServerHandle;
  before(async () => {
    server = await startServer({ dataDir: path.join(tmp.dir, 'data') });
    await server.db().installService('/reports', (await fixtureZip('reports')).blob);
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('writes and reads through synchronous queries with cursors', async () => {
    const body = JSON.stringify([
      { customer: 'ann', amount: 10 },
      { customer: 'bob', amount: 5 },
      { customer: 'ann', amount: 7 },
    ]);
    const created = await rawRequest(server.endpoint, 'POST', '/reports/orders', body, { 'content-type': 'application/json' });
    assert.equal(created.status, 201);
    assert.equal((created.json as string[]).length, 3);
    const totals = await rawRequest(server.endpoint, 'GET', '/reports/totals');
    assert.deepEqual(totals.json, { count: 2, rows: [{ customer: 'ann', total: 17 }, { customer: 'bob', total: 5 }] });
    const top = await rawRequest(server.endpoint, 'GET', '/reports/top?n=2');
    assert.deepEqual(top.json, [10, 7]);
    const count = await server.db().collection('reports_orders').count();
    assert.equal(count.count, 3, 'the service wrote to its prefixed collection');
  });

  it('turns a query error into an ArangoDB error response with its errorNum', async () => {
    const r = await rawRequest(server.endpoint, 'GET', '/reports/broken');
    assert.equal(r.status, 400);
    assert.equal((r.json as { errorNum: number }).errorNum, 1501);
  });

  it("runs a service's heavy query in the query workers: the server keeps answering and the query can be killed", { timeout: 60_000 }, async () => {
    const db = server.db();
    const index = `const router = require('@arangodb/foxx/router')();
module.context.use(router);
const { db } = require('@arangodb');
router.get('/spin', (req, res) => {
  try {
    res.json(db._query('FOR i IN 1..100000000000 FILTER i < 0 RETURN i').toArray());
  } catch (e) {
    res.status(500);
    res.json({ errorNum: e.errorNum });
  }
});`;
    const zip = craftZip([
      { name: 'manifest.json', data: Buffer.from(JSON.stringify({ main: 'index.js', engines: { arangodb: '^3.0.0' } })) },
      { name: 'index.js', data: Buffer.from(index) },
    ]);
    await db.installService('/spinner', new Blob([zip], { type: 'application/zip' }));
    const spin = rawRequest(server.endpoint, 'GET', '/spinner/spin');
    const deadline = Date.now() + 30_000;
    let running: Array<{ id: string; query: string }> = [];
    while (!(running = (await db.listRunningQueries()) as typeof running).some((q) => q.query.includes('100000000000'))) {
      assert.ok(Date.now() < deadline, "the service's query never showed in /_api/query/current");
      await new Promise((r) => setTimeout(r, 20));
    }
    // the main thread is free while the query runs
    const t0 = performance.now();
    assert.equal((await db.version()).server, 'arango');
    assert.ok(performance.now() - t0 < 1000, `version took ${(performance.now() - t0).toFixed(0)} ms while a service query ran`);
    const id = running.find((q) => q.query.includes('100000000000'))?.id ?? '';
    await db.killQuery(id);
    const r = await spin;
    assert.equal(r.status, 500);
    assert.equal((r.json as { errorNum: number }).errorNum, 1500, 'the killed query fails in the service with ERROR_QUERY_KILLED');
  });
});
