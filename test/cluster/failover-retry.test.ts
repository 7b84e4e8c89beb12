import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from 'arangojs';
import { mapIds, shardOf, type Shard } from './cluster-helpers.ts';
import { waitFor } from '../harness/server.ts';
import { startShardedCluster, type RoleHandle, type ShardedCluster } from '../harness/sharded-cluster.ts';

const REPEAT = Math.max(1, Number(process.env['KITSUNE_STRESS_REPEAT'] ?? 1));
const RETRY_TIMEOUT_S = 8;

interface Load {
  readonly ok: () => number;
  readonly errors: string[];
  readonly slowestMs: () => number;
  stop(): Promise<void>;
}

/** Runs `op` in `workers` loops until stopped, counting successes and recording every error. */
function load(workers: number, op: (worker: number, n: number) => Promise<unknown>): Load {
  let running = true;
  let ok = 0;
  let slowest = 0;
  const errors: string[] = [];
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let n = 0; running; n++) {
      const t = Date.now();
      try {
        await op(w, n);
        ok++;
      } catch (err) {
        errors.push(`${String((err as { errorNum?: number }).errorNum ?? '')} ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      slowest = Math.max(slowest, Date.now() - t);
    }
  });
  return { ok: () => ok, errors, slowestMs: () => slowest, stop: async () => { running = false; await Promise.all(loops); } };
}

describe('cluster mode: coordinators hold requests while a database leader fails over, and retry them on the new leader', () => {
  let c: ShardedCluster;
  const ids = new Map<string, RoleHandle>();
  before(async () => {
    c = await startShardedCluster({ dbServers: 2, coordinators: 2, args: ['--cluster.failover-retry-timeout', String(RETRY_TIMEOUT_S)] });
    await mapIds(c, ids);
  });
  after(async (t) => {
    if ((t as unknown as { error?: unknown }).error) process.stderr.write(c.logs());
    await c.stop();
  });

  const inSync = async (db: Database, what: string): Promise<Shard> => {
    let s: Shard | null = null;
    await waitFor(async () => (s = await shardOf(db).catch(() => null)) !== null && s.inSync.length >= 1, { timeoutMs: 30_000, what });
    return s as unknown as Shard;
  };

  for (let round = 0; round < REPEAT; round++) {
    it(`SIGKILL of a leader under arangojs read and write load: no read fails, writes that never reached it are retried (round ${round + 1})`, async () => {
      const name = `reads${round}`;
      await c.client().createDatabase(name, { replicationFactor: 2 });
      const db = c.client(name);
      const col = await db.createCollection('docs');
      await col.saveAll(Array.from({ length: 100 }, (_, i) => ({ _key: `k${i}`, i })));
      const before = await inSync(db, `the follower of ${name} to be in sync`);
      const reads = load(6, async (w, n) => {
        const i = (w * 7 + n) % 100;
        if (n % 5 === 4) {
          // collection requests (the coordinator completes their answers) are held and retried too
          const { count } = await col.count();
          if (count < 100) throw new Error(`count ${count}`);
          return;
        }
        const d = await col.document(`k${i}`);
        if (d.i !== i) throw new Error(`k${i} read as ${JSON.stringify(d)}`);
      });
      const writes = load(2, (w, n) => col.save({ _key: `r${round}w${w}-${n}` }));
      await waitFor(() => reads.ok() >= 200 && writes.ok() >= 20, { timeoutMs: 20_000, what: 'reads and writes before the kill' });
      const victim = ids.get(before.leader);
      assert.ok(victim?.server);
      await victim.server.kill();
      const killedAt = Date.now();
      let after: Shard | null = null;
      await waitFor(async () => (after = await shardOf(db).catch(() => null)) !== null && after.leader !== before.leader, { timeoutMs: 20_000, what: 'the follower to take over' });
      const [r0, w0] = [reads.ok(), writes.ok()];
      await waitFor(() => reads.ok() >= r0 + 200 && writes.ok() >= w0 + 20, { timeoutMs: 20_000, what: 'reads and writes on the new leader' });
      await reads.stop();
      await writes.stop();
      process.stdout.write(`# round ${round + 1}: slowest read ${reads.slowestMs()} ms, slowest write ${writes.slowestMs()} ms (kill → takeover seen ${Date.now() - killedAt} ms ago); write errors: ${writes.errors.length}\n`);
      assert.deepEqual(reads.errors, [], 'no read fails during the failover');
      // a write in flight when its leader died may or may not have happened: only those fail (1465)
      for (const e of writes.errors) assert.match(e, /^1465 /);
      assert.ok(writes.errors.length <= 2, `at most one in-flight write per writer fails: ${writes.errors.join('; ')}`);
      await c.restart(victim);
      await waitFor(async () => (await shardOf(db))?.inSync.includes(before.leader) === true, { timeoutMs: 30_000, what: 'the old leader to rejoin in sync' });
    });
  }

  it(`a database whose only DB-server is gone: reads and writes wait --cluster.failover-retry-timeout, then 503 errorNum 1478`, async () => {
    await c.client().createDatabase('lonely', { replicationFactor: 1 });
    const db = c.client('lonely');
    const col = await db.createCollection('docs');
    await col.save({ _key: 'a' });
    const s = await shardOf(db);
    assert.ok(s);
    const victim = ids.get(s.leader);
    assert.ok(victim?.server);
    await victim.server.kill();
    const t = Date.now();
    await assert.rejects(col.document('a'), (e: { errorNum?: number; code?: number }) => e.errorNum === 1478 && e.code === 503);
    const waited = Date.now() - t;
    assert.ok(waited >= RETRY_TIMEOUT_S * 1000 - 500, `the read waited ${waited} ms for a failover`);
    await assert.rejects(col.save({ _key: 'b' }), (e: { errorNum?: number }) => e.errorNum === 1478);
    // the server returns within the timeout: a held request is served
    const pending = col.document('a');
    await c.restart(victim);
    assert.equal((await pending)._key, 'a');
  });
});
