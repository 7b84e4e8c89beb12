import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mapIds, shardOf, type Shard } from './cluster-helpers.ts';
import { getJson } from '../harness/cluster.ts';
import { waitFor } from '../harness/server.ts';
import { startShardedCluster, type RoleHandle, type ShardedCluster } from '../harness/sharded-cluster.ts';

describe('cluster mode: a returning old leader keeps the writes nobody acknowledged in _system/_rollback', () => {
  let c: ShardedCluster;
  const ids = new Map<string, RoleHandle>();
  before(async () => {
    // a long sync timeout: the write waits for the frozen follower instead of dropping it
    c = await startShardedCluster({ dbServers: 2, coordinators: 1, args: ['--cluster.sync-timeout', '20'] });
    await mapIds(c, ids);
  });
  after(async (t) => {
    if ((t as unknown as { error?: unknown }).error) process.stderr.write(c.logs());
    await c.stop();
  });

  it('a write the leader applied while its follower was down: lost on the new leader, recorded and logged by the old one when it rejoins', async () => {
    await c.client().createDatabase('fork', { replicationFactor: 2 });
    const db = c.client('fork');
    const col = await db.createCollection('docs');
    await col.save({ _key: 'kept' });
    let s: Shard | null = null;
    await waitFor(async () => (s = await shardOf(db).catch(() => null)) !== null && s.inSync.length === 1, { timeoutMs: 30_000, what: 'the follower to be in sync' });
    const shard = s as unknown as Shard;
    const leader = ids.get(shard.leader);
    const follower = ids.get(shard.inSync[0] ?? '');
    assert.ok(leader?.server && follower?.server);
    // the follower dies; the leader applies the next write and waits for it (20 s), then dies too
    await follower.server.kill();
    const write = col.save({ _key: 'unacked', v: 42 }).catch((e: unknown) => e);
    await waitFor(async () => (await getJson(`${leader.endpoint}/_db/fork/_api/document/docs/unacked`)) !== null, { timeoutMs: 10_000, what: 'the leader to apply the write' });
    await leader.server.kill();
    assert.ok((await write) instanceof Error, 'the write was never acknowledged');
    // the follower returns, is still in sync (never dropped) and takes over without that write
    await c.restart(follower);
    await waitFor(async () => (await shardOf(db).catch(() => null))?.leader === shard.inSync[0], { timeoutMs: 30_000, what: 'the follower to take over' });
    assert.equal((await col.document('kept'))._key, 'kept');
    assert.equal(await col.documentExists('unacked'), false);
    await col.save({ _key: 'later' });

    await c.restart(leader);
    await waitFor(async () => (await shardOf(db))?.inSync.includes(shard.leader) === true, { timeoutMs: 30_000, what: 'the old leader to rejoin in sync' });
    // its copy now equals the new leader's; the write it alone had is kept and logged
    assert.equal(await getJson(`${leader.endpoint}/_db/fork/_api/document/docs/unacked`), null);
    const lines = (leader.server?.logs() ?? '').split('\n').filter((l) => l.includes('rolled back'));
    assert.equal(lines.length, 1, lines.join('\n'));
    const line = JSON.parse(lines[0] ?? '{}') as { rolledBack?: number; leader?: string; collection?: string };
    assert.deepEqual([line.rolledBack, line.leader, line.collection], [1, shard.inSync[0], '_system/_rollback']);
    // a restart resyncs again but records nothing twice
    await leader.server?.stop();
    await c.restart(leader);
    await waitFor(async () => (await shardOf(db))?.inSync.includes(shard.leader) === true, { timeoutMs: 30_000, what: 'the old leader to rejoin again' });
    assert.equal((leader.server?.logs() ?? '').split('\n').filter((l) => l.includes('rolled back')).length, 0);
  });
});
