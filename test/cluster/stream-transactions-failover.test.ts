import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aql } from 'arangojs';
import { failure } from '../harness/arango-failure.ts';
import { getJson, startCluster, type TestCluster } from '../harness/cluster.ts';

describe('stream transactions on an active-failover pair', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ servers: 2 });
    assert.equal(await c.waitForLeader(), 0);
  });
  after(async () => {
    await c?.stop();
  });

  it('ships a committed transaction to the follower whole; a transaction open on a dying leader is gone', { timeout: 90_000 }, async () => {
    const db = c.client();
    const col = await db.createCollection('trxrep');
    const trx = await db.beginTransaction({ write: col });
    await trx.step(() => col.saveAll(Array.from({ length: 30 }, (_, i) => ({ _key: `c${i}` }))));
    await trx.commit();
    await c.waitForCaughtUp(1);
    const follower = c.members[1]?.endpoint ?? '';
    const count = (await getJson(`${follower}/_api/collection/trxrep/count`, { 'x-arango-allow-dirty-read': 'true' })) as { count?: number } | null;
    assert.equal(count?.count, 30);

    // a reader on the follower never sees part of a transaction being replicated; an aborted one never arrives
    const whole = await db.createCollection('trxwhole');
    const followerCount = async (): Promise<number | undefined> =>
      ((await getJson(`${follower}/_api/collection/trxwhole/count`, { 'x-arango-allow-dirty-read': 'true' })) as { count?: number } | null)?.count;
    await c.waitForCaughtUp(1);
    const dropped = await db.beginTransaction({ write: whole });
    await dropped.step(() => whole.saveAll(Array.from({ length: 50 }, (_, i) => ({ _key: `x${i}` }))));
    await dropped.abort();
    const big = await db.beginTransaction({ write: whole });
    await big.step(() => whole.saveAll(Array.from({ length: 300 }, (_, i) => ({ _key: `w${i}`, pad: 'p'.repeat(100) }))));
    let replicated = false;
    const seen: Array<number | undefined> = [];
    const reader = (async () => {
      while (!replicated) seen.push(await followerCount());
    })();
    await big.commit();
    await c.waitForCaughtUp(1);
    replicated = true;
    await reader;
    seen.push(await followerCount());
    assert.ok(seen.every((n) => n === 0 || n === 300), `follower saw a partial transaction: ${seen.join(',')}`);
    assert.equal(seen.at(-1), 300);

    const open = await db.beginTransaction({ write: col });
    await open.step(() => col.saveAll(Array.from({ length: 10 }, (_, i) => ({ _key: `o${i}` }))));
    await open.step(() => col.remove('c0'));
    await c.kill(0);
    assert.equal(await c.waitForLeader(60_000, 0), 1);
    const keys = await (await db.query(aql`FOR d IN trxrep RETURN d._key`)).all();
    assert.equal(keys.length, 30);
    assert.equal((await db.collection('trxwhole').count()).count, 300);
    assert.ok(keys.includes('c0'));
    assert.ok(!keys.some((k: string) => k.startsWith('o')));
    assert.deepEqual(await failure(() => db.transaction(open.id).get()), [404, 1655]);
  });
});
