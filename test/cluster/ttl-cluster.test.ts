// TTL indexes in cluster mode: the leader DB-server of a database expires its documents, and the
// removals reach the follower like any other write.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../harness/server.ts';
import { startShardedCluster, type ShardedCluster } from '../harness/sharded-cluster.ts';

describe('TTL indexes on DB-servers', () => {
  let c: ShardedCluster;
  before(async () => {
    c = await startShardedCluster({ dbServers: 2, coordinators: 1, args: ['--ttl.frequency', '200'] });
  });
  after(async (t) => {
    if ((t as unknown as { error?: unknown }).error) process.stderr.write(c.logs());
    await c.stop();
  });

  it('the leader removes expired documents and the follower receives the removals', { timeout: 60_000 }, async () => {
    const root = c.client();
    await root.createDatabase('ttl', { replicationFactor: 2 } as never);
    const db = c.client('ttl');
    const col = await db.createCollection('sessions');
    await col.ensureIndex({ type: 'ttl', fields: ['expiresAt'], expireAfter: 0 });
    const now = Date.now() / 1000;
    await col.import([
      ...Array.from({ length: 20 }, (_, i) => ({ _key: `old${i}`, expiresAt: now - 60 })),
      ...Array.from({ length: 5 }, (_, i) => ({ _key: `new${i}`, expiresAt: now + 3600 })),
      { _key: 'iso', expiresAt: new Date(Date.now() - 60_000).toISOString() },
      { _key: 'none' },
    ]);
    await waitFor(async () => (await col.count()).count === 6, { timeoutMs: 20_000, what: 'the expired documents to be removed through the coordinator' });
    const keys = (await (await db.query('FOR s IN sessions SORT s._key RETURN s._key')).all()) as string[];
    assert.deepEqual(keys, ['new0', 'new1', 'new2', 'new3', 'new4', 'none']);
    // both DB-servers hold the database; each must end with the same six documents
    const { id } = (await col.get()) as unknown as { id: string };
    for (const s of c.dbServers) {
      await waitFor(async () => {
        const r = await fetch(`${s.endpoint}/_db/ttl/_api/replication/kitsune/keys?collection=${id}`, { headers: { authorization: c.superuser() } });
        if (r.status !== 200) return false;
        const body = (await r.json()) as { keys: Array<[string, string]> };
        return body.keys.map(([k]) => k).sort().join() === keys.join();
      }, { timeoutMs: 20_000, what: `DB-server ${s.endpoint} to hold only the live documents` });
    }
  });
});
