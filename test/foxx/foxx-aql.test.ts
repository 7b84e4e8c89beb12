import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rawRequest, startServer, tempDir, type ServerHandle } from '../harness/server.ts';
import { fixtureZip } from './foxx-helpers.ts';

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
});
