import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Database } from 'arangojs';
import { getJson, startCluster, type TestCluster } from '../harness/cluster.ts';
import { describeData } from '../harness/replica-compare.ts';
import { fixtureZip } from '../foxx/foxx-helpers.ts';
import { rawRequest, waitFor } from '../harness/server.ts';

describe('server-level replication', () => {
  let c: TestCluster;
  before(async () => {
    // no failover here; a longer lease keeps the leader certain of it while it commits a large transaction
    c = await startCluster({ servers: 2, leaseTtlSeconds: 5 });
    await c.waitForLeader();
  });
  after(async () => {
    await c?.stop();
  });

  const inSync = async (what: string): Promise<void> => {
    const [a, b] = c.endpoints as [string, string];
    let last = '';
    await waitFor(async () => {
      // a follower still applying may drop a database between two reads: that is "not yet"
      const both = await Promise.all([describeData(a, c.superuser()), describeData(b, c.superuser())]).catch((err: unknown) => {
        last = String(err);
        return null;
      });
      if (both === null) return false;
      const [x, y] = both;
      last = `${JSON.stringify(x).slice(0, 400)}\n${JSON.stringify(y).slice(0, 400)}`;
      return JSON.stringify(x) === JSON.stringify(y);
    }, { timeoutMs: 15_000, what: `${what} replicated (${last})` });
  };

  it('replicates databases, collections, indexes, documents, renames, truncates and drops', async () => {
    const sys = c.client();
    await sys.createDatabase('shop');
    const shop = c.client('shop');
    const products = await shop.createCollection('products');
    await products.ensureIndex({ type: 'persistent', fields: ['sku'], unique: true, name: 'by_sku' });
    const edges = await shop.createEdgeCollection('links');
    for (let i = 0; i < 300; i++) await products.save({ _key: `p${i}`, sku: `s${i}`, n: i });
    await products.update('p1', { n: 'changed' });
    await products.replace('p2', { sku: 's2', replaced: true });
    await products.remove('p3');
    await edges.save({ _from: 'products/p1', _to: 'products/p2', w: 1 });
    const tmp = await shop.createCollection('temp');
    await tmp.save({ x: 1 });
    await tmp.rename('temp2');
    const trunc = await shop.createCollection('trunc');
    await trunc.saveAll([{ a: 1 }, { a: 2 }]);
    await trunc.truncate();
    await trunc.save({ after: true });
    const gone = await shop.createCollection('gone');
    await gone.save({ y: 1 });
    await gone.drop();
    await sys.createDatabase('dropme');
    await sys.dropDatabase('dropme');
    const ix = await products.ensureIndex({ type: 'persistent', fields: ['n'], name: 'by_n' });
    await products.dropIndex(ix.id);
    await inSync('catalog and document changes');
  });

  it('replicates users (a user created on the leader exists on the follower), Foxx services and queued jobs', async () => {
    const sys = c.client();
    await sys.createUser('alice', { passwd: 'secret' });
    await sys.route('_api/user/alice/database/_system').put({ grant: 'rw' });
    await sys.installService('/queue', (await fixtureZip('queue')).blob);
    const push = await rawRequest(c.endpoints[await c.waitForLeader()] ?? '', 'POST', '/queue/push', JSON.stringify({ script: 'work', data: { value: 1 }, opts: { delayUntil: Date.now() + 3_600_000 } }), {
      'content-type': 'application/json',
    });
    assert.equal(push.status, 201, push.text);
    await inSync('users, services, jobs');
    const data = await describeData(c.endpoints[1] ?? '', c.superuser());
    assert.ok((data['_system/_apps'] as { docs: unknown[] }).docs.length >= 1);
    assert.ok((data['_system/_jobs'] as { docs: unknown[] }).docs.length >= 1);
    // the follower's user cache sees alice: a dirty read as alice is authorised
    const r = await rawRequest(c.endpoints[1] ?? '', 'GET', '/_api/collection', undefined, {
      authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}`,
      'x-arango-allow-dirty-read': 'true',
    });
    assert.equal(r.status, 200, r.text);
  });

  it('a restarted follower resumes from its applied tick and catches up', async () => {
    await c.members[1]?.server?.stop();
    const shop = c.client('shop');
    for (let i = 0; i < 50; i++) await shop.collection('products').save({ _key: `r${i}`, sku: `r${i}` });
    await c.start(1);
    await c.waitForCaughtUp(1);
    await inSync('writes made while the follower was down');
    assert.match(c.members[1]?.server?.logs() ?? '', /following the leader/);
    assert.doesNotMatch(c.members[1]?.server?.logs() ?? '', /initial sync finished/);
  });

  it('a committed stream transaction of 30,000 documents reaches the follower whole: a dirty reader sees all of it or none', { timeout: 120_000 }, async () => {
    const db = c.client();
    const col = await db.createCollection('bigtrx');
    const leader = c.endpoints[await c.waitForLeader()] ?? '';
    const follower = c.endpoints[1] ?? '';
    await c.waitForCaughtUp(1);
    const tickBefore = ((await getJson(`${leader}/_api/wal/lastTick`, { authorization: c.superuser() })) as { tick: string }).tick;
    const N = 30_000;
    const trx = await db.beginTransaction({ write: col });
    for (let i = 0; i < N; i += 10_000) {
      await trx.step(() => col.saveAll(Array.from({ length: 10_000 }, (_, j) => ({ _key: `t${i + j}`, n: i + j, pad: 'x'.repeat(40) }))));
    }
    const count = async (): Promise<number | undefined> =>
      ((await getJson(`${follower}/_api/collection/bigtrx/count`, { 'x-arango-allow-dirty-read': 'true' })) as { count?: number } | null)?.count;
    assert.equal(await count(), 0);
    let done = false;
    const seen: Array<number | undefined> = [];
    const reader = (async () => {
      while (!done) seen.push(await count());
    })();
    await trx.commit();
    await c.waitForCaughtUp(1, 60_000);
    done = true;
    await reader;
    seen.push(await count());
    const partial = seen.filter((n) => n !== 0 && n !== N);
    assert.equal(partial.length, 0, `the follower showed part of the transaction: ${[...new Set(partial)].join(',')} (${seen.length} reads)`);
    assert.equal(seen.at(-1), N);
    assert.equal((await c.client().collection('bigtrx').count()).count, N);

    // the leader's feed itself (global and per-database tail), with a chunk far smaller than the transaction: one answer holds all of it
    for (const path of ['/_api/wal/tail?global=true&', '/_db/_system/_api/wal/tail?']) {
      let from = tickBefore;
      const perAnswer: number[] = [];
      for (let round = 0; round < 1000; round++) {
        const r = await fetch(`${leader}${path}from=${from}&chunkSize=65536`, { headers: { authorization: c.superuser() } });
        if (r.status === 204) break;
        assert.equal(r.status, 200);
        const lines = (await r.text()).split('\n').filter((l) => l.length > 0);
        const mine = lines.filter((l) => l.includes('"cname":"bigtrx"') && l.includes('"type":2300')).length;
        if (mine > 0) perAnswer.push(mine);
        assert.doesNotMatch(lines.at(-1) ?? '', /"more":true/, 'an answer never ends inside a transaction');
        from = r.headers.get('x-arango-replication-lastincluded') ?? from;
        if (r.headers.get('x-arango-replication-checkmore') !== 'true') break;
      }
      assert.deepEqual(perAnswer, [N], path);
    }
  });
});

describe('far-behind follower', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ servers: 2, args: ['--log.retention-entries', '20', '--replication.client-ttl', '1'] });
    await c.waitForLeader();
  });
  after(async () => {
    await c?.stop();
  });

  it('resyncs incrementally when its tick was pruned from the leader log, then tails again', async () => {
    const db = c.client();
    const col = await db.createCollection('far');
    for (let i = 0; i < 30; i++) await col.save({ _key: `a${i}`, v: i });
    await c.waitForCaughtUp(1);
    await c.members[1]?.server?.stop();
    for (let i = 0; i < 60; i++) await col.save({ _key: `b${i}`, v: i });
    await col.remove('a0');
    await col.update('a1', { v: 'changed' });
    const leader = c.endpoints[0] ?? '';
    const state = async (): Promise<{ first: bigint }> => {
      const r = (await (await fetch(`${leader}/_api/replication/logger-first-tick`, { headers: { authorization: c.superuser() } })).json()) as { firstTick: string };
      return { first: BigInt(r.firstTick) };
    };
    const before = await state();
    // the engine prunes every 10 s; the stopped follower's hold on the log expires after 1 s
    await waitFor(async () => (await state()).first > before.first, { timeoutMs: 25_000, what: 'the leader to prune its log', intervalMs: 250 });
    await c.start(1);
    await c.waitForCaughtUp(1);
    const [x, y] = await Promise.all([describeData(leader, c.superuser()), describeData(c.endpoints[1] ?? '', c.superuser())]);
    assert.deepEqual(y, x);
    const logs = c.members[1]?.server?.logs() ?? '';
    assert.match(logs, /initial sync finished/);
    assert.match(logs, /"removed":1/, 'the follower removed the one document the leader deleted, without wiping');
    // and it tails again afterwards
    await col.save({ _key: 'after', v: 1 });
    await c.waitForCaughtUp(1);
  });
});
