import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Database, aql } from 'arangojs';
import { getJson } from '../harness/cluster.ts';
import { rawRequest, waitFor } from '../harness/server.ts';
import { startShardedCluster, type ShardedCluster } from '../harness/sharded-cluster.ts';

/** The errorNum / status of a rejected arangojs call. */
async function rejection(p: Promise<unknown>): Promise<{ errorNum: unknown; code: unknown }> {
  try {
    await p;
  } catch (err) {
    const e = err as { errorNum?: unknown; code?: unknown };
    return { errorNum: e.errorNum, code: e.code };
  }
  assert.fail('expected the call to fail');
}

describe('cluster mode: coordinators in front of DB-servers (real etcd and processes)', () => {
  let c: ShardedCluster;
  before(async () => {
    c = await startShardedCluster({ dbServers: 2, coordinators: 2 });
  });
  after(async (t) => {
    if ((t as unknown as { error?: unknown }).error) process.stderr.write(c.logs());
    await c.stop();
  });

  it('reports roles, ids, endpoints, health and the number of servers', async () => {
    const [a, b] = c.coordinators;
    assert.ok(a && b);
    const role = (await getJson(`${a.endpoint}/_admin/server/role`)) as { role: string };
    assert.equal(role.role, 'COORDINATOR');
    const dbRole = (await getJson(`${c.dbServers[0]?.endpoint}/_admin/server/role`)) as { role: string };
    assert.equal(dbRole.role, 'PRIMARY');
    const id = (await getJson(`${a.endpoint}/_admin/server/id`)) as { id: string };
    assert.match(id.id, /^CRDN-/);
    const eps = (await getJson(`${b.endpoint}/_api/cluster/endpoints`)) as { endpoints: Array<{ endpoint: string }> };
    assert.deepEqual(eps.endpoints.map((e) => e.endpoint).sort(), c.coordinators.map((h) => h.endpoint.replace('http://', 'tcp://')).sort());
    const health = (await getJson(`${a.endpoint}/_admin/cluster/health`)) as { ClusterId: string; Health: Record<string, { Role: string; Status: string; Endpoint: string }> };
    const roles = Object.values(health.Health).map((h) => h.Role).sort();
    assert.deepEqual(roles, ['Coordinator', 'Coordinator', 'DBServer', 'DBServer']);
    assert.ok(Object.values(health.Health).every((h) => h.Status === 'GOOD'));
    const n = (await getJson(`${a.endpoint}/_admin/cluster/numberOfServers`)) as { numberOfCoordinators: number; numberOfDBServers: number };
    assert.deepEqual([n.numberOfCoordinators, n.numberOfDBServers], [2, 2]);
    const status = (await getJson(`${a.endpoint}/_admin/status`)) as { serverInfo: { role: string }; coordinator: unknown };
    assert.equal(status.serverInfo.role, 'COORDINATOR');
    // coordinators serve Foxx themselves (test/cluster/foxx-cluster.test.ts)
    const foxx = await rawRequest(a.endpoint, 'GET', '/_api/foxx');
    assert.equal(foxx.status, 200);
    assert.deepEqual(foxx.json, []);
    // the cluster APIs need credentials like every other API
    assert.equal((await rawRequest(a.endpoint, 'GET', '/_admin/cluster/health', undefined, { authorization: 'Basic ' + Buffer.from('root:wrong').toString('base64') })).status, 401);
  });

  it('places databases on the DB-servers with the fewest and routes every request to the leader (round robin)', async () => {
    const sys = c.client();
    await sys.createDatabase('shop', { replicationFactor: 1 });
    await sys.createDatabase('blog', { replicationFactor: 1 });
    assert.deepEqual((await sys.listDatabases()).sort(), ['_system', 'blog', 'shop']);
    await assert.rejects(sys.createDatabase('shop'), (e: { errorNum?: number }) => e.errorNum === 1207);
    // _system (replication factor 2) is on both; shop and blog went to different DB-servers
    const holders = await Promise.all(c.dbServers.map(async (h) => (await h.server!.db().listDatabases()).sort()));
    const shopHolders = holders.filter((l) => l.includes('shop')).length;
    const blogHolders = holders.filter((l) => l.includes('blog')).length;
    assert.equal(shopHolders, 1);
    assert.equal(blogHolders, 1);
    assert.notDeepEqual(holders[0], holders[1]);

    const shop = c.client('shop');
    const items = await shop.createCollection('items');
    // OneShard: one shard, numberOfShards > 1 is accepted and stored as 1, the shard's leader first
    const props = await items.properties();
    assert.deepEqual([props.numberOfShards, props.replicationFactor, props.writeConcern, props.shardKeys, (props as { sharding?: string }).sharding], [1, 1, 1, ['_key'], 'single']);
    const multi = await shop.createCollection('multi', { numberOfShards: 3 });
    assert.equal((await multi.properties()).numberOfShards, 1);
    const shards = (await shop.route('/_api/collection/items/shards').get({ details: true })).parsedBody as { shards: Record<string, string[]> };
    const [[shardName, servers] = ['', []]] = Object.entries(shards.shards);
    assert.match(shardName, /^s\d+/);
    const health = (await shop.route('/_admin/cluster/health').get()).parsedBody as { Health: Record<string, { Role: string }> };
    assert.equal(servers.length, 1);
    assert.equal(health.Health[servers[0] ?? '']?.Role, 'DBServer');
    for (let i = 0; i < 20; i++) await items.save({ _key: `k${i}`, n: i });
    assert.equal((await items.count()).count, 20);
    assert.equal((await items.document('k7')).n, 7);
    await items.ensureIndex({ type: 'persistent', fields: ['n'] });
    const cursor = await shop.query(aql`FOR d IN items FILTER d.n >= 10 SORT d.n RETURN d.n`, { batchSize: 3 });
    // batches continue through the other coordinator (round robin): the cursor lives on the leader
    assert.deepEqual(await cursor.all(), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    // a cursor opened through coordinator A is continued through coordinator B
    const [ca, cb] = c.coordinators;
    const opened = await rawRequest(ca!.endpoint, 'POST', '/_db/shop/_api/cursor', JSON.stringify({ query: 'FOR d IN items SORT d.n RETURN d.n', batchSize: 15 }));
    const first = opened.json as { id: string; result: number[]; hasMore: boolean };
    assert.equal(opened.status, 201);
    assert.equal(first.hasMore, true);
    const next = await rawRequest(cb!.endpoint, 'POST', `/_db/shop/_api/cursor/${first.id}`);
    assert.equal(next.status, 200);
    assert.deepEqual([...first.result, ...(next.json as { result: number[] }).result], Array.from({ length: 20 }, (_, i) => i));
    const blog = c.client('blog');
    await blog.createCollection('posts');
    await blog.collection('posts').import([{ _key: 'p1' }, { _key: 'p2' }]);
    assert.equal((await blog.collection('posts').count()).count, 2);
    await assert.rejects(shop.collection('posts').document('p1'), (e: { errorNum?: number }) => e.errorNum === 1203);
    await sys.dropDatabase('blog');
    assert.deepEqual((await sys.listDatabases()).sort(), ['_system', 'shop']);
    const gone = await rejection(c.client('blog').collection('posts').count());
    assert.equal(gone.errorNum, 1228);
  });

  it('a user created through one coordinator logs in through every other; ro cannot write anywhere', async () => {
    const sys = c.client();
    if (!(await sys.listDatabases()).includes('shop')) await sys.createDatabase('shop', { replicationFactor: 1 });
    const shop = c.client('shop');
    if (!(await shop.collection('items').exists())) await shop.createCollection('items');
    await sys.createUser('ann', { passwd: 'pw-ann' });
    await sys.createUser('rob', { passwd: 'pw-rob' });
    await sys.route('/_api/user/ann/database/shop').put({ grant: 'rw' });
    // a grant on a database the _system leader may not hold (placement decides), checked against the plan
    await sys.route('/_api/user/rob/database/shop').put({ grant: 'ro' });
    assert.equal((await rejection(sys.route('/_api/user/rob/database/nowhere').put({ grant: 'ro' }))).errorNum, 1228);
    const robDbs = await new Database({ url: c.coordinators[0]!.endpoint, auth: { username: 'rob', password: 'pw-rob' } }).listUserDatabases();
    assert.deepEqual(robDbs, ['shop']);
    for (const h of c.coordinators) {
      const ann = new Database({ url: h.endpoint, databaseName: 'shop', auth: { username: 'ann', password: 'pw-ann' } });
      const saved = await ann.collection('items').save({ by: h.port });
      assert.ok(saved._key);
      const rob = new Database({ url: h.endpoint, databaseName: 'shop', auth: { username: 'rob', password: 'pw-rob' } });
      assert.ok((await rob.collection('items').count()).count >= 1);
      const denied = await rejection(rob.collection('items').save({ nope: true }));
      assert.equal(denied.code, 403);
      const bad = await rejection(new Database({ url: h.endpoint, databaseName: 'shop', auth: { username: 'ann', password: 'wrong' } }).collection('items').count());
      assert.equal(bad.code, 401);
      // JWT login through each coordinator too
      const jwt = await new Database({ url: h.endpoint }).login('ann', 'pw-ann');
      assert.equal(typeof jwt, 'string');
    }
  });

  it('runs a JavaScript transaction on the leader of its database (in a transaction process there), atomically', async () => {
    const sys = c.client();
    await sys.createDatabase('jsdb', { replicationFactor: 1 });
    const jsdb = c.client('jsdb');
    const col = await jsdb.createCollection('ledger');
    const action = 'function (p) { const { db } = require("@arangodb"); db.ledger.save({ _key: p.key }); if (p.fail) throw new Error("no"); return db.ledger.count(); }';
    assert.equal(await jsdb.executeTransaction({ write: ['ledger'] }, action, { params: { key: 'a' } }), 1);
    const failed = await rejection(jsdb.executeTransaction({ write: ['ledger'] }, action, { params: { key: 'b', fail: true } }));
    assert.deepEqual([failed.code, failed.errorNum], [500, 1650]);
    assert.deepEqual(await (await jsdb.query('FOR d IN ledger RETURN d._key')).all(), ['a']);
    assert.equal((await col.count()).count, 1);
  });

  it('etcd frozen: reads keep working through every coordinator, createDatabase fails with 1492, all resumes after', async () => {
    const sys = c.client();
    if (!(await sys.listDatabases()).includes('shop')) await sys.createDatabase('shop', { replicationFactor: 1 });
    const shop = c.client('shop');
    if (!(await shop.collection('items').exists())) await shop.createCollection('items');
    await shop.collection('items').save({ _key: 'before-freeze' });
    c.etcd.pause();
    try {
      for (const h of c.coordinators) {
        const db = new Database({ url: h.endpoint, databaseName: 'shop', auth: { username: 'root', password: '' } });
        assert.equal((await db.collection('items').document('before-freeze'))._key, 'before-freeze');
        await db.collection('items').save({ during: h.port });
      }
      const failed = await rejection(sys.createDatabase('frozen'));
      assert.equal(failed.errorNum, 1492);
    } finally {
      c.etcd.resume();
    }
    // an attempt whose answer was lost may have created it already (1207 then)
    let last: unknown = null;
    await waitFor(async () => sys.createDatabase('thawed').then(() => true, (e: { errorNum?: number }) => ((last = e), e.errorNum === 1207)), {
      timeoutMs: 20_000,
      what: `createDatabase after etcd resumed (last error ${String(last)})`,
    });
    assert.ok((await sys.listDatabases()).includes('thawed'));
    // the create that failed during the freeze leaves nothing behind once etcd answers again
    await waitFor(async () => !(await sys.listDatabases()).includes('frozen'), { timeoutMs: 10_000, what: 'the unconfirmed plan entry to be withdrawn' });
  });
});
