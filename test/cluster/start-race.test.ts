import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson, startCluster, type TestCluster } from '../harness/cluster.ts';
import { rawRequest, waitFor } from '../harness/server.ts';

describe('active failover: start race, roles, follower gate', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ servers: 2 });
  });
  after(async () => {
    await c?.stop();
  });

  it('the first started server leads; every member reports the same endpoints, leader first', async () => {
    assert.equal(await c.waitForLeader(), 0);
    const [a, b] = c.endpoints as [string, string];
    await waitFor(async () => {
      const eps = await Promise.all(c.endpoints.map((e) => getJson(`${e}/_api/cluster/endpoints`)));
      return eps.every((x) => JSON.stringify(x) === JSON.stringify({ error: false, code: 200, endpoints: [{ endpoint: a.replace('http', 'tcp') }, { endpoint: b.replace('http', 'tcp') }] }));
    }, { timeoutMs: 10_000, what: 'both members to list both endpoints' });
    for (const e of c.endpoints) {
      assert.deepEqual(await getJson(`${e}/_admin/server/role`), { error: false, code: 200, role: 'SINGLE', mode: 'resilient' });
    }
    assert.deepEqual(await getJson(`${a}/_admin/server/mode`), { error: false, code: 200, mode: 'default' });
    assert.deepEqual(await getJson(`${b}/_admin/server/mode`), { error: false, code: 200, mode: 'readonly' });
    assert.equal((await fetch(`${b}/_admin/server/availability`)).status, 503);
  });

  it('a follower answers reads and writes with 503, errorNum 1496 and the leader endpoint', async () => {
    const [a, b] = c.endpoints as [string, string];
    for (const [method, path] of [['GET', '/_api/collection'], ['POST', '/_api/collection'], ['GET', '/_db/nosuchdb/_api/document/x/y']] as const) {
      const r = await rawRequest(b, method, path, method === 'POST' ? '{"name":"x"}' : undefined);
      assert.equal(r.status, 503, `${method} ${path}`);
      assert.deepEqual(r.json, { code: 503, error: true, errorMessage: 'not a leader', errorNum: 1496 });
      assert.equal(r.headers.get('x-arango-endpoint'), a);
    }
    // unauthenticated callers get the redirect too (the gate runs before authentication)
    const anon = await fetch(`${b}/_api/collection`);
    assert.equal(anon.status, 503);
  });

  it('dirty reads are served and marked, dirty writes refused, auth enforced', async () => {
    const [a, b] = c.endpoints as [string, string];
    const db = c.client();
    const col = await db.createCollection('dirty');
    await col.save({ _key: 'k1', v: 1 });
    await waitFor(async () => (await rawRequest(b, 'GET', '/_api/document/dirty/k1', undefined, { 'x-arango-allow-dirty-read': 'true' })).status === 200, {
      timeoutMs: 10_000,
      what: 'the document on the follower',
    });
    const read = await rawRequest(b, 'GET', '/_api/document/dirty/k1', undefined, { 'x-arango-allow-dirty-read': 'true' });
    assert.equal(read.headers.get('x-arango-potential-dirty-read'), 'true');
    assert.equal((read.json as { v: number }).v, 1);
    const write = await rawRequest(b, 'POST', '/_api/document/dirty', '{"v":2}', { 'x-arango-allow-dirty-read': 'true' });
    assert.equal(write.status, 403);
    assert.equal((write.json as { errorNum: number }).errorNum, 1004);
    // AQL reads are served dirty too; modification queries are refused like any write
    const q = await rawRequest(b, 'POST', '/_api/cursor', JSON.stringify({ query: 'FOR d IN dirty RETURN d.v' }), { 'x-arango-allow-dirty-read': 'true' });
    assert.equal(q.status, 201);
    assert.deepEqual((q.json as { result: number[] }).result, [1]);
    assert.equal(q.headers.get('x-arango-potential-dirty-read'), 'true');
    const qw = await rawRequest(b, 'POST', '/_api/cursor', JSON.stringify({ query: 'INSERT {v: 3} INTO dirty' }), { 'x-arango-allow-dirty-read': 'true' });
    assert.deepEqual([qw.status, (qw.json as { errorNum: number }).errorNum], [403, 1004]);
    const qn = await rawRequest(b, 'POST', '/_api/cursor', JSON.stringify({ query: 'FOR d IN dirty RETURN d.v' }));
    assert.deepEqual([qn.status, (qn.json as { errorNum: number }).errorNum], [503, 1496]);
    const bad = await rawRequest(b, 'GET', '/_api/document/dirty/k1', undefined, {
      'x-arango-allow-dirty-read': 'true',
      authorization: `Basic ${Buffer.from('root:wrong').toString('base64')}`,
    });
    assert.equal(bad.status, 401);
    // replication needs the deployment superuser token, not a user
    assert.equal((await rawRequest(a, 'GET', '/_api/wal/tail?global=true&from=0')).status, 403);
    const ok = await fetch(`${a}/_api/replication/logger-state`, { headers: { authorization: c.superuser() } });
    assert.equal(ok.status, 200);
    // arangojs with both endpoints follows the leader
    const viaB = new (await import('arangojs')).Database({ url: [b, a], auth: { username: 'root', password: '' } });
    const doc = await viaB.collection('dirty').document('k1');
    assert.equal(doc.v, 1);
  });
});
