import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Database } from 'arangojs';
import { mapIds, shardOf, type Shard } from './cluster-helpers.ts';
import { waitFor } from '../harness/server.ts';
import { startShardedCluster, type RoleHandle, type ShardedCluster } from '../harness/sharded-cluster.ts';
import { withLogsOnFailure } from '../harness/logs-on-failure.ts';

const REPEAT = Math.max(1, Number(process.env['KITSUNE_STRESS_REPEAT'] ?? 1));

/** Writes documents through the coordinators until stopped; remembers each acknowledged key. */
function writeLoad(db: Database, collection: string, writers: number): { acked: Set<string>; errors: string[]; lastAck: () => number; stop: () => Promise<void> } {
  const acked = new Set<string>();
  const errors: string[] = [];
  let running = true;
  let last = 0;
  let n = 0;
  const col = db.collection(collection);
  const loops = Array.from({ length: writers }, async (_, w) => {
    while (running) {
      const key = `w${w}-${n++}`;
      try {
        await col.save({ _key: key, w });
        acked.add(key);
        last = Date.now();
      } catch (err) {
        errors.push(String((err as { errorNum?: number }).errorNum ?? (err as Error).message));
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  });
  return {
    acked,
    errors,
    lastAck: () => last,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Polls until the database's shard has at least `n` in-sync followers. */
async function inSync(db: Database, n: number, what: string): Promise<Shard> {
  let s: Shard | null = null;
  await waitFor(async () => {
    s = await shardOf(db).catch(() => null);
    return s !== null && s.inSync.length >= n;
  }, { timeoutMs: 30_000, what });
  return s as unknown as Shard;
}

describe('cluster mode: replica sets, synchronous followers, DB-server failover (real etcd and processes)', () => {
  let c: ShardedCluster;
  const ids = new Map<string, RoleHandle>();
  before(async () => {
    c = await startShardedCluster({ dbServers: 3, coordinators: 2 });
    await mapIds(c, ids);
  });
  after(async (t) => {
    if ((t as unknown as { error?: unknown }).error) process.stderr.write(c.logs());
    await c.stop();
  });

  it('collections report the OneShard properties of their database', async () => {
    await c.client().createDatabase('props', { replicationFactor: 2, writeConcern: 1 });
    const db = c.client('props');
    const col = await db.createCollection('things', { numberOfShards: 4 });
    const p = await col.properties();
    assert.deepEqual([p.numberOfShards, p.replicationFactor, p.writeConcern, p.shardKeys, (p as { sharding?: string }).sharding], [1, 2, 1, ['_key'], 'single']);
    const s = await inSync(db, 1, 'the follower of props to be in sync');
    const details = (await db.route('/_api/collection/things/shards').get({ details: true })).parsedBody as { shards: Record<string, string[]> };
    assert.deepEqual(Object.values(details.shards)[0], [s.leader, ...s.planned]);
  });

  for (let round = 0; round < REPEAT; round++) {
    it(`SIGKILL of a database's leader under write load: writes resume on the follower, no acknowledged write is lost, the old leader rejoins (round ${round + 1})`, async () => {
      const name = `bank${round}`;
      await c.client().createDatabase(name, { replicationFactor: 2 });
      const db = c.client(name);
      await db.createCollection('acks');
      const before = await inSync(db, 1, `the follower of ${name} to be in sync`);
      const load = writeLoad(db, 'acks', 4);
      await waitFor(() => load.acked.size >= 100, { timeoutMs: 20_000, what: '100 acknowledged writes' });
      const oldLeader = ids.get(before.leader);
      assert.ok(oldLeader?.server);
      await oldLeader.server.kill();
      const killedAt = Date.now();
      await waitFor(() => load.lastAck() > killedAt, { timeoutMs: 20_000, what: 'a write acknowledged by the new leader' });
      const resumedAfterMs = load.lastAck() - killedAt;
      const atResume = load.acked.size;
      await waitFor(() => load.acked.size >= atResume + 100, { timeoutMs: 20_000, what: '100 more writes on the new leader' });
      const after = await shardOf(db);
      assert.ok(after);
      assert.notEqual(after.leader, before.leader);
      assert.equal(after.leader, before.planned[0]);

      // the old leader comes back as a follower, catches up and joins the in-sync set
      await c.restart(oldLeader);
      await waitFor(async () => (await shardOf(db))?.inSync.includes(before.leader) === true, { timeoutMs: 30_000, what: 'the old leader to rejoin in sync' });
      await load.stop();
      const count = async (): Promise<number> => (await (await db.query('FOR d IN acks RETURN d._key')).all()).filter((k: string) => load.acked.has(k)).length;
      assert.equal(await count(), load.acked.size, 'every acknowledged write is on the new leader');

      // and it has them all: kill the new leader, the old one takes over with every acknowledged write
      const newLeader = ids.get(after.leader);
      assert.ok(newLeader?.server);
      await newLeader.server.kill();
      await waitFor(async () => (await shardOf(db).catch(() => null))?.leader === before.leader, { timeoutMs: 20_000, what: 'the old leader to lead again' });
      await waitFor(async () => (await count().catch(() => -1)) === load.acked.size, { timeoutMs: 10_000, what: 'every acknowledged write on the old leader' });
      await c.restart(newLeader);
      await inSync(db, 1, 'the second follower to rejoin');
      process.stdout.write(`# failover round ${round + 1}: next acknowledged write ${resumedAfterMs} ms after SIGKILL; ${load.acked.size} writes acknowledged\n`);
    });
  }

  it('writeConcern 2: a silent follower leaves the in-sync set after the sync timeout, writes then fail with 1429 while reads work, and resume when it is back', async () => {
    await c.client().createDatabase('strict', { replicationFactor: 2, writeConcern: 2 });
    const db = c.client('strict');
    const col = await db.createCollection('docs');
    const s = await inSync(db, 1, 'the follower of strict to be in sync');
    await col.save({ _key: 'a' });
    const follower = ids.get(s.inSync[0] ?? '');
    assert.ok(follower?.server);
    follower.server.process.kill('SIGSTOP');
    try {
      // the first write waits for the frozen follower, which is then dropped from the in-sync set
      await assert.rejects(col.save({ _key: 'b' }), (e: { errorNum?: number }) => e.errorNum === 1429);
      await assert.rejects(col.save({ _key: 'c' }), (e: { errorNum?: number }) => e.errorNum === 1429);
      assert.equal((await col.document('a'))._key, 'a');
      assert.deepEqual((await shardOf(db))?.inSync, []);
    } finally {
      follower.server.process.kill('SIGCONT');
    }
    await inSync(db, 1, 'the thawed follower to catch up');
    await col.save({ _key: 'd' });
    assert.equal((await col.document('d'))._key, 'd');
  });

  it('etcd paused: replicated databases keep serving reads through every coordinator, writes go on while the follower answers, plan changes fail with 1492, all resumes when etcd is back', async () => {
    await withLogsOnFailure(() => c.logs(), () => etcdPausedScenario(c));
  });
});

/** Pauses etcd under a replicated database: reads and writes go on, plan changes fail, all resumes after. */
async function etcdPausedScenario(c: ShardedCluster): Promise<void> {
  await c.client().createDatabase('calm', { replicationFactor: 2 });
  const db = c.client('calm');
  const col = await db.createCollection('docs');
  await col.save({ _key: 'before' });
  await inSync(db, 1, 'the follower of calm to be in sync');
  c.etcd.pause();
  try {
    for (const h of c.coordinators) {
      const direct = new Database({ url: h.endpoint, databaseName: 'calm', auth: { username: 'root', password: '' } });
      assert.equal((await direct.collection('docs').document('before'))._key, 'before');
    }
    // writes need no agency while the in-sync follower answers (well past the lease TTL)
    const until = Date.now() + 4000;
    for (let i = 0; Date.now() < until; i++) await col.save({ _key: `paused${i}` });
    // a change of the plan does: it fails with a clear agency error
    await assert.rejects(c.client().createDatabase('nope'), (e: { errorNum?: number }) => e.errorNum === 1492);
  } finally {
    c.etcd.resume();
  }
  // a fresh key per attempt: an attempt that failed on the client may still have been applied,
  // and retrying the same key would then fail with 1210 for ever
  let attempt = 0;
  let written = '';
  await waitFor(async () => {
    const key = `after${attempt++}`;
    try {
      await col.save({ _key: key });
      written = key;
      return true;
    } catch {
      return false;
    }
  }, { timeoutMs: 60_000, what: 'writes to resume after etcd returned' });
  await inSync(db, 1, 'the follower to be in sync after etcd returned');
  // the acknowledged write is never lost; right after etcd returns a lease may have run out and
  // the database failed over, and a coordinator can still route a read to the old leader for a
  // moment (its plan watch reconnecting): poll until every coordinator reads it
  for (const h of c.coordinators) {
    const direct = new Database({ url: h.endpoint, databaseName: 'calm', auth: { username: 'root', password: '' } });
    await waitFor(async () => ((await direct.collection('docs').document(written).catch(() => null)) as { _key?: string } | null)?._key === written, {
      timeoutMs: 15_000,
      what: `the acknowledged write ${written} to be read through ${h.endpoint}`,
    });
  }
}

describe('cluster mode: a follower gone for --cluster.failed-server-timeout is replaced by a free DB-server', () => {
  let c: ShardedCluster;
  const ids = new Map<string, RoleHandle>();
  before(async () => {
    c = await startShardedCluster({ dbServers: 3, coordinators: 1, args: ['--cluster.failed-server-timeout', '3'] });
    await mapIds(c, ids);
  });
  after(async (t) => {
    if ((t as unknown as { error?: unknown }).error) process.stderr.write(c.logs());
    await c.stop();
  });

  it('the replacement copies the database, joins the in-sync set and can take over', async () => {
    await c.client().createDatabase('moved', { replicationFactor: 2 });
    const db = c.client('moved');
    const col = await db.createCollection('docs');
    await col.saveAll(Array.from({ length: 200 }, (_, i) => ({ _key: `k${i}` })));
    let s: Shard | null = null;
    await waitFor(async () => ((s = await shardOf(db).catch(() => null)) !== null && s.inSync.length === 1), { timeoutMs: 30_000, what: 'the follower to be in sync' });
    const first = s as unknown as Shard;
    const gone = ids.get(first.inSync[0] ?? '');
    assert.ok(gone?.server);
    await gone.server.kill();
    const spare = [...ids.keys()].find((id) => id !== first.leader && id !== first.inSync[0]);
    await waitFor(async () => {
      const now = await shardOf(db).catch(() => null);
      return now !== null && now.planned.includes(spare ?? '') && now.inSync.includes(spare ?? '');
    }, { timeoutMs: 30_000, what: 'the spare DB-server to replace the dead follower and be in sync' });
    await col.save({ _key: 'late' });
    // the replacement has everything: it takes over when the leader dies
    await ids.get(first.leader)?.server?.kill();
    await waitFor(async () => (await shardOf(db).catch(() => null))?.leader === spare, { timeoutMs: 20_000, what: 'the replacement to lead' });
    await waitFor(async () => (await col.count().catch(() => ({ count: -1 }))).count === 201, { timeoutMs: 10_000, what: 'all documents on the replacement' });
  });
});
