// A leader busy with a long, CPU-heavy query keeps its etcd lease: the query runs in a query
// worker thread, so keep-alives (and writes) continue on the main thread and no failover happens.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { failure } from '../harness/arango-failure.ts';
import { startCluster, type TestCluster } from '../harness/cluster.ts';

/** Seconds the heavy query runs (the case is 30 s; CI runs a shorter one). */
const QUERY_SECONDS = Number(process.env['KITSUNE_LEASE_QUERY_SECONDS'] ?? 6);

describe('active-failover leader running a heavy query', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ servers: 2 });
    assert.equal(await c.waitForLeader(), 0);
    await c.client().createCollection('ticks');
    await c.waitForCaughtUp(1);
  });
  after(async () => {
    await c?.stop();
  });

  it(`keeps its lease through a ${QUERY_SECONDS} s query (no failover) and keeps accepting writes`, async () => {
    const [leader, follower] = c.members;
    assert.ok(leader && follower);
    const db = c.client();
    const query = failure(() => db.query('FOR i IN 1..1e15 FILTER i < 0 RETURN i', {}, { maxRuntime: QUERY_SECONDS }));
    const end = Date.now() + QUERY_SECONDS * 1000;
    let writes = 0;
    while (Date.now() < end) {
      const f = await fetch(`${follower.endpoint}/_admin/server/availability`);
      assert.notEqual(f.status, 200, 'the follower never became leader');
      await db.collection('ticks').save({ at: Date.now() });
      writes++;
    }
    assert.deepEqual(await query, [410, 1500]);
    assert.ok(writes > QUERY_SECONDS, `${writes} writes were acknowledged meanwhile`);
    assert.equal((await fetch(`${leader.endpoint}/_admin/server/availability`)).status, 200);
    assert.notEqual((await fetch(`${follower.endpoint}/_admin/server/availability`)).status, 200);
  });
});
